import type pg from 'pg';
import { parseSourceId, sourceIdKey, type SourceId } from '../ids/source-id.ts';
import { describeDangling } from '../load/complete.ts';
import type { Reference } from '../load/orphans.ts';
import type { RejectedDoc } from '../load/prepare.ts';
import { writeRejected } from '../load/record-batch.ts';
import { ownerColumnOf, type ModelPlan } from '../plan/plan.ts';
import { getModel, type ModelGraph } from '../schema/model-graph.ts';
import { expectedPgType, keyIn } from '../schema/pg-types.ts';
import type { Source } from '../sources/source.ts';
import type { RejectStage } from '../transform/reject.ts';
import type { SourceDoc } from '../transform/types.ts';
import { EJSON } from 'bson';
import { DEFER } from './sync-state.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { WriteTx } from '../target/writer.ts';
import type { OtherSideLists } from '../validate/other-side.ts';
import { deletePairs, ownPairs } from './replace-rows.ts';

/** One document whose rows leave the target: deleted from the source, or rejected now (with the entry for the error log). */
export interface Removal {
  targetKey: string;
  sourceId: string;
  sourceKind: 'objectId' | 'int' | 'string';
  rejected?: Omit<RejectedDoc, 'sourceId'>;
}

export interface RemovalContext {
  graph: ModelGraph;
  plans: readonly ModelPlan[];
  /** Every reference of the schema (listReferences), with its policy. */
  refs: readonly Reference[];
  source: Source;
  pool: pg.Pool;
  runId: string;
  otherSide: OtherSideLists;
  /** The sync whose removal queue (`_migration.sync_removals`) a dependent may already be in. */
  syncId: string;
}

/**
 * Per model: documents deleted, rejected, and dependents (rejected or repaired because a
 * document they reference left; a dependent rejected is counted in both).
 */
export type RemovalCounts = Map<string, { deleted: number; rejected: number; dependents: number }>;

function countsOf(counts: RemovalCounts, model: string): { deleted: number; rejected: number; dependents: number } {
  const c = counts.get(model) ?? { deleted: 0, rejected: 0, dependents: 0 };
  counts.set(model, c);
  return c;
}

/**
 * Removes documents' rows, children before parents, in the caller's transaction. What still
 * references them is what a fresh migration would find dangling, and gets the same treatment
 * by its policy, here instead of by the orphan sweep (the foreign keys stay in place):
 * `reject` rejects the referencing document (and, in turn, what references it), `null` sets
 * the column NULL or drops the link and logs the repair, `keep` leaves it. Nothing is cascaded
 * by the database: each such document is counted and named in the error log or the repairs.
 */
export async function removeDocs(tx: WriteTx, ctx: RemovalContext, modelName: string, items: readonly Removal[], counts: RemovalCounts, seen = new Set<string>()): Promise<void> {
  const fresh = items.filter((i) => !seen.has(`${modelName}\u0000${i.targetKey}`));
  for (const i of fresh) seen.add(`${modelName}\u0000${i.targetKey}`);
  await removeClaimed(tx, ctx, modelName, fresh, counts, seen);
}

/**
 * Removes documents already claimed in `seen`. Their dependents are found level by level, as
 * the sweep's passes find them: every document that references one of these is claimed with
 * that reason before any of them is removed (so a comment whose author left says so, even if
 * its post is rejected too), then the claimed are removed children first.
 */
async function removeClaimed(tx: WriteTx, ctx: RemovalContext, modelName: string, fresh: readonly Removal[], counts: RemovalCounts, seen: Set<string>): Promise<void> {
  if (fresh.length === 0) return;
  const plan = ctx.plans.find((p) => p.model === modelName);
  const model = getModel(ctx.graph, modelName);
  if (!plan) throw new Error(`no plan for ${modelName}`);
  const keys = fresh.map((i) => i.targetKey);
  const keyType = model.key.length === 1 ? expectedPgType(model.id) : 'text';
  const byKey = new Map(fresh.map((i) => [i.targetKey, i]));

  // What the documents hold themselves: their links and derived rows go with them. A pair the
  // other side also lists is that side's reference to a document that left, decided below, as
  // a fresh load finds it dangling; except for a document rejected for a dangling reference of
  // its own, whose pairs all go with it, as the sweep removes them (complete.ts rejectOwners).
  const swept = new Set(fresh.filter((i) => i.rejected?.stage === 'link').map((i) => i.targetKey));
  for (const fill of plan.junctions) {
    if (!fill.union) {
      await tx.query(`DELETE FROM ${quoteIdent(fill.junction.table)} WHERE ${quoteIdent(ownerColumnOf(fill))} = ANY($1::${keyType}[])`, [keys]);
      continue;
    }
    const own = fill.ownerColumn === 'A' ? 0 : 1;
    const pairs = await ownPairs(tx, ctx.graph, fill, keys);
    const listed = await ctx.otherSide(fill, pairs.filter((p) => !swept.has(p[own])));
    await deletePairs(tx, ctx.graph, fill, pairs.filter(([a, b]) => !listed.has(`${a}/${b}`)));
  }
  for (const d of plan.derived) {
    const spec = getModel(ctx.graph, d.model);
    const owner = spec.columns.find((c) => c.field === d.ownerField);
    if (owner) await tx.query(`DELETE FROM ${quoteIdent(spec.table)} WHERE ${quoteIdent(owner.column)} = ANY($1::${keyType}[])`, [keys]);
  }

  // What other documents hold that points at them.
  const rejecting = new Map<string, Removal[]>();
  for (const ref of ctx.refs.filter((r) => r.targetModel === modelName && !r.isOwnerLink && r.onMissing !== 'keep')) {
    const target = getModel(ctx.graph, ref.targetModel).columns.find((c) => c.column === ref.targetColumn);
    const type = target ? expectedPgType(target) : 'text';
    // What the reference holds: the removed rows' keys, or the column it references when that is another (`references: [code]`).
    const values = model.key.length === 1 && ref.targetColumn === model.id.column ? keys : (await tx.query<{ v: string | null }>(`SELECT c.${quoteIdent(ref.targetColumn)}::text AS v FROM ${quoteIdent(model.table)} c WHERE ${keyIn(model, 'c', '$1')}`, [keys])).flatMap((r) => (r.v === null ? [] : [r.v]));
    if (values.length === 0) continue;
    // Given as text[], compared in the column's own type so its index serves.
    const where = `c.${quoteIdent(ref.column)} = ANY($6::text[]::${type}[])`;
    // A self-reference among the documents removed together is not a dependent.
    // ($1 is named either way: a parameter no statement uses has no type.)
    const notRemoved = ref.ownerModel === modelName ? ` AND NOT (${ref.ownerKey} = ANY($1::text[]))` : ` AND $1::text[] IS NOT NULL`;
    if (ref.onMissing === 'null') {
      const change = ref.isLink
        ? `DELETE FROM ${quoteIdent(ref.table)} c WHERE ${where}${notRemoved} RETURNING ${ref.ownerKey} AS owner, c.${quoteIdent(ref.column)}::text AS missing`
        : `UPDATE ${quoteIdent(ref.table)} c SET ${quoteIdent(ref.column)} = NULL FROM (SELECT ctid AS tid, c.${quoteIdent(ref.column)}::text AS missing FROM ${quoteIdent(ref.table)} c WHERE ${where}${notRemoved}) d WHERE c.ctid = d.tid RETURNING ${ref.ownerKey} AS owner, d.missing`;
      const rows = await tx.query<{ owner: string; missing: string }>(
        `WITH d AS (${change})
         INSERT INTO _migration.repairs (run_id, model, source_id, source_kind, owner_key, field, target_model, missing_id, action)
         SELECT $2, $3, m.source_id, m.source_kind, d.owner, $4, $5, d.missing, '${ref.isLink ? 'dropped' : 'nulled'}' FROM d LEFT JOIN _migration.id_map m ON m.model = $3 AND m.target_key = d.owner
         RETURNING owner_key AS owner`,
        [keys, ctx.runId, ref.ownerModel, ref.field, ref.targetModel, values],
      );
      addDependents(counts, ref.ownerModel, new Set(rows.map((r) => r.owner)).size);
      continue;
    }
    const holders = await tx.query<{ owner: string; target: string }>(
      `SELECT DISTINCT ${ref.ownerKey} AS owner, c.${quoteIdent(ref.column)}::text AS target FROM ${quoteIdent(ref.table)} c WHERE ${where.replace('$6', '$2')}${notRemoved}`,
      [keys, values],
    );
    const unclaimed = holders.filter((h) => !seen.has(`${ref.ownerModel}\u0000${h.owner}`));
    if (unclaimed.length === 0) continue;
    // Queued to leave anyway (deleted too, or rejected now): it goes now, for its own reason, not as a dependent.
    const queued = await takeQueued(tx, ctx.syncId, ref.ownerModel, unclaimed.map((h) => h.owner));
    const queuedKeys = new Set(queued.map((q) => q.targetKey));
    const removals = [...queued, ...(await dependentRemovals(ctx, ref, unclaimed.filter((h) => !queuedKeys.has(h.owner)), byKey))];
    for (const r of removals) seen.add(`${ref.ownerModel}\u0000${r.targetKey}`);
    addDependents(counts, ref.ownerModel, removals.length - queued.length);
    rejecting.set(ref.ownerModel, [...(rejecting.get(ref.ownerModel) ?? []), ...removals]);
  }
  // Children first: the plan's order backwards.
  const order = ctx.plans.map((p) => p.model);
  for (const [owner, removals] of [...rejecting].sort(([a], [b]) => order.indexOf(b) - order.indexOf(a))) await removeClaimed(tx, ctx, owner, removals, counts, seen);

  await tx.query(`DELETE FROM ${quoteIdent(model.table)} c WHERE ${keyIn(model, 'c', '$1')}`, [keys]);
  await tx.query(`DELETE FROM _migration.id_map WHERE model = $1 AND target_key = ANY($2::text[])`, [modelName, keys]);
  await tx.query(`DELETE FROM _migration.repairs WHERE model = $1 AND owner_key = ANY($2::text[])`, [modelName, keys]);
  const rejected = fresh.flatMap((i) => (i.rejected ? [{ ...i.rejected, sourceId: parseSourceId(i.sourceId, i.sourceKind) }] : []));
  await writeRejected(tx, ctx.runId, modelName, rejected);
  countsOf(counts, modelName).rejected += rejected.length;
  countsOf(counts, modelName).deleted += fresh.length - rejected.length;
}

/** The queue's entries for these keys, as removals, taken off the queue in the same transaction. */
export async function takeQueued(tx: WriteTx, syncId: string, model: string, keys: readonly string[]): Promise<Removal[]> {
  if (keys.length === 0) return [];
  const rows = await tx.query<QueueRow>(
    `DELETE FROM _migration.sync_removals WHERE sync_id = $1 AND model = $2 AND stage IS DISTINCT FROM '${DEFER}' AND target_key = ANY($3::text[])
     RETURNING target_key, source_id, source_kind, stage, reason, document`,
    [syncId, model, keys],
  );
  return rows.map(removalOfRow);
}

/** One row of `_migration.sync_removals`. */
export interface QueueRow extends Record<string, unknown> {
  target_key: string;
  source_id: string;
  source_kind: Removal['sourceKind'];
  stage: RejectStage | null;
  reason: string | null;
  document: string | null;
}

export function removalOfRow(r: QueueRow): Removal {
  return {
    targetKey: r.target_key,
    sourceId: r.source_id,
    sourceKind: r.source_kind,
    ...(r.reason !== null && r.stage !== null ? { rejected: { doc: (r.document ? EJSON.parse(r.document, { relaxed: false }) : { _id: r.source_id }) as SourceDoc, stage: r.stage, reason: r.reason } } : {}),
  };
}

function addDependents(counts: RemovalCounts, model: string, n: number): void {
  countsOf(counts, model).dependents += n;
}

/** The documents holding a reference to a removed one, as rejections worded as the sweep's: their source documents, read again. */
async function dependentRemovals(ctx: RemovalContext, ref: Reference, holders: readonly { owner: string; target: string }[], removed: ReadonlyMap<string, Removal>): Promise<Removal[]> {
  const { rows: mapped } = await ctx.pool.query<{ target_key: string; source_id: string; source_kind: Removal['sourceKind'] }>(
    `SELECT target_key, source_id, source_kind FROM _migration.id_map WHERE model = $1 AND target_key = ANY($2::text[])`,
    [ref.ownerModel, holders.map((h) => h.owner)],
  );
  const plan = ctx.plans.find((p) => p.model === ref.ownerModel);
  const docs = new Map<string, Record<string, unknown>>();
  if (plan) {
    const ids: SourceId[] = mapped.map((m) => parseSourceId(m.source_id, m.source_kind));
    for (const doc of await ctx.source.fetch(plan.collection, ids)) docs.set(sourceIdKey(doc._id as SourceId), doc);
  }
  const targetOf = new Map(holders.map((h) => [h.owner, h.target]));
  const out: Removal[] = [];
  for (const m of mapped) {
    const target = targetOf.get(m.target_key) ?? '';
    // A parent rejected now is "rejected" to its children, as the sweep says after a full load.
    const reason = await describeDangling(ctx.pool, { field: ref.field, targetModel: ref.targetModel, targetKey: target }, removed.get(target)?.rejected !== undefined);
    out.push({ targetKey: m.target_key, sourceId: m.source_id, sourceKind: m.source_kind, rejected: { doc: docs.get(m.source_id) ?? { _id: m.source_id }, stage: 'link', reason } });
  }
  return out;
}
