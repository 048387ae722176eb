import { Decimal128, Double } from 'bson';

export type MoneyMode = 'decimal128' | 'double';
export const MONEY_MODES: readonly MoneyMode[] = ['decimal128', 'double'];

/** Money is computed in integer cents so totals are exact in both encodings. */
export function centsToString(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new Error(`bad cents value ${cents}`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

export function money(mode: MoneyMode, cents: number): Decimal128 | Double {
  const text = centsToString(cents);
  // A bare number would be written as int32 when integral (10.00 -> 10), which
  // loses the "this is money" type; Double keeps it a BSON double.
  return mode === 'decimal128' ? Decimal128.fromString(text) : new Double(Number(text));
}
