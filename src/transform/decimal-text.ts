/**
 * Exact decimal text without exponent: "1.2E+3" → "1200", "-5E-3" → "-0.005".
 * Money must never pass through a binary float, so decimals travel as text end to end.
 */
export function plainDecimal(text: string): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, sign = '', intPart = '', fracPart = '', expText] = m;
  if (intPart === '' && fracPart === '') return undefined;
  const exp = expText ? Number(expText) : 0;
  let digits = intPart + fracPart;
  let point = intPart.length + exp;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let whole = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(point);
  if (whole === '') whole = '0';
  const body = frac === '' ? whole : `${whole}.${frac}`;
  const isZero = /^[0.]*$/.test(body);
  return (sign === '-' && !isZero ? '-' : '') + body;
}

/** Digits before and after the point, ignoring trailing zeros of the fraction. */
export function decimalShape(text: string): { integerDigits: number; scale: number } {
  const unsigned = text.replace(/^-/, '');
  const [whole = '', frac = ''] = unsigned.split('.');
  return { integerDigits: whole.replace(/^0+/, '').length, scale: frac.replace(/0+$/, '').length };
}
