import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '../../src/config/load-config.ts';
import { selectSqliteTables } from '../../src/sources/sqlite/select-tables.ts';
import type { SqliteColumn, SqliteTable } from '../../src/sources/sqlite/sqlite-schema.ts';
import { chooseTableKey, rowidName } from '../../src/sources/sqlite/table-key.ts';

const col = (name: string, notNull = false, pk = 0): SqliteColumn => ({ name, declared: 'TEXT', notNull, defaultSql: null, pk });
const table = (name: string, columns: SqliteColumn[] = [col('id', true, 1)]): SqliteTable => ({
  name,
  columns,
  primaryKey: columns.filter((c) => c.pk > 0).map((c) => c.name),
  rowidAlias: undefined,
  autoincrement: false,
  withoutRowid: false,
  foreignKeys: [],
  indexes: [],
  checks: [],
  key: { kind: 'declared' },
  rowid: 'rowid',
});

describe('chooseTableKey', () => {
  test('a declared primary key is the key', () => {
    expect(chooseTableKey([col('id', true, 1)], ['id'], [])).toEqual({ kind: 'declared' });
  });

  test('no primary key: the first unique index over NOT NULL columns becomes it (Prisma implicit m:n tables)', () => {
    const columns = [col('A', true), col('B', true), col('note')];
    const indexes = [
      { name: 'by_note', unique: true, columns: ['note'] },
      { name: '_AB_unique', unique: true, columns: ['A', 'B'] },
      { name: 'B_index', unique: false, columns: ['B'] },
    ];
    expect(chooseTableKey(columns, [], indexes)).toEqual({ kind: 'unique', index: '_AB_unique', columns: ['A', 'B'] });
  });

  test('nothing unique: a sqlite_rowid column, renamed when the table already has one by that name (any case)', () => {
    expect(chooseTableKey([col('path'), col('hits')], [], [])).toEqual({ kind: 'rowid', column: 'sqlite_rowid' });
    expect(chooseTableKey([col('SQLITE_ROWID'), col('sqlite_rowid2')], [], [])).toEqual({ kind: 'rowid', column: 'sqlite_rowid3' });
  });

  test('the rowid is read by a name no column shadows', () => {
    expect(rowidName([col('x')])).toBe('rowid');
    expect(rowidName([col('RowId')])).toBe('_rowid_');
    expect(rowidName([col('rowid'), col('_rowid_'), col('oid')])).toBeUndefined();
  });
});

describe('selectSqliteTables', () => {
  const tables = [table('audit_log'), table('legacy_ledger'), table('accounts')];

  test('no selection selects everything (undefined)', () => {
    expect(selectSqliteTables(tables, undefined)).toBeUndefined();
    expect(selectSqliteTables(tables, [])).toBeUndefined();
  });

  test('by table name or by model name; the models are what the plan is given', () => {
    expect(selectSqliteTables(tables, ['audit_log', 'Accounts'])).toEqual({ tables: new Set(['audit_log', 'accounts']), models: ['AuditLog', 'Accounts'] });
  });

  test('a name matching no table is a ConfigError naming it and the tables there are', () => {
    expect(() => selectSqliteTables(tables, ['nope'])).toThrow(ConfigError);
    expect(() => selectSqliteTables(tables, ['nope'])).toThrow('--models names nope, which is not a table of the SQLite file (tables: audit_log, legacy_ledger, accounts)');
  });
});
