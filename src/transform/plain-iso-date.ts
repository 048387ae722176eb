import { dateWithMicros, isoText, splitFraction } from './micro-date.ts';
import { utcTime } from './utc-time.ts';

/**
 * The date-time text applications write most (`2021-01-01 00:05:35.969`, Rails' and Django's
 * `…35.969123`, `2021-01-01T00:05:35Z`, a bare `2021-01-01`), read by character codes instead
 * of readIsoDate's regex and captures: a SQLite file holds one or two such values per row, and
 * the regex was the largest single cost of a direct copy's conversion.
 *
 * It reads only that shape, with nothing around it and no zone but `Z`, as UTC; for such text
 * it returns exactly what readIsoDate(text).date returns (the same utcTime call, the same
 * fraction rounding). Anything else, out-of-range components included, is undefined: the caller
 * goes the long way, which accepts, coerces or refuses it with the usual words.
 */
export function readPlainIsoDate(text: string): Date | undefined {
  if (!readParts(text)) return undefined;
  const [year, month, day, hour, minute, second, count, fraction] = parts as unknown as [number, number, number, number, number, number, number, number];
  let ms = 0;
  let micros = 0;
  if (count > 6) ({ ms, micros } = splitFraction(text.slice(FRACTION, parts[8])));
  else if (count > 0) {
    // Exact in integers: what splitFraction's rounding gives for up to six digits.
    const micro = fraction * 10 ** (6 - count);
    ms = Math.floor(micro / 1000);
    micros = micro % 1000;
  }
  return dateWithMicros(utcTime(year, month - 1, day, hour, minute, second, ms), micros);
}

/**
 * isoText(readPlainIsoDate(text)), written from the text's own digits: no Date is made and
 * none formatted. The COPY text of a date-time column (load/row-line.ts) for most rows of a
 * SQLite file. Undefined where readPlainIsoDate is.
 */
export function plainIsoText(text: string): string | undefined {
  if (!readParts(text)) return undefined;
  const count = parts[6] as number;
  // Nanoseconds round, and may carry into the second: the Date's own arithmetic does that.
  if (count > 6) {
    const date = readPlainIsoDate(text);
    return date && isoText(date);
  }
  const end = parts[8] as number;
  const date = text.slice(0, 10);
  if (end === 10) return `${date}T00:00:00.000Z`;
  const minutes = text.slice(11, 16);
  if (end === 16) return `${date}T${minutes}:00.000Z`;
  const seconds = text.slice(17, 19);
  if (count === 0) return `${date}T${minutes}:${seconds}.000Z`;
  const digits = text.slice(FRACTION, end);
  // Six digits, as isoText writes them: milliseconds always, microseconds when not zero.
  const six = count === 6 ? digits : digits + '000000'.slice(count);
  return `${date}T${minutes}:${seconds}.${six.endsWith('000') ? six.slice(0, 3) : six}Z`;
}

/** year, month, day, hour, minute, second, fraction digits, fraction, end (before any `Z`): the last plain text read. */
const parts = new Array<number>(9).fill(0);
/** Where the fraction's digits start: `YYYY-MM-DD hh:mm:ss.` */
const FRACTION = 20;

/** Reads the plain shape into `parts`; false for anything else, out-of-range parts included. */
function readParts(text: string): boolean {
  const n = text.length;
  if (n !== 10 && (n < 16 || n > 30)) return false;
  const year = digits4(text, 0);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  if (year < 0 || month < 0 || day < 0 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return false;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  parts[0] = year;
  parts[1] = month;
  parts[2] = day;
  parts[3] = parts[4] = parts[5] = parts[6] = parts[7] = 0;
  parts[8] = n;
  if (n === 10) return true;
  const sep = text.charCodeAt(10);
  if ((sep !== SPACE && sep !== T) || text.charCodeAt(13) !== COLON) return false;
  const hour = digits2(text, 11);
  const minute = digits2(text, 14);
  if (hour < 0 || minute < 0 || hour > 23 || minute > 59) return false;
  parts[3] = hour;
  parts[4] = minute;
  const end = text.charCodeAt(n - 1) === Z ? n - 1 : n;
  parts[8] = end;
  let at = 16;
  if (at < end) {
    if (text.charCodeAt(at) !== COLON || at + 3 > end) return false;
    const second = digits2(text, at + 1);
    if (second < 0 || second > 59) return false;
    parts[5] = second;
    at += 3;
  }
  if (at < end) {
    const count = end - at - 1;
    if (text.charCodeAt(at) !== DOT || count < 1 || count > 9) return false;
    let fraction = 0;
    for (let i = at + 1; i < end; i++) {
      const d = text.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) return false;
      fraction = fraction * 10 + d;
    }
    parts[6] = count;
    parts[7] = fraction;
    at = end;
  }
  return at === end;
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
