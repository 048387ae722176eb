import type pg from 'pg';
import { parseSourceId, sourceIdKey, type SourceId } from '../ids/source-id.ts';
import { objectIdFromUuidV7 } from '../ids/uuid.ts';
import type { Logger } from '../log/logger.ts';
import { ownerColumnOf, type ModelPlan } from '../plan/plan.ts';
import type { SchemaDdl } from '../schema/ddl.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import { keyIn } from '../schema/pg-types.ts';
import type { Source } from '../sources/source.ts';
import type { SourceDoc } from '../transform/types.ts';
import { pgTx } from '../target/copy-writer.ts';
import { quoteIdent, storedIdentifier } from '../target/identifiers.ts';
import { ID_MAP_INDEXES } from '../target/state-schema.ts';
import { withTransaction } from '../target/transaction.ts';
import { findOrphans, keptReferences, listReferences, recordKept, type Orphan } from './orphans.ts';
import type { ReferencePolicies } from '../plan/references.ts';
import { writeRejected } from './record-batch.ts';

export interface CompleteInput {
  pool: pg.Pool;
  graph: ModelGraph;
  plans: readonly ModelPlan[];
  ddl: SchemaDdl;
  source: Source;
  runId: string;
  logger: Logger;
  /** Sequences that must start past a value the source had already handed out (SQLite AUTOINCREMENT). */
  sequenceFloors?: ReadonlyMap<string, bigint>;
  /** What each relation and id column does with a dangling reference (default: reject the document). */
  references?: ReferencePolicies;
}

export interface CompleteResult {
  rejected: number;
  /** References set NULL or links dropped instead of rejecting their document. */
  repaired: number;
  /** Dangling references kept by policy (id columns without a relation, `onMissing: keep`). */
  kept: number;
}

/**
 * After every model is loaded: reject the documents whose references dangle (repeating,
 * since rejecting a post orphans its comments), then build the plain indexes and add the
 * foreign keys, which can no longer fail. Each step is idempotent, so a crash here resumes here.
 */
export async function completeLoad(input: CompleteInput): Promise<CompleteResult> {
  for (const sql of ID_MAP_INDEXES) await input.pool.query(sql);
  const refs = listReferences(input.graph, input.plans, input.references);
  let rejected = 0;
  let repaired = 0;
  let kept: number;
  for (let pass = 1; ; pass++) {
    const client = await input.pool.connect();
    let orphans: Orphan[];
    try {
      const found = await findOrphans(client, refs, input.runId);
      orphans = found.orphans;
      repaired += found.repaired;
      if (found.repaired > 0) input.logger.info(`  pass ${pass}: ${found.repaired} dangling reference(s) set NULL or link(s) dropped (optional; see _migration.repairs)`);
    } finally {
      client.release();
    }
    if (orphans.length === 0) break;
    input.logger.info(`  pass ${pass}: ${orphans.length} dangling reference(s); rejecting the documents that hold them`);
    rejected += await rejectOwners(input, orphans);
  }
  const client = await input.pool.connect();
  try {
    kept = await recordKept(client, refs, input.runId);
  } finally {
    client.release();
  }
  // A kept dangling id would make the foreign key fail: it is added NOT VALID (new rows are still checked).
  const notValid = new Set(keptReferences(refs).map((r) => `${r.table}\u0000${r.column}`));
  for (const sql of input.ddl.indexes) {
    await input.pool.query(sql.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '));
  }
  // Only the target schema's foreign keys, by table and the name the server stored (63 bytes at most).
  const { rows } = await input.pool.query<{ t: string; conname: string }>(
    `SELECT r.relname AS t, c.conname FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE c.contype = 'f' AND n.nspname = current_schema()`,
  );
  const existing = new Set(rows.map((r) => `${r.t}\u0000${r.conname}`));
  for (const fk of input.ddl.foreignKeys) {
    if (existing.has(`${storedIdentifier(fk.table)}\u0000${storedIdentifier(fk.constraint)}`)) continue;
    const column = /FOREIGN KEY \("((?:[^"]|"")+)"\)/.exec(fk.sql)?.[1]?.replace(/""/g, '"');
    const keep = column !== undefined && notValid.has(`${fk.table}\u0000${column}`);
    await input.pool.query(keep ? `${fk.sql.replace(/;\s*$/, '')} NOT VALID` : fk.sql);
  }
  await resetSequences(input.pool, input.graph, input.sequenceFloors ?? new Map());
  return { rejected, repaired, kept };
}

async function rejectOwners(input: CompleteInput, orphans: readonly Orphan[]): Promise<number> {
  const byModel = new Map<string, Map<string, Orphan>>();
  for (const o of orphans) {
    const owners = byModel.get(o.ownerModel) ?? new Map<string, Orphan>();
    if (!owners.has(o.ownerKey)) owners.set(o.ownerKey, o);
    byModel.set(o.ownerModel, owners);
  }
  let total = 0;
  for (const [modelName, owners] of byModel) {
    const plan = input.plans.find((p) => p.model === modelName);
    const model = input.graph.models.get(modelName);
    if (!plan || !model) throw new Error(`no plan for ${modelName}`);
    const keys = [...owners.keys()];
    const { rows: mapped } = await input.pool.query<{ target_key: string; source_id: string; source_kind: 'objectId' | 'int' | 'string' }>(
      `SELECT target_key, source_id, source_kind FROM _migration.id_map WHERE model = $1 AND target_key = ANY($2::text[])`,
      [modelName, keys],
    );
    const sourceIds = mapped.map((m) => parseSourceId(m.source_id, m.source_kind));
    const docs = new Map<string, SourceDoc>();
    for (const doc of await input.source.fetch(plan.collection, sourceIds)) {
      const id = doc._id;
      if (id !== undefined) docs.set(sourceIdKey(id as SourceId), doc);
    }
    const reasons = await Promise.all(mapped.map(async (m) => describeDangling(input.pool, owners.get(m.target_key))));
    await withTransaction(input.pool, async (client) => {
      const tx = pgTx(client);
      await client.query(`DELETE FROM ${quoteIdent(model.table)} c WHERE ${keyIn(model, 'c', '$1')}`, [keys]);
      for (const d of plan.derived) {
        const spec = input.graph.models.get(d.model);
        const column = spec?.columns.find((c) => c.field === d.ownerField)?.column;
        if (spec && column) await client.query(`DELETE FROM ${quoteIdent(spec.table)} WHERE ${quoteIdent(column)} = ANY($1::uuid[])`, [keys]);
      }
      for (const fill of plan.junctions) {
        await client.query(`DELETE FROM ${quoteIdent(fill.junction.table)} WHERE ${quoteIdent(ownerColumnOf(fill))} = ANY($1::uuid[])`, [keys]);
      }
      await client.query(`DELETE FROM _migration.id_map WHERE model = $1 AND target_key = ANY($2::text[])`, [modelName, keys]);
      // A repair on a document that is now rejected describes a row that is gone.
      await client.query(`DELETE FROM _migration.repairs WHERE model = $1 AND owner_key = ANY($2::text[])`, [modelName, keys]);
      await writeRejected(
        tx,
        input.runId,
        modelName,
        mapped.map((m, i) => ({
          doc: docs.get(m.source_id) ?? { _id: m.source_id },
          sourceId: parseSourceId(m.source_id, m.source_kind),
          stage: 'link' as const,
          reason: reasons[i] ?? 'dangling reference',
        })),
      );
      await client.query(
        `UPDATE _migration.progress SET written = written - $3, rejected = rejected + $3, updated_at = now() WHERE run_id = $1 AND model = $2`,
        [input.runId, modelName, mapped.length],
      );
    });
    total += mapped.length;
  }
  return total;
}

/** "Review.productId → Product 5f1d…: no such document in the source" (or "…: that document was rejected"). */
async function describeDangling(pool: pg.Pool, orphan: Orphan | undefined): Promise<string> {
  if (!orphan) return 'dangling reference';
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orphan.targetKey);
  const oid = isUuid ? objectIdFromUuidV7(orphan.targetKey)?.toHexString() : orphan.targetKey;
  const name = oid ?? `uuid ${orphan.targetKey}`;
  let why = 'no such document in the source';
  if (oid) {
    const { rowCount } = await pool.query(`SELECT 1 FROM _migration.rejected WHERE model = $1 AND source_id = $2 AND resolved_at IS NULL`, [orphan.targetModel, oid]);
    if (rowCount) why = 'that document was rejected';
  }
  return `dangling reference: ${orphan.field} → ${orphan.targetModel} ${name}: ${why}`;
}

/**
 * Kept keys were copied as they were, so identity and serial sequences have not moved: set
 * each one past the highest id, or the application's next insert would collide.
 */
async function resetSequences(pool: pg.Pool, graph: ModelGraph, floors: ReadonlyMap<string, bigint>): Promise<void> {
  for (const model of graph.models.values()) {
    for (const column of model.columns) {
      const { rows } = await pool.query<{ seq: string | null }>(`SELECT pg_get_serial_sequence($1, $2) AS seq`, [quoteIdent(model.table), column.column]);
      const seq = rows[0]?.seq;
      if (!seq) continue;
      // AUTOINCREMENT never reuses an id, even a deleted one: start past what SQLite handed out.
      await pool.query(`SELECT setval($1, greatest(coalesce((SELECT max(${quoteIdent(column.column)}) FROM ${quoteIdent(model.table)}), 0), $2::bigint) + 1, false)`, [
        seq,
        (floors.get(model.table) ?? 0n).toString(),
      ]);
    }
  }
}
