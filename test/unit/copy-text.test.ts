import { describe, expect, test } from '@jest/globals';
import type { ColumnSpec, ScalarType } from '../../src/schema/model-graph.ts';
import { copyEncoder, copyField, escapeCopy, fieldText } from '../../src/target/copy-text.ts';

function col(type: ScalarType, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { field: 'f', column: 'f', type, isList: false, required: false, isId: false, ...extra };
}

describe('escapeCopy', () => {
  test('escapes backslash, newline, carriage return and tab, nothing else', () => {
    expect(escapeCopy(String.raw`a\b`)).toBe(String.raw`a\\b`);
    expect(escapeCopy('l1\nl2\r\tx')).toBe(String.raw`l1\nl2\r\tx`);
    expect(escapeCopy('plain "quoted" text, ünïcode 😀')).toBe('plain "quoted" text, ünïcode 😀');
  });
});

describe('copyField', () => {
  test('NULL is \\N, and the text \\N is not NULL', () => {
    expect(copyField(null)).toBe(String.raw`\N`);
    expect(copyField(undefined)).toBe(String.raw`\N`);
    expect(copyField(String.raw`\N`)).toBe(String.raw`\\N`);
    expect(copyField('')).toBe('');
  });

  test('scalars', () => {
    expect(copyField(true)).toBe('t');
    expect(copyField(false)).toBe('f');
    expect(copyField(1.5)).toBe('1.5');
    expect(copyField(-Infinity)).toBe('-Infinity');
    expect(copyField(2n ** 63n - 1n)).toBe('9223372036854775807');
  });

  test('dates: an instant in ISO form, a @db.Date column as its day', () => {
    const d = new Date(Date.UTC(2020, 1, 29, 5, 6, 7, 89));
    expect(copyField(d, col('DateTime'))).toBe('2020-02-29T05:06:07.089Z');
    expect(copyField(new Date(Date.UTC(2020, 1, 29)), col('DateTime', { native: { name: 'Date', args: [] } }))).toBe('2020-02-29');
  });

  test('bytes as bytea hex, its backslash escaped for COPY', () => {
    const bytes = Buffer.from([0xde, 0xad, 0x01]);
    expect(fieldText(bytes, col('Bytes'))).toBe(String.raw`\xdead01`);
    expect(copyField(bytes, col('Bytes'))).toBe(String.raw`\\xdead01`);
  });

  test('Json objects and arrays as JSON text, COPY-escaped', () => {
    const json = col('Json');
    expect(copyField({ a: 'x\ty', b: [1, null] }, json)).toBe(String.raw`{"a":"x\\ty","b":[1,null]}`);
    expect(copyField([1, 'two'], json)).toBe('[1,"two"]');
    expect(copyField(3, json)).toBe('3');
  });

  // convertValue gives a top-level string for a Json field holding a string, ObjectId or date,
  // and a boolean for a boolean; jsonb reads neither `hello` nor `t` (it needs "hello", true).
  test('Json scalars are JSON text', () => {
    const json = col('Json');
    expect(copyField('hello', json)).toBe('"hello"');
    expect(copyField(true, json)).toBe('true');
  });
});

describe('list columns as PostgreSQL array literals', () => {
  test('items quoted, quotes and backslashes escaped inside, then escaped again for COPY', () => {
    const strings = col('String', { isList: true });
    const value = ['a', 'say "hi"', String.raw`back\slash`, null, 'tab\there'];
    expect(fieldText(value, strings)).toBe(String.raw`{"a","say \"hi\"","back\\slash",NULL,"tab` + '\t' + 'here"}');
    expect(copyField(value, strings)).toBe(String.raw`{"a","say \\"hi\\"","back\\\\slash",NULL,"tab\there"}`);
  });

  test('items of other types use the scalar text', () => {
    expect(copyField([1, 2n, -3], col('Int', { isList: true }))).toBe('{"1","2","-3"}');
    expect(copyField([true, false], col('Boolean', { isList: true }))).toBe('{"t","f"}');
    expect(copyField([new Date(Date.UTC(2021, 0, 2))], col('DateTime', { isList: true, native: { name: 'Date', args: [] } }))).toBe('{"2021-01-02"}');
    expect(fieldText([Buffer.from([1])], col('Bytes', { isList: true }))).toBe(String.raw`{"\\x01"}`);
    expect(copyField([], col('String', { isList: true }))).toBe('{}');
  });
});

describe('real-app values (issue 9)', () => {
  test('a Json[] column is an array of JSON texts, not one JSON array', () => {
    expect(fieldText([{ a: 1 }, [2, 'x']], col('Json', { isList: true }))).toBe(String.raw`{"{\"a\":1}","[2,\"x\"]"}`);
  });
  test('-0.0 keeps its sign', () => {
    expect(fieldText(-0, col('Float'))).toBe('-0');
    expect(fieldText(0, col('Float'))).toBe('0');
  });
});

describe('copyEncoder', () => {
  // The per-column encoder the COPY writer uses must write exactly what copyField writes.
  const columns = [undefined, col('String'), col('Int'), col('Float'), col('BigInt'), col('Boolean'), col('DateTime'), col('DateTime', { native: { name: 'Date', args: [] } }), col('Json'), col('Bytes'), col('String', { isList: true }), col('Decimal')];
  const values: unknown[] = [null, undefined, '', 'a\tb\\c\nd\re', String.raw`\N`, 'plain', 0, -0, 1.5, NaN, Infinity, -Infinity, 2n ** 63n - 1n, true, false, new Date(Date.UTC(2020, 1, 29, 5, 6, 7, 89)), new Date(Date.UTC(2020, 1, 29)), Buffer.from([0xde, 0xad]), { a: 'x\ty' }, ['a', null], '12.50'];
  test.each(columns.map((c) => [c ? `${c.type}${c.isList ? '[]' : ''}${c.native ? ` @db.${c.native.name}` : ''}` : 'no column', c] as const))('%s', (_, column) => {
    const encode = copyEncoder(column);
    for (const value of values) expect([value, encode(value)]).toEqual([value, copyField(value, column)]);
  });
});
