import type { SqliteColumn } from './sqlite-schema.ts';

/**
 * How the direct copy identifies the rows of a table, which PostgreSQL (and Prisma) need even
 * when SQLite does not: log, audit and history tables often declare no primary key.
 * - `declared`: the table's own PRIMARY KEY.
 * - `unique`: no primary key, but a unique index over NOT NULL columns (Prisma's own implicit
 *   many-to-many tables `_AToB` on SQLite): that index becomes the primary key, which is what
 *   Prisma itself creates for those tables on PostgreSQL; no column is added.
 * - `rowid`: nothing unique. The table gets one column, `sqlite_rowid`, holding each row's
 *   SQLite rowid: SQLite's own identity of the row, stable and unique, so repeated rows stay
 *   repeated, a resume continues after the last rowid committed, and validate compares row by row.
 *   PostgreSQL has no stable row identity to use instead (ctid moves on UPDATE and VACUUM FULL).
 *   It is an identity column, so the application's INSERTs that do not name it keep working.
 */
export type TableKey = { kind: 'declared' } | { kind: 'unique'; index: string; columns: string[] } | { kind: 'rowid'; column: string };

/** The column added to a table with nothing unique (a number suffix if the table has one by that name). */
export const ROWID_COLUMN = 'sqlite_rowid';

export function chooseTableKey(
  columns: readonly SqliteColumn[],
  primaryKey: readonly string[],
  indexes: readonly { name: string; unique: boolean; columns: string[] }[],
): TableKey {
  if (primaryKey.length > 0) return { kind: 'declared' };
  const required = new Set(columns.filter((c) => c.notNull).map((c) => c.name));
  const unique = indexes.find((i) => i.unique && i.columns.length > 0 && i.columns.every((c) => required.has(c)));
  if (unique) return { kind: 'unique', index: unique.name, columns: [...unique.columns] };
  const names = new Set(columns.map((c) => c.name.toLowerCase()));
  let column = ROWID_COLUMN;
  for (let i = 2; names.has(column); i++) column = `${ROWID_COLUMN}${i}`;
  return { kind: 'rowid', column };
}

/** The name that reaches a rowid table's rowid: `rowid`, unless a column took it (then `_rowid_`, then `oid`). */
export function rowidName(columns: readonly SqliteColumn[]): string | undefined {
  const names = new Set(columns.map((c) => c.name.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((n) => !names.has(n));
}
