import type pg from 'pg';
import { diffModel, type DiffEntry } from '../baseline/diff-model.ts';
import { parseSourceId, sourceIdKey, sourceIdKind, type SourceId } from '../ids/source-id.ts';
import type { Reference } from '../load/orphans.ts';
import type { PreparedDoc, Preparer, RejectedDoc } from '../load/prepare.ts';
import { ID_MAP_COLUMNS, idMapRow, serializeDocument, writeRejected } from '../load/record-batch.ts';
import { writeWithBisect } from '../load/write-batch.ts';
import type { Logger } from '../log/logger.ts';
import { maskSecrets } from '../log/mask.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { DeletedMark } from '../plan/deleted-mark.ts';
import { getModel, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
import { keyIn } from '../schema/pg-types.ts';
import type { Source } from '../sources/source.ts';
import type { SourceFields } from '../transform/context.ts';
import { quoteIdent, stateTable } from '../target/identifiers.ts';
import type { WriteTx, Writer } from '../target/writer.ts';
import { checkReferences, REPAIR_COLUMNS, type Fixup, type HeldBack } from './reference-check.ts';
import { replaceDocs } from './replace-rows.ts';
import type { OtherSideLists } from '../validate/other-side.ts';
import { DEFER, type SyncState } from './sync-state.ts';

export interface ApplyInput {
  /** Reads the difference; holds the session's `validate_source_ids`. */
  client: pg.PoolClient;
  pool: pg.Pool;
  writer: Writer;
  graph: ModelGraph;
  plan: ModelPlan;
  source: Source;
  preparer: Preparer;
  /** How the model's source fields are read (session.fieldsFor): --since reads its time from the raw document by them. */
  fields?: SourceFields;
  batchSize: number;
  since?: Date;
  /** Every reference of the schema, with its policy (listReferences). */
  refs: readonly Reference[];
  runId: string;
  sync: SyncState;
  otherSide: OtherSideLists;
  /** Config deletedMark: deleted documents keep their rows, marked. */
  mark?: DeletedMark;
  /** Models whose pass 1 is not done yet (this one included): a reference into them may still arrive. */
  pending: ReadonlySet<string>;
  /** Which keys of a model wait in the queue (held back). */
  heldBack: HeldBack;
  /** References between two held-back documents, set after all of them are in (sync.ts). */
  fixups: Fixup[];
  signal: AbortSignal;
  logger: Logger;
}

/** A document to write, and what it was to the target before. */
interface Work {
  doc: PreparedDoc;
  kind: 'new' | 'changed' | 'was-rejected' | 'retry';
}

/**
 * Pass 1 of a sync for one model: the difference (diffModel), applied batch by batch, each in
 * one transaction with its counts. New and changed documents are written (replaceDocs), their
 * references decided as the full load's sweep decides them (checkReferences); what must leave
 * the target (deleted from the source, or rejected now) is queued for pass 2, which removes it
 * children first. A resumed sync finds the batches it committed equal, and goes on.
 */
export async function applyModel(input: ApplyInput): Promise<void> {
  const { plan, sync } = input;
  const before = await sync.model(plan.model);
  if (before.applied) return;
  const read = { source: 0, unchanged: 0, skipped: 0 };
  for await (const batch of diffModel({ client: input.client, graph: input.graph, plan, source: input.source, preparer: input.preparer, ...(input.fields ? { fields: input.fields } : {}), batchSize: input.batchSize, otherSide: input.otherSide, ...(input.mark ? { mark: input.mark } : {}), ...(input.since ? { since: input.since } : {}) })) {
    input.signal.throwIfAborted();
    read.source += batch.records;
    read.unchanged += batch.unchanged;
    read.skipped += batch.skipped;
    const work: Work[] = [...batch.retryable.map((doc) => ({ doc, kind: 'retry' as const }))];
    const entries = [...batch.entries];
    for (const e of batch.entries) {
      if (e.kind === 'new' && e.doc) work.push({ doc: e.doc, kind: 'new' });
      else if (e.kind === 'was-rejected' && e.doc) work.push({ doc: e.doc, kind: 'was-rejected' });
      else if (e.kind === 'changed' && e.doc) {
        // Prepared again: the comparison gave its rows the repairs made before, which may no longer hold.
        const fresh = input.preparer.prepare(e.doc.doc);
        if (fresh.ok === true) work.push({ doc: fresh.value, kind: 'changed' });
        // Not the same answer twice (a transformer that is not deterministic): it leaves the target, named, never silently.
        else entries.push({ kind: 'now-rejects', sourceId: e.sourceId, targetKey: e.targetKey ?? e.doc.key, ...(fresh.ok === false ? { rejected: fresh.rejected, reason: fresh.rejected.reason } : { reason: 'skipped by the transformer on a second reading' }) });
      }
    }
    await applyBatch(input, work, entries, false, batch.skippedRejected.length === 0 ? undefined : async (tx) => {
      // A transformer fixed to skip it: the rejection is settled, as --retry-failed settles it.
      const settled = await tx.query(`UPDATE _migration.rejected SET resolved_at = now() WHERE model = $1 AND resolved_at IS NULL AND source_id = ANY($2::text[]) RETURNING 1 AS one`, [plan.model, batch.skippedRejected]);
      await sync.add(tx, plan.model, { resolved: settled.length });
    });
  }
  for (const docs of await repairedNoLonger(input)) {
    // Found equal by the comparison, written again here: counted as updated.
    read.unchanged -= docs.length;
    await applyBatch(input, docs.map((doc) => ({ doc, kind: 'changed' as const })), [], false);
  }
  // Documents this sync applied before a restart are found equal now: they are not "unchanged".
  await input.writer.transaction((tx) => sync.applied(tx, plan.model, { ...read, unchanged: Math.max(0, read.unchanged - before.counts.inserted - before.counts.updated) }));
}

/**
 * After every model's pass 1: the documents held back because a reference pointed into a model
 * not yet written (a reply to a comment later in the pass, a cycle, a junction both sides fill,
 * a parent config orders later). Now that everything is written, their references are decided
 * for good. They wait in `_migration.sync_removals` (stage `defer`), so a kill -9 keeps them.
 */
export async function applyDeferred(input: ApplyInput): Promise<void> {
  for (;;) {
    input.signal.throwIfAborted();
    const { rows } = await input.pool.query<{ target_key: string; source_id: string; source_kind: 'objectId' | 'int' | 'string'; reason: Work['kind'] }>(
      `SELECT target_key, source_id, source_kind, reason FROM _migration.sync_removals WHERE sync_id = $1 AND model = $2 AND stage = '${DEFER}' ORDER BY target_key LIMIT $3`,
      [input.sync.syncId, input.plan.model, input.batchSize],
    );
    if (rows.length === 0) return;
    const kinds = new Map(rows.map((r) => [r.source_id, r]));
    const work: Work[] = [];
    const entries: DiffEntry[] = [];
    const found = await input.source.fetch(input.plan.collection, rows.map((r) => parseSourceId(r.source_id, r.source_kind)));
    for (const doc of found) {
      const prepared = input.preparer.prepare(doc);
      const key = sourceIdKey(doc._id as SourceId);
      const row = kinds.get(key);
      if (!row) continue;
      if (prepared.ok === true) work.push({ doc: prepared.value, kind: row.reason });
      else if (prepared.ok === false) entries.push({ kind: 'now-rejects', sourceId: key, ...(row.reason === 'changed' ? { targetKey: row.target_key } : {}), rejected: prepared.rejected, reason: prepared.rejected.reason });
    }
    // Gone from the source since it was held back: a mapped one is deleted, a new one was never written.
    const present = new Set(found.map((d) => sourceIdKey(d._id as SourceId)));
    for (const r of rows) if (!present.has(r.source_id) && r.reason === 'changed') entries.push({ kind: 'deleted', sourceId: r.source_id, targetKey: r.target_key, sourceKind: r.source_kind });
    await applyBatch(input, work, entries, true, async (tx) => {
      await tx.query(`DELETE FROM _migration.sync_removals WHERE sync_id = $1 AND model = $2 AND stage = '${DEFER}' AND target_key = ANY($3::text[])`, [input.sync.syncId, input.plan.model, rows.map((r) => r.target_key)]);
    });
  }
}

/**
 * After pass 2: the documents this sync saw the database refuse (a unique value still held by
 * a row pass 2 has removed since: a user deleted and a new one with the same email; two
 * changed documents swapping a value across batches) are written once more. Refused again,
 * their entry stays open with today's reason, as a full load would have it.
 */
export async function retryRefused(input: ApplyInput): Promise<void> {
  const { rows } = await input.pool.query<{ source_id: string; source_kind: 'objectId' | 'int' | 'string' }>(
    `SELECT DISTINCT source_id, source_kind FROM _migration.rejected
      WHERE model = $1 AND resolved_at IS NULL AND stage = 'load' AND source_id IS NOT NULL
        AND rejected_at >= (SELECT started_at FROM _migration.syncs WHERE sync_id = $2)`,
    [input.plan.model, input.sync.syncId],
  );
  for (let i = 0; i < rows.length; i += input.batchSize) {
    const ids = rows.slice(i, i + input.batchSize).map((r) => parseSourceId(r.source_id, r.source_kind));
    const work = (await input.source.fetch(input.plan.collection, ids)).flatMap((doc) => {
      const prepared = input.preparer.prepare(doc);
      return prepared.ok === true ? [{ doc: prepared.value, kind: 'retry' as const }] : [];
    });
    if (work.length > 0) await applyBatch(input, work, [], true);
  }
}

/**
 * Documents loaded with a reference set NULL or a link dropped because what it pointed at was
 * missing, where that document has arrived since (a live source written during the copy, a
 * parent fixed and retried): a fresh migration would keep the reference, so they are written
 * again. The comparison cannot see them: it applies the repair to what the source says.
 */
async function repairedNoLonger(input: ApplyInput): Promise<PreparedDoc[][]> {
  const { rows: targets } = await input.pool.query<{ target_model: string }>(
    `SELECT DISTINCT target_model FROM _migration.repairs WHERE model = $1 AND action IN ('nulled', 'dropped')`,
    [input.plan.model],
  );
  const owners = new Map<string, { source_id: string; source_kind: 'objectId' | 'int' | 'string' }>();
  for (const { target_model } of targets) {
    const target = input.graph.models.get(target_model);
    if (!target || target.key.length !== 1) continue;
    const { rows } = await input.pool.query<{ source_id: string; source_kind: 'objectId' | 'int' | 'string' }>(
      `SELECT DISTINCT r.source_id, r.source_kind FROM _migration.repairs r
        WHERE r.model = $1 AND r.target_model = $2 AND r.action IN ('nulled', 'dropped') AND r.source_id IS NOT NULL
          AND EXISTS (SELECT 1 FROM ${quoteIdent(target.table)} t WHERE t.${quoteIdent(target.id.column)}::text = r.missing_id)`,
      [input.plan.model, target_model],
    );
    for (const r of rows) owners.set(r.source_id, r);
  }
  const out: PreparedDoc[][] = [];
  const all = [...owners.values()];
  for (let i = 0; i < all.length; i += input.batchSize) {
    const ids = all.slice(i, i + input.batchSize).map((r) => parseSourceId(r.source_id, r.source_kind));
    const docs = (await input.source.fetch(input.plan.collection, ids)).flatMap((d) => {
      const prepared = input.preparer.prepare(d);
      return prepared.ok === true ? [prepared.value] : [];
    });
    if (docs.length > 0) out.push(docs);
  }
  return out;
}

async function applyBatch(input: ApplyInput, work: readonly Work[], entries: readonly DiffEntry[], final: boolean, alsoInTx?: (tx: WriteTx) => Promise<void>): Promise<void> {
  const { plan, graph, sync } = input;
  const started = performance.now();
  const kindOf = new Map(work.map((w) => [w.doc.key, w.kind]));
  const checked = await checkReferences(input.pool, graph, plan, input.refs, work.map((w) => w.doc), input.runId, final ? new Set() : input.pending, input.heldBack, final);
  await input.writer.transaction(async (tx) => {
    await alsoInTx?.(tx);
    await queueDeferred(tx, sync.syncId, plan.model, checked.deferred.map((doc) => ({ doc, kind: kindOf.get(doc.key) ?? 'new' })));
    const written = await writeWithBisect(tx, graph, plan, checked.accepted, replaceDocs(input.otherSide));
    const landed = new Set(written.written.map((d) => d.key));
    input.fixups.push(...checked.fixups.filter((f) => landed.has(f.owner)));
    await tx.writeRaw(stateTable('repairs'), REPAIR_COLUMNS, checked.repairs.filter((r) => landed.has(r[4])));
    const added = written.written.filter((d) => kindOf.get(d.key) !== 'changed');
    await tx.writeRaw(stateTable('id_map'), ID_MAP_COLUMNS, added.map((d) => idMapRow(plan.model, d)));
    const resolved = written.written.filter((d) => kindOf.get(d.key) === 'was-rejected' || kindOf.get(d.key) === 'retry').map((d) => sourceIdKey(d.sourceId));
    await tx.query(`UPDATE _migration.rejected SET resolved_at = now() WHERE model = $1 AND resolved_at IS NULL AND source_id = ANY($2::text[])`, [plan.model, resolved]);

    const refused = [...checked.rejected, ...written.rejected];
    const keyOfRefused = new Map(work.map((w) => [sourceIdKey(w.doc.sourceId), w.doc.key]));
    const kindOfRefused = (r: RejectedDoc) => (r.sourceId === undefined ? 'new' : kindOf.get(keyOfRefused.get(sourceIdKey(r.sourceId)) ?? '')) ?? 'new';
    // A changed document refused now leaves the target in pass 2 (what references it is decided there).
    const removals: Removal[] = refused.filter((r) => kindOfRefused(r) === 'changed').map((r) => removalOf(keyOfRefused.get(sourceIdKey(r.sourceId ?? '')) ?? '', r));
    await writeRejected(tx, input.runId, plan.model, refused.filter((r) => kindOfRefused(r) === 'new'));
    await reopen(tx, plan.model, refused.filter((r) => kindOfRefused(r) === 'was-rejected' || kindOfRefused(r) === 'retry'));

    let rejectedNow = refused.filter((r) => kindOfRefused(r) === 'new').length;
    const toMark: string[] = [];
    for (const e of entries) {
      if (e.kind === 'deleted' && e.targetKey && input.mark) toMark.push(e.targetKey);
      else if (e.kind === 'deleted' && e.targetKey) removals.push({ targetKey: e.targetKey, sourceId: e.sourceId, sourceKind: e.sourceKind ?? 'string' });
      if (e.kind !== 'now-rejects') continue;
      const rejection: RejectedDoc = e.rejected ?? { doc: { _id: e.sourceId }, sourceId: e.sourceId, stage: 'transform', reason: e.reason ?? 'rejected' };
      if (e.targetKey) removals.push(removalOf(e.targetKey, rejection));
      else {
        await writeRejected(tx, input.runId, plan.model, [rejection]);
        rejectedNow++;
      }
    }
    await queueRemovals(tx, sync.syncId, plan.model, removals);
    const marked = input.mark ? await markDeleted(tx, getModel(graph, plan.model), input.mark, toMark) : 0;
    const updated = written.written.filter((d) => kindOf.get(d.key) === 'changed').length;
    await sync.add(tx, plan.model, { inserted: added.length, updated, marked, rejected: rejectedNow, resolved: resolved.length, batches: 1, seconds: (performance.now() - started) / 1000 });
  });
}

/** Keeps the rows of documents gone from the source, marked; those marked already stay as they are. */
async function markDeleted(tx: WriteTx, model: ModelSpec, mark: DeletedMark, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = await tx.query(
    `UPDATE ${quoteIdent(model.table)} t SET ${quoteIdent(mark.column.column)} = ${mark.setTo} WHERE ${keyIn(model, 't', '$1')} AND NOT (${mark.isMarked('t')}) RETURNING 1 AS one`,
    [keys],
  );
  return rows.length;
}

interface Removal {
  targetKey: string;
  sourceId: string;
  sourceKind: 'objectId' | 'int' | 'string';
  stage?: string;
  reason?: string;
  document?: string;
}

function removalOf(targetKey: string, r: RejectedDoc): Removal {
  const id = r.sourceId ?? '';
  return { targetKey, sourceId: sourceIdKey(id), sourceKind: sourceIdKind(id), stage: r.stage, reason: maskSecrets(r.reason), document: serializeDocument(r.doc) };
}

/** Held back until every model's pass 1 is done; idempotent, as queueRemovals. */
async function queueDeferred(tx: WriteTx, syncId: string, model: string, deferred: readonly Work[]): Promise<void> {
  if (deferred.length === 0) return;
  await tx.query(
    `INSERT INTO _migration.sync_removals (sync_id, model, target_key, source_id, source_kind, stage, reason)
     SELECT $1, $2, k, i, ki, '${DEFER}', r FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS d(k, i, ki, r) ON CONFLICT DO NOTHING`,
    [syncId, model, deferred.map((w) => w.doc.key), deferred.map((w) => sourceIdKey(w.doc.sourceId)), deferred.map((w) => sourceIdKind(w.doc.sourceId)), deferred.map((w) => w.kind)],
  );
}

/** Idempotent: a model read again after a restart queues the same rows once. */
async function queueRemovals(tx: WriteTx, syncId: string, model: string, removals: readonly Removal[]): Promise<void> {
  if (removals.length === 0) return;
  await tx.query(
    `INSERT INTO _migration.sync_removals (sync_id, model, target_key, source_id, source_kind, stage, reason, document)
     SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) ON CONFLICT DO NOTHING`,
    [syncId, model, ...(['targetKey', 'sourceId', 'sourceKind', 'stage', 'reason', 'document'] as const).map((k) => removals.map((r) => r[k] ?? null))],
  );
}

/** Refused again: the open entry keeps its place in the error log, with today's reason and document (as --retry-failed does). */
async function reopen(tx: WriteTx, model: string, refused: readonly RejectedDoc[]): Promise<void> {
  for (const r of refused) {
    await tx.query(`UPDATE _migration.rejected SET stage = $3, reason = $4, document = $5, rejected_at = now() WHERE model = $1 AND source_id = $2 AND resolved_at IS NULL`, [
      model,
      r.sourceId === undefined ? null : sourceIdKey(r.sourceId),
      r.stage,
      maskSecrets(r.reason),
      serializeDocument(r.doc),
    ]);
  }
}
