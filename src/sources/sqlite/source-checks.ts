import type Database from 'better-sqlite3';
import { quoteSqlite, type SqliteTable } from './sqlite-schema.ts';

/**
 * How much of the file SQLite verifies before the first row is read:
 *  - `quick` (default): `PRAGMA quick_check`, every page, b-tree, record and NOT NULL/CHECK, in
 *    one pass over the file (0.8 s for 740 MB);
 *  - `full`: `PRAGMA integrity_check`, the same plus that every index holds exactly its table's
 *    rows, one index lookup per row and index (5× as long). An index that disagrees with its
 *    table cannot change what is copied: rows are read from the table, in rowid order;
 *  - `off`: nothing; a damaged page then stops the load when it is read, with SQLite's error.
 */
export type IntegrityCheck = 'quick' | 'full' | 'off';

/** SQLite's findings (at most five), or none: a file that passes. */
export function integrityProblems(db: Database.Database, mode: IntegrityCheck): { pragma: string; problems: string[] } | undefined {
  if (mode === 'off') return undefined;
  const pragma = mode === 'full' ? 'integrity_check' : 'quick_check';
  // The argument caps the findings: a badly damaged file would otherwise list thousands.
  const found = (db.prepare(`PRAGMA ${pragma}(5)`).pluck().all() as string[]).map(String);
  return found.length === 1 && found[0] === 'ok' ? undefined : { pragma, problems: found };
}

/**
 * Throws SQLite's own "foreign key mismatch" for a foreign key whose parent columns are not a
 * key: preparing the check is enough to find it (no row is read), and such a file was always
 * refused before anything ran.
 */
export function refuseForeignKeyMismatch(db: Database.Database, tables: readonly SqliteTable[]): void {
  for (const t of tables) if (t.foreignKeys.length > 0) db.prepare(`PRAGMA foreign_key_check(${quoteSqlite(t.name)})`);
}

/** Lines logged per child and parent table; the rest are counted. */
const SHOWN = 20;

/**
 * `PRAGMA foreign_key_check` on the named tables: one line per child row whose parent row is
 * missing (`posts rowid 7 → users: no such row`), twenty per child and parent, then a count.
 * Each table costs a parent-key lookup per child row, so it runs only where it says something
 * the target's own sweep does not (see session.ts, sourceReferenceCheck).
 */
export function foreignKeyProblems(db: Database.Database, tables: readonly string[]): string[] {
  const lines: string[] = [];
  for (const name of tables) {
    const counts = new Map<string, number>();
    for (const row of db.prepare(`PRAGMA foreign_key_check(${quoteSqlite(name)})`).iterate() as IterableIterator<{ table: string; rowid: unknown; parent: string }>) {
      const seen = (counts.get(row.parent) ?? 0) + 1;
      counts.set(row.parent, seen);
      if (seen <= SHOWN) lines.push(`${row.table} rowid ${String(row.rowid)} → ${row.parent}: no such row`);
    }
    for (const [parent, n] of counts) if (n > SHOWN) lines.push(`${name}: ${n - SHOWN} more row(s) → ${parent}: no such row`);
  }
  return lines;
}
