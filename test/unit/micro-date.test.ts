import { expect, test } from '@jest/globals';
import { parseIsoDate } from '../../src/transform/convert.ts';
import { epochMicros, isoText, microsOf } from '../../src/transform/micro-date.ts';

test('microseconds in ISO text survive parsing and are written back', () => {
  const d = parseIsoDate('2024-03-01T10:20:30.123456Z');
  expect(d && isoText(d)).toBe('2024-03-01T10:20:30.123456Z');
  expect(d && microsOf(d)).toBe(456);
  const zoned = parseIsoDate('2024-03-01T12:20:30.000001+02:00');
  expect(zoned && isoText(zoned)).toBe('2024-03-01T10:20:30.000001Z');
  // Nanoseconds round at the microsecond, carrying into the millisecond.
  const nanos = parseIsoDate('2024-03-01T10:20:30.9999996Z');
  expect(nanos && isoText(nanos)).toBe('2024-03-01T10:20:31.000Z');
  const plain = parseIsoDate('2024-03-01T10:20:30.5Z');
  expect(plain && isoText(plain)).toBe('2024-03-01T10:20:30.500Z');
});

test('compared at a column precision the way PostgreSQL rounds', () => {
  const d = parseIsoDate('2024-03-01T10:20:30.123556Z');
  if (!d) throw new Error('no date');
  expect(epochMicros(d, 6) % 1_000_000).toBe(123_556);
  expect(epochMicros(d, 3) % 1_000_000).toBe(124_000);
  expect(epochMicros(d, 0) % 1_000_000).toBe(0);
});
