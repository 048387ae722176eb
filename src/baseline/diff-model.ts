import type pg from 'pg';
import type { PreparedDoc, Preparer, RejectedDoc } from '../load/prepare.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { ModelGraph, ModelSpec } from '../schema/model-graph.ts';
import type { Source } from '../sources/source.ts';
import { sourceIdKey } from '../ids/source-id.ts';
import type { DeletedMark } from '../plan/deleted-mark.ts';
import { keyMatches } from '../schema/pg-types.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { OtherSideLists } from '../validate/other-side.ts';
import type { SourceFields } from '../transform/context.ts';
import { classifyDocs, preparedBatches, type Difference, type LeaveOut } from '../validate/source-pass.ts';
import { sinceFilter, type SinceField, type SinceFilter } from './since-filter.ts';

/** What a source document is to the target, as a later sync would apply it. */
export type DiffKind = 'new' | 'changed' | 'deleted' | 'was-rejected' | 'now-rejects';

export interface DiffEntry {
  kind: DiffKind;
  /** The source id (its key text: ObjectId hex, number, string). */
  sourceId: string;
  /** The target key the id map holds for it (changed, deleted, now-rejects of a mapped document). */
  targetKey?: string;
  /** deleted: the id's kind, as the id map holds it. */
  sourceKind?: 'objectId' | 'int' | 'string';
  /** changed: every difference of its own row, derived rows and links (classifyDocs). */
  differences?: Difference[];
  /** now-rejects: the transformer's reason. */
  reason?: string;
  /**
   * new, was-rejected: the document as it becomes rows now; changed: the document (its rows
   * already carry the repairs the migration made, for the comparison: a sync prepares it again).
   */
  doc?: PreparedDoc;
  /** now-rejects: the document, stage and reason, for the error log. */
  rejected?: RejectedDoc;
}

/** One batch of the difference: the entries, and what was counted without an entry. */
export interface DiffBatch {
  entries: DiffEntry[];
  /** Source records read in this batch (0 for the batches of deleted ids). */
  records: number;
  /** Mapped documents found equal, or not compared because --since says they did not change. */
  unchanged: number;
  /** Mapped documents compared with the target. */
  compared: number;
  /** Documents the transformer skips on purpose. */
  skipped: number;
  /** Documents in the error log that the transformer still rejects, or that the database refused (a unique key, a dangling reference: only a retry can tell); migration:errors' business. */
  stillRejected: number;
  /** Rows kept and marked deleted by an earlier sync (config deletedMark) whose document the source still lacks. */
  marked: number;
  /** Ids in the error log that the transformer now skips on purpose: a sync resolves their entries. */
  skippedRejected: string[];
  /**
   * Of those, the ones the database refused (a dangling reference, a unique key) that the
   * transformer accepts now: only writing them can tell whether they land, so a sync retries
   * them as --retry-failed does; a baseline only counts them as still rejected.
   */
  retryable: PreparedDoc[];
}

export { SOURCE_TIME_FIELDS, timeOf, type SinceField } from './since-filter.ts';

export interface DiffModelInput {
  client: pg.PoolClient;
  graph: ModelGraph;
  plan: ModelPlan;
  source: Source;
  preparer: Preparer;
  batchSize: number;
  /** Compare only the documents changed after this time (ids are still all read: new and deleted are exact). */
  since?: Date;
  /**
   * How the model's source fields are read (session.fieldsFor): lets --since read the source
   * field an `@updatedAt` column comes from before transforming. Without it only a source time field is read so.
   */
  fields?: SourceFields;
  /** Told which field --since reads, once it is known (undefined: the full comparison). */
  onSinceField?: (field: SinceField | undefined) => void;
  /** Reads the other side of a junction both sides fill, so a pair neither lists any more is a change. */
  otherSide?: OtherSideLists;
  /** The model keeps rows of deleted documents, marked (config deletedMark): those already marked are not deleted again. */
  mark?: DeletedMark;
}

/**
 * The difference between a model's source and the target, one batch at a time, for a report
 * or a sync to consume: every source document is read and transformed again (preparedBatches,
 * as validate does), its id looked up in the id map and the error log, and the mapped ones are
 * compared with the target by validate's own comparison (classifyDocs). Once the source is
 * read, the ids in the id map the source no longer has come as `deleted`, batch by batch.
 * Needs `validate_source_ids` (createSourceIdTable) in the client's session; writes nothing else.
 *
 * Under --since, a mapped document whose raw time says it did not change since (sinceFilter's
 * unchangedRaw) is not transformed at all and counts as unchanged: most of a late sync's
 * documents, and most of its time. So a mapped document the transformer would now reject, but
 * whose time is old, is unchanged under --since, as an old document with a different content is.
 */
export async function* diffModel(input: DiffModelInput): AsyncGenerator<DiffBatch> {
  const { client, graph, plan } = input;
  const model = graph.models.get(plan.model);
  if (!model) throw new Error(`the Prisma schema has no model ${plan.model}`);
  const since = input.since ? sinceFilter(model, plan, input.since, input.fields) : undefined;
  const leaveOut = since?.unchangedRaw ? unchangedMapped(client, plan.model, since.unchangedRaw) : undefined;
  for await (const batch of preparedBatches({ ...input, ...(leaveOut ? { leaveOut } : {}) })) {
    const out: DiffBatch = { entries: [], records: batch.records, unchanged: 0, compared: 0, skipped: batch.skippedKeys.size, stillRejected: 0, marked: 0, skippedRejected: [], retryable: [] };
    const unmapped = batch.keys.filter((k) => !batch.mapped.has(k));
    // Rejected by the transformer or its checks: deciding again now is exact. Rejected by the
    // database (a unique key, a dangling reference): only a retry can tell, so it stays "still rejected".
    const { rows } = await client.query<{ source_id: string; decidable: boolean }>(
      `SELECT source_id, bool_and(stage IN ('read', 'transform', 'check')) AS decidable FROM _migration.rejected
        WHERE model = $1 AND resolved_at IS NULL AND source_id = ANY($2::text[]) GROUP BY source_id`,
      [plan.model, unmapped],
    );
    const rejected = new Map(rows.map((r) => [r.source_id, r.decidable]));
    const toCompare: PreparedDoc[] = [];
    for (const key of batch.keys) {
      if (batch.leftOut.has(key)) {
        out.unchanged++;
        continue;
      }
      const targetKey = batch.mapped.get(key);
      if (batch.skippedKeys.has(key)) {
        // Skipped on purpose now (`skip()`): what a fresh load would not write leaves the target, and an open rejection is settled.
        if (targetKey !== undefined) out.entries.push({ kind: 'deleted', sourceId: key, targetKey });
        else if (rejected.has(key)) out.skippedRejected.push(key);
        continue;
      }
      const doc = batch.prepared.get(key);
      const reason = batch.nowRejected.get(key) ?? (batch.unreadableKeys.has(key) ? 'the record cannot be read (see migration:errors)' : undefined);
      const refused = batch.rejections.get(key);
      const rejection = refused ? { rejected: refused } : {};
      if (targetKey !== undefined) {
        if (!doc) out.entries.push({ kind: 'now-rejects', sourceId: key, targetKey, reason: reason ?? 'rejected', ...rejection });
        else if (since && !since.changed(doc)) out.unchanged++;
        else toCompare.push(doc);
      } else if (rejected.has(key)) {
        if (doc && rejected.get(key) === true) out.entries.push({ kind: 'was-rejected', sourceId: key, doc });
        else {
          out.stillRejected++;
          if (doc) out.retryable.push(doc);
        }
      } else if (doc) out.entries.push({ kind: 'new', sourceId: key, doc });
      else out.entries.push({ kind: 'now-rejects', sourceId: key, reason: reason ?? 'rejected', ...rejection });
    }
    out.compared = toCompare.length;
    const byOwner = new Map<string, Difference[]>();
    for (const d of await classifyDocs(client, graph, plan, toCompare, undefined, input.otherSide)) byOwner.set(d.owner, [...(byOwner.get(d.owner) ?? []), d]);
    for (const doc of toCompare) {
      const key = sourceIdKey(doc.sourceId);
      const differences = byOwner.get(key);
      if (differences) out.entries.push({ kind: 'changed', sourceId: key, targetKey: batch.mapped.get(key) ?? doc.key, differences, doc });
      else out.unchanged++;
    }
    yield out;
  }
  input.onSinceField?.(since?.field());
  // Fresh statistics for the anti-join (the temp table is this session's own).
  await client.query('ANALYZE validate_source_ids');
  yield* deletedIds(client, model, input.batchSize, input.mark);
}

/**
 * --since's fast path: of a batch, the mapped documents whose raw time is not after --since,
 * except any with an open entry in the error log, which go the way they go without the fast
 * path (prepared and compared): the log is migration:errors' business, not --since's.
 */
function unchangedMapped(client: pg.PoolClient, model: string, unchangedRaw: NonNullable<SinceFilter['unchangedRaw']>): LeaveOut {
  return async (docs, mapped) => {
    const candidates = docs.filter((d) => mapped.has(d.key) && unchangedRaw(d.doc));
    if (candidates.length === 0) return new Set();
    const { rows } = await client.query<{ source_id: string }>(
      `SELECT DISTINCT source_id FROM _migration.rejected WHERE model = $1 AND resolved_at IS NULL AND source_id = ANY($2::text[])`,
      [model, candidates.map((d) => d.key)],
    );
    const logged = new Set(rows.map((r) => r.source_id));
    return new Set(candidates.flatMap((d) => (logged.has(d.key) ? [] : [d.key])));
  };
}

/** Ids in the id map that no source record has any more: one anti-join, read in pages. */
async function* deletedIds(client: pg.PoolClient, model: ModelSpec, batchSize: number, mark: DeletedMark | undefined): AsyncGenerator<DiffBatch> {
  const gone = `NOT EXISTS (SELECT 1 FROM validate_source_ids s WHERE s.model = $1 AND s.source_id = i.source_id)`;
  const marked = mark ? `EXISTS (SELECT 1 FROM ${quoteIdent(model.table)} t WHERE ${keyMatches(model, 't', 'i.target_key')} AND ${mark.isMarked('t')})` : 'false';
  if (mark) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM _migration.id_map i WHERE i.model = $1 AND ${gone} AND ${marked}`, [model.name]);
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) yield { entries: [], records: 0, unchanged: 0, compared: 0, skipped: 0, stillRejected: 0, marked: n, skippedRejected: [], retryable: [] };
  }
  let after = '';
  for (;;) {
    const { rows } = await client.query<{ source_id: string; target_key: string; source_kind: 'objectId' | 'int' | 'string' }>(
      `SELECT i.source_id, i.target_key, i.source_kind FROM _migration.id_map i
        WHERE i.model = $1 AND i.source_id > $2 AND ${gone} AND NOT ${marked}
        ORDER BY i.source_id COLLATE "C" LIMIT $3`,
      [model.name, after, batchSize],
    );
    if (rows.length === 0) return;
    after = rows[rows.length - 1]?.source_id ?? after;
    yield { entries: rows.map((r) => ({ kind: 'deleted', sourceId: r.source_id, targetKey: r.target_key, sourceKind: r.source_kind })), records: 0, unchanged: 0, compared: 0, skipped: 0, stillRejected: 0, marked: 0, skippedRejected: [], retryable: [] };
    if (rows.length < batchSize) return;
  }
}
