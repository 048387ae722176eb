import type pg from 'pg';
import type { Row } from '../check/row-check.ts';
import { sourceIdKey, sourceIdKind } from '../ids/source-id.ts';
import { describeDangling } from '../load/complete.ts';
import type { Reference } from '../load/orphans.ts';
import type { PreparedDoc, RejectedDoc } from '../load/prepare.ts';
import { linkKey, type ModelPlan } from '../plan/plan.ts';
import { getModel, keyText, type ColumnSpec, type JunctionSpec, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
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
  /** A reference into a model not written yet (this one, or one later in the pass): decided after every model's pass 1. */
  deferred: PreparedDoc[];
  /** What the `null` policy did, for `_migration.repairs` (written with the documents). */
  repairs: RepairRow[];
  /** References left out of a held-back document's write because what they point at is held back too (written last). */
  fixups: Fixup[];
}

/**
 * A reference between two documents both written late (held back): the first one is written
 * without it (the column NULL, the link left out), and it is set once both are in.
 */
export type Fixup = { owner: string } & ({ kind: 'column'; model: ModelSpec; key: string; column: ColumnSpec; value: string } | { kind: 'link'; junction: JunctionSpec; pair: [string, string] });

/** Of these keys of a model, the ones held back in this sync's queue (stage defer). */
export type HeldBack = (model: string, keys: readonly string[]) => Promise<ReadonlySet<string>>;

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
  /** Models whose pass 1 is not done yet: a reference into them may still arrive (empty: decide now). */
  pending: ReadonlySet<string>,
  heldBack: HeldBack,
  /** The held-back documents' own turn: a reference into another held-back one becomes a fixup. */
  final: boolean,
): Promise<CheckedDocs> {
  const out: CheckedDocs = { accepted: [], rejected: [], deferred: [], repairs: [], fixups: [] };
  const held = new Map<Reference, ReadonlySet<string>>();
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
    if (missing.size > 0) {
      missingOf.set(ref, missing);
      held.set(ref, await heldBack(ref.targetModel, [...missing]));
    }
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
    const waits = (d: (typeof dangling)[number]) => pending.has(d.ref.targetModel) || held.get(d.ref)?.has(d.value) === true;
    if (!final && dangling.some(waits)) {
      out.deferred.push(doc);
      continue;
    }
    // Held back both: written without the reference, which is set once both are in (if it can be left out).
    const later = final ? dangling.filter((d) => waits(d) && canWait(graph, d.holder, d.ref)) : [];
    for (const d of later) out.fixups.push(fixupOf(graph, plan, doc, d.holder, d.value));
    const lasting = dangling.filter((d) => !later.includes(d));
    if (lasting.length === 0) {
      out.accepted.push(doc);
      continue;
    }
    const rejecting = lasting.find((d) => d.ref.onMissing === 'reject');
    if (rejecting) {
      const reason = await describeDangling(pool, { field: rejecting.ref.field, targetModel: rejecting.ref.targetModel, targetKey: rejecting.value });
      out.rejected.push({ doc: doc.doc, sourceId: doc.sourceId, stage: 'link', reason });
      continue;
    }
    for (const { ref, holder, value } of lasting) {
      const action = repair(doc, holder, value, ref.isLink);
      out.repairs.push([runId, plan.model, sourceIdKey(doc.sourceId), sourceIdKind(doc.sourceId), doc.key, ref.field, ref.targetModel, value, action]);
    }
    out.accepted.push(doc);
  }
  return out;
}

/** A link can always wait; a column only when it may be NULL meanwhile. */
function canWait(graph: ModelGraph, holder: Holder, ref: Reference): boolean {
  if (holder.kind === 'links') return true;
  const column = getModel(graph, holder.model).columns.find((c) => c.field === holder.field);
  return column !== undefined && !column.required && !ref.isLink;
}

/** Takes the reference out of the document's rows (as `null` would, without a repair) and says how to put it back. */
function fixupOf(graph: ModelGraph, plan: ModelPlan, doc: PreparedDoc, holder: Holder, value: string): Fixup {
  if (holder.kind === 'links') {
    const pairs = doc.links.get(holder.key) ?? [];
    const pair = pairs.find((p) => p[holder.index] === value) ?? (['', ''] as [string, string]);
    doc.links.set(holder.key, pairs.filter((p) => p !== pair));
    const fill = plan.junctions.find((f) => linkKey(f) === holder.key);
    if (!fill) throw new Error(`no junction for ${holder.key}`);
    return { owner: doc.key, kind: 'link', junction: fill.junction, pair };
  }
  const model = getModel(graph, holder.model);
  const column = model.columns.find((c) => c.field === holder.field);
  if (!column) throw new Error(`${model.name} has no field ${holder.field}`);
  const row = (doc.rows.get(holder.model) ?? []).find((r) => r[holder.field] !== null && String(r[holder.field]) === value);
  if (row) row[holder.field] = null;
  return { owner: doc.key, kind: 'column', model, key: row ? keyText(model, row) : doc.key, column, value };
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
