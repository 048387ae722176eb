import type pg from 'pg';
import { ID_MAP_INDEXES } from '../target/state-schema.ts';
import { targetLockKey, type BuildTask } from './build-queue.ts';

/** The plain indexes of the schema and the id map's, as build tasks (`IF NOT EXISTS`: a repeated STEP 4 skips the built ones). */
export function indexTasks(indexes: readonly string[], sizes: ReadonlyMap<string, number>): BuildTask[] {
  const idMap = ID_MAP_INDEXES.map((sql) => ({ sql, table: 'state:id_map', size: sizes.get('_migration.id_map') ?? 0 }));
  const own = indexes.map((sql) => {
    const table = / ON (?:"[^"]+"\.)?"((?:[^"]|"")+)"/.exec(sql)?.[1]?.replace(/""/g, '"');
    if (table === undefined) throw new Error(`cannot read the table of: ${sql}`);
    return { sql: sql.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '), table: targetLockKey(table), size: sizes.get(table) ?? 0 };
  });
  return [...idMap, ...own].map(({ sql, table, size }) => ({
    label: `index ${/INDEX (?:IF NOT EXISTS )?(\S+)/.exec(sql)?.[1]?.replace(/^"|"$/g, '') ?? sql}`,
    sql,
    locks: [{ table, mode: 'SHARE' as const }],
    weight: size,
  }));
}

/** Bytes of every table of the target schema (by name) and of the id map (`_migration.id_map`). */
export async function tableSizes(pool: pg.Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ name: string; bytes: string }>(
    `SELECT CASE WHEN n.nspname = '_migration' THEN '_migration.' || c.relname ELSE c.relname END AS name, pg_relation_size(c.oid)::text AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND (n.nspname = current_schema() OR (n.nspname = '_migration' AND c.relname = 'id_map'))`,
  );
  return new Map(rows.map((r) => [r.name, Number(r.bytes)]));
}
