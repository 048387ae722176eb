import { expect, test } from '@jest/globals';
import { readIsoDate } from '../../src/transform/convert.ts';
import { isoText } from '../../src/transform/micro-date.ts';
import { plainIsoText, readPlainIsoDate } from '../../src/transform/plain-iso-date.ts';
import { seededRandom } from '../support/seeded-random.ts';

/** The long way's answer for text read as UTC: what castDate returns with `timeZone: UTC`. */
function slow(text: string): string | undefined {
  const read = readIsoDate(text);
  return read ? isoText(read.date) : undefined;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

test('the plain shapes read exactly as readIsoDate reads them', () => {
  const random = seededRandom(11);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  let fast = 0;
  for (let i = 0; i < 20_000; i++) {
    // Out of range on purpose now and then: month 13, day 31 of a short month, hour 24, second 60.
    const date = `${pad(int(0, 2999), 4)}-${pad(int(0, 13), 2)}-${pad(int(0, 31), 2)}`;
    const time = `${pad(int(0, 24), 2)}:${pad(int(0, 60), 2)}`;
    const seconds = random() < 0.8 ? `:${pad(int(0, 60), 2)}` : '';
    const digits = int(0, 10);
    const fraction = seconds && digits > 0 ? `.${Array.from({ length: digits }, () => int(0, 9)).join('')}` : '';
    const text = random() < 0.1 ? date : `${date}${random() < 0.5 ? ' ' : 'T'}${time}${seconds}${fraction}${random() < 0.3 ? 'Z' : ''}`;
    const got = readPlainIsoDate(text);
    if (got !== undefined) fast++;
    // Either the fast reading is the slow one, or it leaves the text to the slow one.
    if (got !== undefined) expect([text, isoText(got)]).toEqual([text, slow(text)]);
    else if (digits <= 9 && slow(text) !== undefined) throw new Error(`${text}: the slow path reads it, the fast one should too`);
    // The text made from the text's own digits is the Date's text, and exists exactly where the Date does.
    expect([text, plainIsoText(text)]).toEqual([text, got && isoText(got)]);
  }
  // Most generated texts are valid: the fast path is taken, not just deferred.
  expect(fast).toBeGreaterThan(10_000);
});

test('nanoseconds round at the microsecond as splitFraction rounds them', () => {
  for (const text of ['2024-03-01 10:20:30.9999996', '2024-03-01 10:20:30.1234565', '2024-03-01T10:20:30.000000500Z', '2021-01-01 00:05:35.969123']) {
    expect(isoText(readPlainIsoDate(text) ?? new Date(NaN))).toBe(slow(text));
    expect(plainIsoText(text)).toBe(slow(text));
  }
});

test('anything but the plain shape is left to the long way', () => {
  for (const text of [' 2024-03-01', '2024-03-01 ', '2024-03-01 10:20:30+02:00', '2024-03-01T10:20:30.Z', '2024-3-1', '2024-03-01 10', '2024-03-01 10:20:', '2024/03/01', '20240301', '', '2023-02-29', '2024-03-01 10:20:30.1234567890']) {
    expect([text, readPlainIsoDate(text), plainIsoText(text)]).toEqual([text, undefined, undefined]);
  }
});

test('years 0–99 are those years, not 1900–1999 (Date.UTC reads them so): "no date" as .NET and Go write it', () => {
  const cases: [string, string][] = [
    ['0001-01-01 00:00:00', '0001-01-01T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-12-31 23:59:59.999999', '0099-12-31T23:59:59.999999Z'],
    ['0004-02-29', '0004-02-29T00:00:00.000Z'],
    ['0000-02-29 12:00', '0000-02-29T12:00:00.000Z'],
    ['0100-01-01', '0100-01-01T00:00:00.000Z'],
  ];
  for (const [text, iso] of cases) {
    expect([text, isoText(readPlainIsoDate(text) ?? new Date(NaN))]).toEqual([text, iso]);
    expect([text, slow(text)]).toEqual([text, iso]);
    expect([text, plainIsoText(text)]).toEqual([text, iso]);
  }
});
