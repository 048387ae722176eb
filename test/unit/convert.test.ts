import { describe, expect, test } from '@jest/globals';
import { Binary, Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import type { ColumnSpec, ScalarType } from '../../src/schema/model-graph.ts';
import { convertValue, parseIsoDate } from '../../src/transform/convert.ts';
import { RejectError } from '../../src/transform/reject.ts';

function col(type: ScalarType, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { field: 'f', column: 'f', type, isList: false, required: true, isId: false, ...extra };
}

/** Converts and expects a RejectError at the transform stage whose message names the label. */
function expectReject(column: ColumnSpec, value: unknown, label = 'Thing.field'): RejectError {
  let caught: unknown;
  try {
    convertValue(column, value, label);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RejectError);
  const error = caught as RejectError;
  expect(error.stage).toBe('transform');
  expect(error.message.startsWith(`${label}`)).toBe(true);
  return error;
}

test('null and undefined become null for every type', () => {
  expect(convertValue(col('Int'), null, 'x')).toBeNull();
  expect(convertValue(col('String'), undefined, 'x')).toBeNull();
});

describe('Decimal', () => {
  const decimal = col('Decimal');
  test('from Decimal128 keeps the exact digits, without exponent', () => {
    expect(convertValue(decimal, Decimal128.fromString('12.50'), 'p')).toBe('12.50');
    expect(convertValue(decimal, Decimal128.fromString('1.2E+3'), 'p')).toBe('1200');
    expect(convertValue(decimal, Decimal128.fromString('-0.005'), 'p')).toBe('-0.005');
  });
  test('from a double uses its shortest decimal text, not its binary expansion', () => {
    expect(convertValue(decimal, 19.99, 'p')).toBe('19.99');
    expect(convertValue(decimal, new Double(0.1), 'p')).toBe('0.1');
    expect(convertValue(decimal, 1e21, 'p')).toBe('1000000000000000000000');
    expect(convertValue(decimal, 1e-7, 'p')).toBe('0.0000001');
  });
  test('from integers', () => {
    expect(convertValue(decimal, 42, 'p')).toBe('42');
    expect(convertValue(decimal, new Int32(-7), 'p')).toBe('-7');
    expect(convertValue(decimal, Long.fromString('9007199254740993'), 'p')).toBe('9007199254740993');
  });
  test('refuses NaN and Infinity', () => {
    expectReject(decimal, Number.NaN);
    expectReject(decimal, Infinity);
  });
});

describe('Int and BigInt', () => {
  test('Int takes Long, bigint and Int32 within the safe range', () => {
    expect(convertValue(col('Int'), Long.fromNumber(42), 'n')).toBe(42);
    expect(convertValue(col('Int'), -5n, 'n')).toBe(-5);
    expect(convertValue(col('Int'), new Int32(3), 'n')).toBe(3);
    expect(convertValue(col('Int'), new Double(3), 'n')).toBe(3);
  });
  test('Int refuses what would lose precision', () => {
    expectReject(col('Int'), Long.fromString('9007199254740993'));
    expectReject(col('Int'), 2n ** 53n);
    expectReject(col('Int'), 1.5);
    expectReject(col('Int'), '7');
  });
  test('BigInt takes a Long beyond 2^53 exactly', () => {
    expect(convertValue(col('BigInt'), Long.fromString('9007199254740993'), 'n')).toBe(9007199254740993n);
    expect(convertValue(col('BigInt'), Long.fromString('-9223372036854775808'), 'n')).toBe(-(2n ** 63n));
    expect(convertValue(col('BigInt'), 12, 'n')).toBe(12n);
  });
  test('BigInt refuses a double that is not a safe integer', () => {
    expectReject(col('BigInt'), 2 ** 60);
    expectReject(col('BigInt'), 2.5);
  });
});

test('Boolean refuses text and numbers', () => {
  expect(convertValue(col('Boolean'), false, 'b')).toBe(false);
  expectReject(col('Boolean'), 'true');
  expectReject(col('Boolean'), 1);
});

describe('DateTime', () => {
  const dt = col('DateTime');
  test('accepts a Date as it is, refuses an invalid one', () => {
    const d = new Date('2021-03-04T05:06:07.089Z');
    expect(convertValue(dt, d, 'at')).toBe(d);
    expectReject(dt, new Date(Number.NaN));
  });
  test('reads ISO text with Z or an offset as the right instant', () => {
    const instant = Date.UTC(2021, 2, 4, 5, 6, 7);
    expect((convertValue(dt, '2021-03-04T05:06:07Z', 'at') as Date).getTime()).toBe(instant);
    expect((convertValue(dt, '2021-03-04T07:06:07+02:00', 'at') as Date).getTime()).toBe(instant);
    expect((convertValue(dt, '2021-03-04T03:36:07-0130', 'at') as Date).getTime()).toBe(instant);
    expect((convertValue(dt, '2021-03-04 05:06:07.5Z', 'at') as Date).getTime()).toBe(instant + 500);
    expect(parseIsoDate('2021-03-04T05:06:07.123456789Z')?.getTime()).toBe(instant + 123);
  });
  test('refuses impossible components instead of rolling them over', () => {
    expectReject(dt, '2021-02-30T25:61:00Z');
    expect(parseIsoDate('2021-02-29')).toBeUndefined();
    expect(parseIsoDate('2021-04-31')).toBeUndefined();
    expect(parseIsoDate('2021-03-04T24:00:00Z')).toBeUndefined();
  });
  test('refuses a date-time without a zone', () => {
    const error = expectReject(dt, '2021-03-04T05:06:07');
    expect(error.message).toContain('malformed date');
  });
  test('accepts a date alone as midnight UTC, leap day included', () => {
    expect((convertValue(dt, '2020-02-29', 'at') as Date).getTime()).toBe(Date.UTC(2020, 1, 29));
  });
  test('refuses other text and numbers', () => {
    expectReject(dt, 'yesterday');
    expectReject(dt, 1_614_834_367_000);
  });
});

test('Json converts BSON values to plain JSON, deep inside', () => {
  const id = ObjectId.createFromHexString('65a1b2c3d4e5f60718293a4b');
  const value = {
    owner: id,
    nested: {
      at: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)),
      price: Decimal128.fromString('9.90'),
      big: Long.fromString('9007199254740993'),
      small: Long.fromNumber(12),
      ids: [id, 'x', 1.5, true, null],
    },
  };
  expect(convertValue(col('Json'), value, 'meta')).toEqual({
    owner: '65a1b2c3d4e5f60718293a4b',
    nested: {
      at: '2020-01-02T03:04:05.000Z',
      price: '9.90',
      big: '9007199254740993',
      small: 12,
      ids: ['65a1b2c3d4e5f60718293a4b', 'x', 1.5, true, null],
    },
  });
});

test('Json refuses a value with no JSON form, naming the field', () => {
  const error = expectReject(col('Json'), { a: [1, Number.NaN] }, 'AuditLog.meta');
  expect(error.message).toContain('$.a[1]');
});

describe('Bytes', () => {
  test('from a BSON Binary and from a Uint8Array', () => {
    const fromBinary = convertValue(col('Bytes'), new Binary(Buffer.from([1, 2, 3])), 'h');
    expect(Buffer.isBuffer(fromBinary)).toBe(true);
    expect([...(fromBinary as Buffer)]).toEqual([1, 2, 3]);
    expect([...(convertValue(col('Bytes'), new Uint8Array([9, 8]), 'h') as Buffer)]).toEqual([9, 8]);
    expectReject(col('Bytes'), 'AQID');
  });

  // A Binary filled with put()/write() has a 256-byte buffer of which only `position` bytes are data.
  test('from a Binary written incrementally, only its data bytes', () => {
    const binary = new Binary();
    binary.put(1);
    binary.put(2);
    expect([...(convertValue(col('Bytes'), binary, 'h') as Buffer)]).toEqual([1, 2]);
  });
});

describe('String', () => {
  test('refuses a number, takes an ObjectId as hex', () => {
    expectReject(col('String'), 5, 'User.name');
    expect(convertValue(col('String'), ObjectId.createFromHexString('65a1b2c3d4e5f60718293a4b'), 's')).toBe('65a1b2c3d4e5f60718293a4b');
  });
  test('an enum column refuses an ObjectId', () => {
    expectReject(col('String', { enumName: 'Role', enumValues: ['A'] }), new ObjectId());
  });
});

test('list columns convert each item and name the bad index', () => {
  const ints = col('Int', { isList: true });
  expect(convertValue(ints, [1, Long.fromNumber(2), 3n], 'xs')).toEqual([1, 2, 3]);
  expect(expectReject(ints, [1, 'two'], 'Thing.xs').message.startsWith('Thing.xs[1]')).toBe(true);
  expectReject(ints, 1, 'Thing.xs');
});
