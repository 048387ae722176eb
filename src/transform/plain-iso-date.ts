import { dateWithMicros, splitFraction } from './micro-date.ts';

/**
 * The date-time text applications write most (`2021-01-01 00:05:35.969`, Rails' and Django's
 * `…35.969123`, `2021-01-01T00:05:35Z`, a bare `2021-01-01`), read by character codes instead
 * of readIsoDate's regex and captures: a SQLite file holds one or two such values per row, and
 * the regex was the largest single cost of a direct copy's conversion.
 *
 * It reads only that shape, with nothing around it and no zone but `Z`, as UTC; for such text
 * it returns exactly what readIsoDate(text).date returns (the same Date.UTC call, the same
 * fraction rounding). Anything else, out-of-range components included, is undefined: the caller
 * goes the long way, which accepts, coerces or refuses it with the usual words.
 */
export function readPlainIsoDate(text: string): Date | undefined {
  const n = text.length;
  if (n !== 10 && (n < 16 || n > 30)) return undefined;
  const year = digits4(text, 0);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  if (year < 0 || month < 0 || day < 0 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (n === 10) return new Date(Date.UTC(year, month - 1, day));
  const sep = text.charCodeAt(10);
  if ((sep !== SPACE && sep !== T) || text.charCodeAt(13) !== COLON) return undefined;
  const hour = digits2(text, 11);
  const minute = digits2(text, 14);
  if (hour < 0 || minute < 0 || hour > 23 || minute > 59) return undefined;
  const end = text.charCodeAt(n - 1) === Z ? n - 1 : n;
  let second = 0;
  let at = 16;
  if (at < end) {
    if (text.charCodeAt(at) !== COLON || at + 3 > end) return undefined;
    second = digits2(text, at + 1);
    if (second < 0 || second > 59) return undefined;
    at += 3;
  }
  let ms = 0;
  let micros = 0;
  if (at < end) {
    const count = end - at - 1;
    if (text.charCodeAt(at) !== DOT || count < 1 || count > 9) return undefined;
    let fraction = 0;
    for (let i = at + 1; i < end; i++) {
      const d = text.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) return undefined;
      fraction = fraction * 10 + d;
    }
    if (count <= 6) {
      // Exact in integers: what splitFraction's rounding gives for up to six digits.
      const micro = fraction * 10 ** (6 - count);
      ms = Math.floor(micro / 1000);
      micros = micro % 1000;
    } else ({ ms, micros } = splitFraction(text.slice(at + 1, end)));
    at = end;
  }
  if (at !== end) return undefined;
  return dateWithMicros(Date.UTC(year, month - 1, day, hour, minute, second, ms), micros);
}

const DASH = 45;
const SPACE = 32;
const T = 84;
const Z = 90;
const COLON = 58;
const DOT = 46;
const ZERO = 48;

function digits2(text: string, at: number): number {
  const a = text.charCodeAt(at) - ZERO;
  const b = text.charCodeAt(at + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function digits4(text: string, at: number): number {
  const hi = digits2(text, at);
  const lo = digits2(text, at + 2);
  return hi < 0 || lo < 0 ? -1 : hi * 100 + lo;
}

/** Days in `month` (1–12) of `year`, proleptic Gregorian. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
