import { describe, expect, test } from '@jest/globals';
import type { ColumnSpec } from '../../src/schema/model-graph.ts';
import { typeFor } from '../../src/sources/sqlite/cast-rules.ts';
import { createSqliteConverter, type Coercion } from '../../src/sources/sqlite/sqlite-convert.ts';
import { sourceKey } from '../../src/transform/default-transformer.ts';

const column = (type: ColumnSpec['type'], extra: Partial<ColumnSpec> = {}): ColumnSpec => ({ field: 'f', column: 'f', type, isList: false, required: false, isId: false, ...extra });

describe('type rules', () => {
  test('user rules come first, the first match wins, the affinity catch-all comes last', () => {
    expect(typeFor('t', 'c', 'MONEY').type).toBe('Decimal');
    expect(typeFor('t', 'c', 'MONEY', [{ name: 'money', declared: /^MONEY$/, type: () => 'Decimal(12,2)' }]).type).toBe('Decimal(12,2)');
    expect(typeFor('t', 'c', 'VARCHAR(20)', [{ name: 'wide', column: 't.*', type: () => 'String' }]).type).toBe('String');
    expect(typeFor('t', 'c', 'UNSIGNED BIG INT')).toEqual({ type: 'BigInt', rule: 'integer affinity' });
    expect(typeFor('t', 'c', 'FLOATING POINT')).toEqual({ type: 'BigInt', rule: 'integer affinity' }); // "POINT" holds INT: SQLite's own rule
    expect(typeFor('t', 'c', 'DOUBLE PRECISION').type).toBe('Float');
    expect(typeFor('t', 'c', '').rule).toBe('untyped');
  });
});

describe('value rules', () => {
  const coercions: Coercion[] = [];
  const origin = { collection: 'events', field: 'created' };
  const base = { timeZone: 'UTC', emptyStrings: 'null' as const, rules: [] as { column: string; as: 'epoch-ms' }[], onCoercion: (c: Coercion) => coercions.push(c) };

  test('a per-column rule wins over the built-in ones, and is logged', () => {
    const convert = createSqliteConverter({ ...base, rules: [{ column: 'events.created', as: 'epoch-ms' }] });
    // Built in, a small integer would be read as unix seconds; the rule says milliseconds.
    expect((convert(column('DateTime'), 1000n, 'created', origin) as Date).toISOString()).toBe('1970-01-01T00:00:01.000Z');
    expect(coercions.at(-1)?.rule).toBe('unix milliseconds as a time (rule)');
  });

  const convertUtc = createSqliteConverter(base);

  test('zone-less text is read in the configured zone, not the machine one', () => {
    const paris = createSqliteConverter({ ...base, timeZone: 'Europe/Paris' });
    expect((paris(column('DateTime'), '2021-07-01 12:00:00', 'at', origin) as Date).toISOString()).toBe('2021-07-01T10:00:00.000Z');
    expect((paris(column('DateTime'), '2021-01-01 12:00:00', 'at', origin) as Date).toISOString()).toBe('2021-01-01T11:00:00.000Z');
    // Year 1 ("no date" in .NET and Go) stays year 1: Paris was then on its local mean time, 9 min 21 s ahead of UTC.
    expect((paris(column('DateTime'), '0001-01-01 12:00:00', 'at', origin) as Date).toISOString()).toBe('0001-01-01T11:50:39.000Z');
    expect((convertUtc(column('DateTime'), '0001-01-01 00:00:00', 'at', origin) as Date).toISOString()).toBe('0001-01-01T00:00:00.000Z');
  });

  test('empty strings: NULL with a warning, or rejected by config or by NOT NULL', () => {
    expect(createSqliteConverter(base)(column('Int'), '', 'n', origin)).toBeNull();
    expect(() => createSqliteConverter({ ...base, emptyStrings: 'reject' })(column('Int'), '', 'n', origin)).toThrow(/empty string/);
    expect(() => createSqliteConverter(base)(column('Int', { required: true }), '', 'n', origin)).toThrow(/empty string/);
  });
});

describe('source field names', () => {
  const col = column('String', { field: 'email', column: 'email' });
  test('a configured rename first, then the exact name, then the name in another case', () => {
    expect(sourceKey(col, { email: 'a', mail_address: 'b' }, { email: 'mail_address' })).toBe('mail_address');
    expect(sourceKey(col, { email: 'a', Email: 'b' }, {})).toBe('email');
    expect(sourceKey(col, { EMAIL: 'a' }, {})).toBe('EMAIL');
  });
});
