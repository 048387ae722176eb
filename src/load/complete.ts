import type pg from 'pg';
import { parseSourceId, sourceIdKey, type SourceId } from '../ids/source-id.ts';
import { objectIdFromUuidV7 } from '../ids/uuid.ts';
import type { Logger } from '../log/logger.ts';
import { ownerColumnOf, type ModelPlan } from '../plan/plan.ts';
import type { ForeignKeyDdl, SchemaDdl } from '../schema/ddl.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import { keyIn } from '../schema/pg-types.ts';
import type { Source } from '../sources/source.ts';
import type { SourceDoc } from '../transform/types.ts';
import { pgTx } from '../target/copy-writer.ts';
import { identityJoin, ownerSourceSql } from '../target/id-identity.ts';
import { quoteIdent } from '../target/identifiers.ts';
import { holdBackForeignKeys } from '../target/prepare-schema.ts';
import { ID_MAP_INDEXES } from '../target/state-schema.ts';
import { withTransaction } from '../target/transaction.ts';
import { BuildQueue } from './build-queue.ts';
import { foreignKeyTasks } from './foreign-key-tasks.ts';
import { indexTasks, tableSizes } from './index-tasks.ts';
import { findOrphans, keptReferences, listReferences, recordKept, type Orphan, type Reference } from './orphans.ts';
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

/** How STEP 4 builds: statements at once, and the sort memory each may use. */
export interface BuildSettings {
  /** Index builds and foreign-key validations at once, each on its own connection. */
  connections: number;
  /** maintenance_work_mem per connection, at least (a server set higher keeps its own). */
  sortMemory: string;
}

/**
 * Measured on 2 cores (5M rows): 2 and 3 builds at once alike, 64MB to 1GB of sort memory alike for
 * the largest index; 256MB keeps a ten-times larger table from merging in many passes.
 */
export const DEFAULT_BUILD: BuildSettings = { connections: 2, sortMemory: '256MB' };

/**
 * After every model is loaded: build the plain indexes (and the id map's), and add the foreign
 * keys, over several connections; reject the documents whose references dangle (repeating,
 * since rejecting a post orphans its comments). Each step is idempotent, so a crash here
 * resumes here.
 *
 * A reference that a foreign key will check is not swept first: the key's validation is the
 * same anti-join, so on a clean target it would be read twice. Only the references no key
 * checks (id columns without a relation, kept ones) are swept before the keys. If a key then
 * finds a dangling reference, every key is lifted again (so deleting a referenced row can
 * neither fail nor cascade), everything is swept, and the keys are added once more: they can
 * no longer fail.
 */
export async function completeLoad(input: CompleteInput, build: BuildSettings = DEFAULT_BUILD): Promise<CompleteResult> {
  const started = performance.now();
  const sizes = await tableSizes(input.pool);
  const { rows: memory } = await input.pool.query<{ kb: string }>(
    `SELECT (greatest(pg_size_bytes(current_setting('maintenance_work_mem')), pg_size_bytes($1)) / 1024)::text AS kb`,
    [build.sortMemory],
  );
  const refs = listReferences(input.graph, input.plans, input.references);
  // A kept dangling id would make the foreign key fail: it is added NOT VALID (new rows are still checked).
  const notValid = new Set(keptReferences(refs).map((r) => `${r.table}\u0000${r.column}`));
  const keepNotValid = (fk: ForeignKeyDdl) => {
    const column = /FOREIGN KEY \("((?:[^"]|"")+)"\)/.exec(fk.sql)?.[1]?.replace(/""/g, '"');
    return column !== undefined && notValid.has(`${fk.table}\u0000${column}`);
  };
  const validated = new Set(input.ddl.foreignKeys.filter((fk) => !keepNotValid(fk)).map(foreignKeyOf));
  const unchecked = refs.filter((r) => !validated.has(`${r.table}\u0000${r.column}\u0000${r.targetTable}\u0000${r.targetColumn}`));
  const total = { rejected: 0, repaired: 0, kept: 0 };
  for (let everything = false; ; everything = true) {
    const builds = new BuildQueue(input.pool, {
      connections: build.connections,
      settings: { maintenance_work_mem: `${memory[0]?.kb ?? '65536'}kB` },
      onDone: (task, seconds) => input.logger.debug(`        built ${task.label} in ${seconds.toFixed(2)} s`),
    });
    // Indexes do not depend on the sweep: they start now, beside it. CREATE INDEX takes a SHARE
    // lock, which the sweep's reads pass and its deletes wait for, never the other way round.
    builds.add(indexTasks(input.ddl.indexes, sizes));
    try {
      const swept = await sweep(input, refs, everything ? refs : unchecked);
      total.rejected += swept.rejected;
      total.repaired += swept.repaired;
      total.kept = swept.kept;
      builds.add(await foreignKeyTasks(input.pool, input.ddl.foreignKeys, keepNotValid, sizes));
    } catch (error) {
      // A repeated STEP 4 must not meet this one's builds still running.
      await builds.drain().catch(() => {});
      throw error;
    }
    try {
      await builds.drain();
      break;
    } catch (error) {
      if (everything || (error as { code?: string }).code !== '23503') throw error;
      const constraint = (error as { constraint?: string }).constraint ?? 'a foreign key';
      input.logger.info(`        ${constraint} found a dangling reference: sweeping every reference, then adding the foreign keys again`);
      await holdBackForeignKeys(input.pool, input.ddl);
    }
  }
  input.logger.info(`        ${input.ddl.indexes.length + ID_MAP_INDEXES.length} indexes and ${input.ddl.foreignKeys.length} foreign keys in ${((performance.now() - started) / 1000).toFixed(1)} s (${build.connections} at once)`);
  await resetSequences(input.pool, input.graph, input.sequenceFloors ?? new Map());
  return total;
}

/** `table, column, parent table, parent column` of a one-column foreign key, as its reference would say them. */
function foreignKeyOf(fk: ForeignKeyDdl): string {
  const m = /FOREIGN KEY \("((?:[^"]|"")+)"\) REFERENCES (?:"[^"]+"\.)?"((?:[^"]|"")+)"\("((?:[^"]|"")+)"\)/.exec(fk.sql);
  const unquote = (name: string | undefined) => name?.replace(/""/g, '"');
  return m ? [fk.table, unquote(m[1]), unquote(m[2]), unquote(m[3])].join('\u0000') : '';
}

/**
 * The orphan sweep, from `first`: every reference checked by one anti-join per pass; a later pass
 * checks only the references into tables the previous pass deleted rows from, since only those
 * can have new orphans (and those with more orphans than one pass takes), and the sweep ends
 * after a pass that deleted nothing. Kept references are recorded afresh, all of them.
 */
async function sweep(input: CompleteInput, refs: readonly Reference[], first: readonly Reference[]): Promise<{ rejected: number; repaired: number; kept: number }> {
  let rejected = 0;
  let repaired = 0;
  let todo = first;
  for (let pass = 1; todo.length > 0; pass++) {
    const client = await input.pool.connect();
    let found: Awaited<ReturnType<typeof findOrphans>>;
    try {
      found = await findOrphans(client, todo, input.runId);
      repaired += found.repaired;
      if (found.repaired > 0) input.logger.info(`  pass ${pass}: ${found.repaired} dangling reference(s) set NULL or link(s) dropped (optional; see _migration.repairs)`);
    } finally {
      client.release();
    }
    const emptied = new Set(found.deletedFrom);
    if (found.orphans.length > 0) {
      input.logger.info(`  pass ${pass}: ${found.orphans.length} dangling reference(s); rejecting the documents that hold them`);
      const done = await rejectOwners(input, found.orphans);
      rejected += done.rejected;
      for (const t of done.deletedFrom) emptied.add(t);
    }
    todo = refs.filter((r) => emptied.has(r.targetTable) || found.unfinished.includes(r));
  }
  const client = await input.pool.connect();
  try {
    return { rejected, repaired, kept: await recordKept(client, refs, input.runId) };
  } finally {
    client.release();
  }
}

/** Rejects the documents holding these references, with every row made from them; says which tables lost rows. */
async function rejectOwners(input: CompleteInput, orphans: readonly Orphan[]): Promise<{ rejected: number; deletedFrom: string[] }> {
  const byModel = new Map<string, Map<string, Orphan>>();
  for (const o of orphans) {
    const owners = byModel.get(o.ownerModel) ?? new Map<string, Orphan>();
    if (!owners.has(o.ownerKey)) owners.set(o.ownerKey, o);
    byModel.set(o.ownerModel, owners);
  }
  let total = 0;
  const deletedFrom: string[] = [];
  for (const [modelName, owners] of byModel) {
    const plan = input.plans.find((p) => p.model === modelName);
    const model = input.graph.models.get(modelName);
    if (!plan || !model) throw new Error(`no plan for ${modelName}`);
    const keys = [...owners.keys()];
    // The owners' source ids, to fetch and reject their documents: from the id map, or a marked model's own keys.
    const owner = ownerSourceSql('m', 'k.key');
    const { rows: mapped } = await input.pool.query<{ target_key: string; source_id: string; source_kind: 'objectId' | 'int' | 'string' }>(
      `SELECT k.key AS target_key, ${owner.sourceId} AS source_id, ${owner.sourceKind} AS source_kind
         FROM unnest($2::text[]) AS k(key) LEFT JOIN _migration.id_map m ON m.model = $1 AND m.target_key = k.key ${identityJoin('$1')}
        WHERE m.source_id IS NOT NULL OR idm.model IS NOT NULL`,
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
      deletedFrom.push(model.table);
      for (const d of plan.derived) {
        const spec = input.graph.models.get(d.model);
        const column = spec?.columns.find((c) => c.field === d.ownerField)?.column;
        if (spec && column) await client.query(`DELETE FROM ${quoteIdent(spec.table)} WHERE ${quoteIdent(column)} = ANY($1::uuid[])`, [keys]);
        if (spec) deletedFrom.push(spec.table);
      }
      for (const fill of plan.junctions) {
        await client.query(`DELETE FROM ${quoteIdent(fill.junction.table)} WHERE ${quoteIdent(ownerColumnOf(fill))} = ANY($1::uuid[])`, [keys]);
        deletedFrom.push(fill.junction.table);
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
  return { rejected: total, deletedFrom };
}

/**
 * "Review.productId → Product 5f1d…: no such document in the source" (or "…: that document was
 * rejected", looked up in the error log unless the caller knows: a sync rejecting it right now).
 */
export async function describeDangling(pool: Pick<pg.Pool, 'query'>, orphan: Pick<Orphan, 'field' | 'targetModel' | 'targetKey'> | undefined, rejectedNow = false): Promise<string> {
  if (!orphan) return 'dangling reference';
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orphan.targetKey);
  const oid = isUuid ? objectIdFromUuidV7(orphan.targetKey)?.toHexString() : orphan.targetKey;
  const name = oid ?? `uuid ${orphan.targetKey}`;
  let why = 'no such document in the source';
  if (rejectedNow) why = 'that document was rejected';
  else if (oid) {
    const { rowCount } = await pool.query(`SELECT 1 FROM _migration.rejected WHERE model = $1 AND source_id = $2 AND resolved_at IS NULL`, [orphan.targetModel, oid]);
    if (rowCount) why = 'that document was rejected';
  }
  return `dangling reference: ${orphan.field} → ${orphan.targetModel} ${name}: ${why}`;
}

/**
 * Kept keys were copied as they were, so identity and serial sequences have not moved: set
 * each one past the highest id, or the application's next insert would collide.
 */
export async function resetSequences(pool: pg.Pool, graph: ModelGraph, floors: ReadonlyMap<string, bigint>): Promise<void> {
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
