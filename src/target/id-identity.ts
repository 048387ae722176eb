import type pg from 'pg';
import { quoteIdent } from './identifiers.ts';
import { withTransaction } from './transaction.ts';
import type { WriteTx } from './writer.ts';

/**
 * In a direct copy nearly every row's key is its source id as it was, so its id map row
 * (model, id, kind, id, no UUID) says nothing the table does not. Writing those rows was 40%
 * of PostgreSQL's work in a direct load (1M rows: 0.8 s of inserts and 1.4 s of index builds
 * out of 4.9 s). Instead the load marks the model in `_migration.id_identity`, in the
 * transaction that fills its table, and keeps in `_migration.id_map` only the rows whose key
 * is not their source id (a SQLite number in a text key).
 *
 * The id map still means what it meant: whatever reads it calls `fillIdMap` first (validate,
 * baseline, sync, retry, the id map export), which writes the marked models' rows out from
 * their tables and drops the marks, in one transaction; the readers that run within a
 * migration, the orphan sweep's repair log and its rejection of a dangling reference's owner,
 * read the mark instead (`ownerSourceSql`), so a few dangling references in a large file do
 * not write its whole id map. A migration nobody audits never pays for the rows.
 */
export interface IdentityMark {
  model: string;
  table: string;
  keyColumn: string;
  kind: 'int' | 'string';
}

/** Marks the model in the load's transaction: its rows not in the id map map to their own key. */
export async function markIdentity(tx: Pick<WriteTx, 'query'>, mark: IdentityMark): Promise<void> {
  await tx.query(
    `INSERT INTO _migration.id_identity (model, table_name, key_column, source_kind) VALUES ($1, $2, $3, $4)
     ON CONFLICT (model) DO UPDATE SET table_name = EXCLUDED.table_name, key_column = EXCLUDED.key_column, source_kind = EXCLUDED.source_kind`,
    [mark.model, mark.table, mark.keyColumn, mark.kind],
  );
}

/**
 * Writes out the id map rows of the marked models (all, or those named), from their tables,
 * and drops their marks: afterwards `_migration.id_map` holds every mapping. The mark is
 * deleted first, so two readers filling at once wait for each other and the second finds
 * nothing left to do. A target from before the marks (no `id_identity` table) has none.
 *
 * @returns the number of rows written.
 */
export async function fillIdMap(pool: pg.Pool, models?: readonly string[]): Promise<number> {
  const { rows: present } = await pool.query<{ t: string | null }>(`SELECT to_regclass('_migration.id_identity')::text AS t`);
  if (!present[0]?.t) return 0;
  const only = models ?? null;
  // Without a mark nothing is written: validate on a target whose id map is complete stays a reader.
  const { rows: any } = await pool.query(`SELECT 1 FROM _migration.id_identity WHERE $1::text[] IS NULL OR model = ANY($1) LIMIT 1`, [only]);
  if (any.length === 0) return 0;
  return withTransaction(pool, async (client) => {
    let written = 0;
    const { rows: marks } = await client.query<{ model: string; table_name: string; key_column: string; source_kind: string }>(
      `DELETE FROM _migration.id_identity WHERE $1::text[] IS NULL OR model = ANY($1) RETURNING model, table_name, key_column, source_kind`,
      [only],
    );
    for (const mark of marks) {
      const key = `t.${quoteIdent(mark.key_column)}::text`;
      // The rows the load wrote itself (keys that are not their source ids) are there already.
      const { rowCount } = await client.query(
        `INSERT INTO _migration.id_map (model, source_id, source_kind, target_key, uuid)
         SELECT $1, ${key}, $2, ${key}, NULL FROM ${quoteIdent(mark.table_name)} t
          WHERE NOT EXISTS (SELECT 1 FROM _migration.id_map m WHERE m.model = $1 AND m.target_key = ${key})`,
        [mark.model, mark.source_kind],
      );
      written += rowCount ?? 0;
    }
    return written;
  });
}

/**
 * The source id and kind of the row keyed `ownerKey` of the model `modelParam`, for a query
 * that has joined `_migration.id_map` as `mapAlias` (LEFT JOIN, on the key): from the id map,
 * else, for a marked model, the key itself. Joined with `identityJoin`.
 */
export function ownerSourceSql(mapAlias: string, ownerKey: string): { sourceId: string; sourceKind: string } {
  return {
    sourceId: `COALESCE(${mapAlias}.source_id, CASE WHEN idm.model IS NOT NULL THEN ${ownerKey} END)`,
    sourceKind: `COALESCE(${mapAlias}.source_kind, idm.source_kind)`,
  };
}

/** The join `ownerSourceSql` reads the mark through. */
export function identityJoin(modelParam: string): string {
  return `LEFT JOIN _migration.id_identity idm ON idm.model = ${modelParam}`;
}
