import { ConfigError } from '../../config/load-config.ts';
import { sqliteModelNames } from './prisma-from-sqlite.ts';
import type { SqliteTable } from './sqlite-schema.ts';

/**
 * The tables a direct copy loads when `--models` / `only:` names some, decided from names
 * alone before any schema is generated, so a table left out cannot stop the run. A name may
 * be the SQLite table's or the model's the copy makes of it (`audit_log` or `AuditLog`).
 */
export function selectSqliteTables(tables: readonly SqliteTable[], only: readonly string[] | undefined): { tables: ReadonlySet<string>; models: string[] } | undefined {
  if (!only || only.length === 0) return undefined;
  const modelOf = sqliteModelNames(tables);
  const picked = new Set<string>();
  const unknown: string[] = [];
  for (const name of only) {
    const table = tables.find((t) => t.name === name || modelOf.get(t.name) === name);
    if (table) picked.add(table.name);
    else unknown.push(name);
  }
  if (unknown.length > 0) {
    throw new ConfigError(`--models names ${unknown.join(', ')}, which ${unknown.length > 1 ? 'are' : 'is'} not a table of the SQLite file (tables: ${tables.map((t) => t.name).join(', ')})`);
  }
  return { tables: picked, models: [...picked].map((t) => modelOf.get(t) ?? t) };
}
