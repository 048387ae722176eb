import type pg from 'pg';
import type { Row } from '../check/row-check.ts';
import { sourceIdKey, sourceIdKind } from '../ids/source-id.ts';
import { describeDangling } from '../load/complete.ts';
import type { Reference } from '../load/orphans.ts';
import type { PreparedDoc, RejectedDoc } from '../load/prepare.ts';
import { linkKey, type ModelPlan } from '../plan/plan.ts';
import { getModel, type ModelGraph } from '../schema/model-graph.ts';
import { expectedPgType } from '../schema/pg-types.ts';
import { quoteIdent } from '../target/identifiers.ts';

/** A repair row for `_migration.repairs`, in REPAIR_COLUMNS order. */
export type RepairRow = [string, string, string, string, string, string, string, string, 'nulled' | 'dropped'];
export const REPAIR_COLUMNS = ['run_id', 'model', 'source_id', 'source_kind', 'owner_key', 'field', 'target_model', 'missing_id', 'action'] as const;

export interface CheckedDocs {
  /** Every reference found, or repaired by its policy: ready to write. */
  accepted: PreparedDoc[];
  /** A reference with policy `reject` points at nothing: worded as the full load's sweep words it. */
  rejected: RejectedDoc[];
  /** A reference into the model's own table that a later batch may still bring (checked again at the end). */
  deferred: PreparedDoc[];
  /** What the `null` policy did, for `_migration.repairs` (written with the documents). */
  repairs: RepairRow[];
}

/** Where in a document's rows one reference's values sit. */
type Holder = { kind: 'rows'; model: string; field: string } | { kind: 'links'; key: string; index: 0 | 1 };

/**
 * A sync writes into a target whose foreign keys are in place, so the dangling references a
 * full load leaves to its orphan sweep (complete.ts) are decided here, before the write, by
 * the same policies and with the same words: `reject` rejects the document, `null` sets the
 * column NULL or drops the link (logged as a repair), `keep` leaves it. The result is what a
 * fresh migration of the same source gives.
 */
export async function checkReferences(
  pool: pg.Pool,
  graph: ModelGraph,
  plan: ModelPlan,
  refs: readonly Reference[],
  docs: readonly PreparedDoc[],
  runId: string,
  final: boolean,
): Promise<CheckedDocs> {
  const out: CheckedDocs = { accepted: [], rejected: [], deferred: [], repairs: [] };
  const own = new Set(docs.map((d) => d.key));
  const missingOf = new Map<Reference, Set<string>>();
  for (const ref of refs) {
    const holder = holderOf(graph, plan, ref);
    if (!holder || ref.onMissing === 'keep') continue;
    const values = new Set<string>();
    for (const doc of docs) for (const v of valuesOf(doc, holder)) values.add(v);
    if (values.size === 0) continue;
    const column = getModel(graph, ref.targetModel).columns.find((c) => c.column === ref.targetColumn);
    if (!column) continue;
    const { rows } = await pool.query<{ v: string }>(
      `SELECT ${quoteIdent(ref.targetColumn)}::text AS v FROM ${quoteIdent(ref.targetTable)} WHERE ${quoteIdent(ref.targetColumn)} = ANY($1::${expectedPgType(column)}[])`,
      [[...values]],
    );
    const found = new Set(rows.map((r) => r.v));
    const missing = new Set([...values].filter((v) => !found.has(v) && !(ref.targetModel === plan.model && own.has(v))));
    if (missing.size > 0) missingOf.set(ref, missing);
  }
  for (const doc of docs) {
    const dangling = [...missingOf].flatMap(([ref, missing]) => {
      const holder = holderOf(graph, plan, ref);
      return holder ? valuesOf(doc, holder).filter((v) => missing.has(v)).map((v) => ({ ref, holder, value: v })) : [];
    });
    if (dangling.length === 0) {
      out.accepted.push(doc);
      continue;
    }
    if (!final && dangling.some((d) => d.ref.targetModel === plan.model)) {
      out.deferred.push(doc);
      continue;
    }
    const rejecting = dangling.find((d) => d.ref.onMissing === 'reject');
    if (rejecting) {
      const reason = await describeDangling(pool, { field: rejecting.ref.field, targetModel: rejecting.ref.targetModel, targetKey: rejecting.value });
      out.rejected.push({ doc: doc.doc, sourceId: doc.sourceId, stage: 'link', reason });
      continue;
    }
    for (const { ref, holder, value } of dangling) {
      const action = repair(doc, holder, value, ref.isLink);
      out.repairs.push([runId, plan.model, sourceIdKey(doc.sourceId), sourceIdKind(doc.sourceId), doc.key, ref.field, ref.targetModel, value, action]);
    }
    out.accepted.push(doc);
  }
  return out;
}

/** Which rows or links of this plan's documents hold the reference; undefined when none do. */
function holderOf(graph: ModelGraph, plan: ModelPlan, ref: Reference): Holder | undefined {
  if (ref.ownerModel !== plan.model || ref.isOwnerLink) return undefined;
  for (const name of [plan.model, ...plan.derived.map((d) => d.model)]) {
    const spec = getModel(graph, name);
    if (spec.table !== ref.table) continue;
    const field = spec.columns.find((c) => c.column === ref.column)?.field;
    return field === undefined ? undefined : { kind: 'rows', model: name, field };
  }
  const fill = plan.junctions.find((f) => f.junction.table === ref.table && (f.ownerColumn === 'A' ? f.junction.b.column : f.junction.a.column) === ref.column);
  return fill ? { kind: 'links', key: linkKey(fill), index: fill.ownerColumn === 'A' ? 1 : 0 } : undefined;
}

function valuesOf(doc: PreparedDoc, holder: Holder): string[] {
  if (holder.kind === 'links') return (doc.links.get(holder.key) ?? []).map((pair) => pair[holder.index]);
  return (doc.rows.get(holder.model) ?? []).flatMap((row: Row) => {
    const v = row[holder.field];
    return v === null || v === undefined ? [] : [String(v)];
  });
}

/** The `null` policy on one value: the column set NULL, or the link (or a derived row whose reference is required) left out. */
function repair(doc: PreparedDoc, holder: Holder, value: string, isLink: boolean): 'nulled' | 'dropped' {
  if (holder.kind === 'links') {
    const pairs = doc.links.get(holder.key) ?? [];
    doc.links.set(holder.key, pairs.filter((p) => p[holder.index] !== value));
    return 'dropped';
  }
  const rows = doc.rows.get(holder.model) ?? [];
  if (isLink) {
    doc.rows.set(holder.model, rows.filter((r) => String(r[holder.field]) !== value));
    return 'dropped';
  }
  for (const row of rows) if (row[holder.field] !== null && String(row[holder.field]) === value) row[holder.field] = null;
  return 'nulled';
}
