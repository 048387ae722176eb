import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Reference } from '../load/orphans.ts';
import { ownerColumnOf, type ModelPlan } from '../plan/plan.ts';
import { getModel, type ModelGraph } from '../schema/model-graph.ts';
import { quoteIdent } from '../target/identifiers.ts';

/** The sync's own indexes are named so; dropped when it ends, and by the next sync if it was killed first. */
const PREFIX = '_migration_sync_';

/**
 * A sync finds rows by columns a schema often leaves without an index: a derived row's owner,
 * a junction's sides, a foreign key (Prisma does not index foreign keys on PostgreSQL). Each
 * batch would read such a table whole, so the sync indexes those columns first and drops its
 * indexes at the end: minutes of index builds instead of a table scan per batch.
 */
export async function addLookupIndexes(pool: pg.Pool, graph: ModelGraph, plans: readonly ModelPlan[], refs: readonly Reference[]): Promise<string[]> {
  const wanted = new Map<string, { table: string; column: string }>();
  const want = (table: string, column: string) => wanted.set(`${table}\u0000${column}`, { table, column });
  for (const plan of plans) {
    for (const d of plan.derived) {
      const spec = getModel(graph, d.model);
      const owner = spec.columns.find((c) => c.field === d.ownerField);
      if (owner) want(spec.table, owner.column);
    }
    for (const fill of plan.junctions) want(fill.junction.table, ownerColumnOf(fill));
  }
  for (const ref of refs) want(ref.table, ref.column);
  const made: string[] = [];
  for (const { table, column } of wanted.values()) {
    const { rows } = await pool.query<{ indexed: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                      WHERE i.indrelid = to_regclass($1) AND a.attname = $2) AS indexed`,
      [quoteIdent(table), column],
    );
    if (rows[0]?.indexed !== false) continue;
    const name = `${PREFIX}${createHash('sha1').update(`${table}\u0000${column}`).digest('hex').slice(0, 16)}`;
    await pool.query(`CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${quoteIdent(table)} (${quoteIdent(column)})`);
    made.push(name);
  }
  return made;
}

/** Every index a sync made, this one's and a killed one's: the schema is Prisma's again. */
export async function dropLookupIndexes(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND left(indexname, length($1)) = $1`, [PREFIX]);
  for (const { name } of rows) await pool.query(`DROP INDEX IF EXISTS ${quoteIdent(name)}`);
}
