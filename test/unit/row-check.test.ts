import { describe, expect, test } from '@jest/globals';
import { buildRowCheck, type Row } from '../../src/check/row-check.ts';
import type { ColumnSpec, ModelSpec, ScalarType } from '../../src/schema/model-graph.ts';

function col(field: string, type: ScalarType, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { field, column: field, type, isList: false, required: false, isId: false, ...extra };
}

const native = (name: string, ...args: string[]) => ({ native: { name, args } });

const id = col('id', 'String', { isId: true, required: true, ...native('Uuid') });
const model: ModelSpec = {
  name: 'Thing',
  table: 'things',
  id,
  key: [id],
  columns: [
    id,
    col('code', 'String', { required: true, ...native('VarChar', '5') }),
    col('note', 'String'),
    col('data', 'Json'),
    col('price', 'Decimal', { required: true, ...native('Decimal', '12', '2') }),
    col('rating', 'Int', native('SmallInt')),
    col('count', 'Int'),
    col('big', 'BigInt'),
    col('status', 'String', { enumName: 'Status', enumValues: ['OPEN', 'CLOSED'] }),
    col('ip', 'String', native('Inet')),
    col('born', 'DateTime', native('Date')),
    col('at', 'DateTime', native('Timestamptz', '3')),
  ],
  relations: [],
  junctions: [],
  uniques: [],
};

const check = buildRowCheck(model);

const valid: Row = {
  id: '0190f5c2-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
  code: 'AB-12',
  note: 'hello',
  data: { a: [1, 'x'] },
  price: '1234567890.99',
  rating: 5,
  count: 10,
  big: 10n,
  status: 'OPEN',
  ip: '10.0.0.1',
  born: new Date(Date.UTC(1990, 4, 17)),
  at: new Date(),
};

/** The problem reported for the valid row with `changes` applied. */
const problemWith = (changes: Row) => check.problem({ ...valid, ...changes });

function expectRefused(changes: Row, field: string): void {
  const problem = problemWith(changes);
  expect(problem).toBeDefined();
  expect(problem).toMatch(new RegExp(`(^|; )${field}(\\.\\d+)?: `));
}

test('the reference row passes', () => {
  expect(check.problem(valid)).toBeUndefined();
});

describe('VarChar length counts code points', () => {
  test('5 emoji (10 UTF-16 units) fit VarChar(5), 6 do not', () => {
    expect(problemWith({ code: '😀😀😀😀😀' })).toBeUndefined();
    expectRefused({ code: '😀😀😀😀😀😀' }, 'code');
    expectRefused({ code: 'abcdef' }, 'code');
  });
});

describe('NUL characters', () => {
  test('refused in text', () => {
    expectRefused({ note: 'a\u0000b' }, 'note');
  });
  test('refused anywhere inside Json, keys included', () => {
    expectRefused({ data: { a: [{ b: 'x\u0000' }] } }, 'data');
    expectRefused({ data: { ['k\u0000']: 1 } }, 'data');
    expect(problemWith({ data: 'no nul here' })).toBeUndefined();
  });
});

describe('Decimal(12, 2)', () => {
  test('refuses a third decimal place, but not trailing zeros', () => {
    expectRefused({ price: '1.234' }, 'price');
    expect(problemWith({ price: '1.230' })).toBeUndefined();
  });
  test('allows 10 integer digits, refuses 11', () => {
    expect(problemWith({ price: '-9999999999.99' })).toBeUndefined();
    expectRefused({ price: '12345678901' }, 'price');
    expectRefused({ price: '12345678901.00' }, 'price');
  });
  test('wants plain decimal text', () => {
    expectRefused({ price: '1e3' }, 'price');
    expectRefused({ price: 12.5 }, 'price');
  });
});

test('SmallInt and Int ranges', () => {
  expect(problemWith({ rating: 32767 })).toBeUndefined();
  expect(problemWith({ rating: -32768 })).toBeUndefined();
  expectRefused({ rating: 32768 }, 'rating');
  expectRefused({ rating: -32769 }, 'rating');
  expectRefused({ rating: 1.5 }, 'rating');
  expect(problemWith({ count: 2147483647 })).toBeUndefined();
  expectRefused({ count: 2147483648 }, 'count');
  expectRefused({ count: -2147483649 }, 'count');
});

test('BigInt range', () => {
  expect(problemWith({ big: 2n ** 63n - 1n })).toBeUndefined();
  expect(problemWith({ big: -(2n ** 63n) })).toBeUndefined();
  expectRefused({ big: 2n ** 63n }, 'big');
  expectRefused({ big: 5 }, 'big');
});

test('enum values', () => {
  expect(problemWith({ status: 'CLOSED' })).toBeUndefined();
  expectRefused({ status: 'closed' }, 'status');
});

test('Uuid native type', () => {
  expect(problemWith({ id: '0190F5C2-1A2B-7C3D-8E4F-5A6B7C8D9E0F' })).toBeUndefined();
  expectRefused({ id: '0190f5c2-1a2b-7c3d-8e4f-5a6b7c8d9e0' }, 'id');
  expectRefused({ id: '65a1b2c3d4e5f60718293a4b' }, 'id');
});

test('Inet', () => {
  for (const ip of ['192.168.0.1', '10.0.0.0/8', '::1', '2001:db8::/32']) expect(problemWith({ ip })).toBeUndefined();
  for (const ip of ['10.0.0.0/33', '2001:db8::/129', '999.1.1.1', 'localhost', '10.0.0.1/x']) expectRefused({ ip }, 'ip');
});

describe('DateTime', () => {
  test('@db.Date refuses a time of day, before and after 1970', () => {
    expect(problemWith({ born: new Date(Date.UTC(1969, 11, 31)) })).toBeUndefined();
    expectRefused({ born: new Date(Date.UTC(2020, 1, 29, 12)) }, 'born');
    expectRefused({ born: new Date(Date.UTC(1960, 0, 1, 0, 0, 1)) }, 'born');
  });
  test('refuses invalid dates and dates before PostgreSQL`s range', () => {
    expectRefused({ at: new Date(Number.NaN) }, 'at');
    expectRefused({ at: new Date(Date.UTC(-5000, 0, 1)) }, 'at');
    expectRefused({ at: '2021-01-01T00:00:00Z' }, 'at');
  });
});

describe('required and optional columns', () => {
  test('null or missing is accepted only when optional', () => {
    expect(problemWith({ note: null, data: null, rating: null, born: undefined })).toBeUndefined();
    expectRefused({ code: null }, 'code');
    const { price: _price, ...withoutPrice } = valid;
    expect(check.problem(withoutPrice)).toMatch(/^price: /);
  });
  test('every bad field is named', () => {
    const problem = problemWith({ code: null, rating: 40000, status: 'X' });
    expect(problem?.split('; ').map((p) => p.split(':')[0]).sort()).toEqual(['code', 'rating', 'status']);
  });
});

describe('the fast path says what zod says', () => {
  // Every column kind against values that fit and values that do not: a fast "fits" where zod
  // refuses would let a bad row through to the database, so both checks must agree on each.
  const columns: ColumnSpec[] = [
    ...model.columns,
    col('real', 'Float', native('Real')),
    col('dbl', 'Float', { required: true }),
    col('flag', 'Boolean', { required: true }),
    col('bytes', 'Bytes'),
    col('tags', 'String', { isList: true, required: true }),
    col('free', 'Decimal'),
    col('char', 'String', native('Char', '2')),
  ];
  const values: unknown[] = [
    null, undefined, '', 'x', 'AB-12', 'ABCDEF', '😀😀', '😀😀😀', 'a\u0000b', '0190f5c2-1a2b-7c3d-8e4f-5a6b7c8d9e0f', 'not-a-uuid',
    '10.0.0.1', '10.0.0.1/33', '::1/128', 'OPEN', 'open', '12.34', '12.345', '12.340', '-0.5', '1e3', '1234567890123.4', '.5',
    0, -0, 1, 1.5, -32768, 32767, 32768, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, NaN, Infinity, 0.1, 0.5,
    0n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), true, false,
    new Date(0), new Date(86_400_000), new Date(1234), new Date(NaN), new Date(Date.UTC(-4712, 0, 1) - 1),
    {}, { a: 1 }, { 'k\u0000': 1 }, ['a', 'b'], ['a', null], ['a', 1], [], Buffer.from('hi'), new Uint8Array([1]),
  ];
  const slow = buildRowCheck({ ...model, columns }, { fastPath: false });
  const fast = buildRowCheck({ ...model, columns });
  const base: Row = { ...valid, dbl: 1, flag: true, tags: [] };
  test.each(columns.map((c) => [c.field, c] as const))('%s', (_, column) => {
    const disagreements = values.flatMap((value, i) => {
      const row = { ...base, [column.field]: value };
      return fast.problem(row) === slow.problem(row) ? [] : [`value #${i} (${String(value)})`];
    });
    expect(disagreements).toEqual([]);
    // The battery reaches both verdicts for each column, so the comparison cannot pass vacuously.
    const verdicts = new Set(values.map((value) => slow.problem({ ...base, [column.field]: value }) === undefined));
    expect(verdicts).toEqual(new Set([true, false]));
  });
});
