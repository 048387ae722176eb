import type { Row, RowCheck } from '../check/row-check.ts';
import type { FieldCounter } from '../accounting/field-accounting.ts';
import type { IdMapper } from '../ids/id-mapper.ts';
import { docSourceId, sourceIdKey, type SourceId } from '../ids/source-id.ts';
import { linkKey, type ModelPlan } from '../plan/plan.ts';
import { keyText, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
import { createContext, DefaultContext, type SourceFields } from '../transform/context.ts';
import { RejectError, type RejectStage } from '../transform/reject.ts';
import { TransformerBug } from '../transform/transformer-bug.ts';
import type { SourceDoc } from '../transform/types.ts';
import { compileRow } from './row-line.ts';

/** A document turned into the rows it becomes, ready to write. */
export interface PreparedDoc {
  doc: SourceDoc;
  sourceId: SourceId;
  /** The row's key in the target: its UUID, or with ids kept or a composite key the key text (`1`, `1|2`, `uuid|uuid`). */
  key: string;
  /** The UUID the mapper made for it; null with ids kept and for a composite key (its columns are other rows' UUIDs). */
  uuid: string | null;
  /** Model name → rows; the document's own model first, then what it derives. */
  rows: Map<string, Row[]>;
  /** Link key (plan.ts linkKey: the relation, a self-relation's side B apart) → [A, B] pairs. */
  links: Map<string, [string, string][]>;
  /**
   * Set instead of `rows` by a compiled row (row-line.ts, preparers made with `lines`): the own
   * row as the COPY line the writer would have encoded from it; `rows` is then empty.
   */
  line?: string;
}

export interface RejectedDoc {
  doc: SourceDoc;
  sourceId: SourceId | undefined;
  stage: RejectStage;
  reason: string;
}

export type Prepared = { ok: true; value: PreparedDoc } | { ok: false; rejected: RejectedDoc } | { ok: 'skipped'; sourceId: SourceId };

export interface Preparer {
  prepare(doc: SourceDoc): Prepared;
}

/**
 * Transform, then check: the two steps that can refuse a document before the database sees
 * it. A `RejectError` (from `reject()`, `ctx.convert`, `ctx.ref`, the row checks) rejects that
 * document only; any other exception is a `TransformerBug` and stops the run.
 */
export function createPreparer(
  graph: ModelGraph,
  plan: ModelPlan,
  ids: IdMapper,
  checks: ReadonlyMap<string, RowCheck>,
  source: SourceFields,
  fields?: FieldCounter,
  options: {
    /** The writer takes COPY lines (WriteTx.writeLines): documents a compiled row can write skip the row objects. */
    lines?: boolean;
  } = {},
): Preparer {
  const model = requireModel(graph, plan.model);
  const compiled = options.lines ? compileRow(model, plan, source, ids) : undefined;
  // Shared by every compiled document: they have no rows and no links of their own.
  const noRows = new Map<string, Row[]>();
  const noLinks = new Map<string, [string, string][]>();
  const owned = [plan.model, ...plan.derived.map((d) => d.model)];
  const ownCheck = checks.get(plan.model);
  const composite = model.key.length > 1;
  /** The row's key and UUID as the id map keeps them. */
  const keyOf = (ctx: { keepIds: boolean; uuid: string }, row: Row): { key: string; uuid: string | null } =>
    ctx.keepIds || composite ? { key: keyText(model, row), uuid: null } : { key: ctx.uuid, uuid: ctx.uuid };
  if (!fields) return { prepare: (doc) => prepareOne(doc, doc) };
  // Every document read is accounted for, rejected or not: its fields are in the error log, not lost.
  return {
    prepare(doc) {
      try {
        return prepareOne(doc, fields.watch(doc));
      } finally {
        fields.count(doc);
      }
    },
  };

  /** `input` is what the transformer sees: the document, or a Proxy recording its reads. */
  function prepareOne(doc: SourceDoc, input: SourceDoc): Prepared {
    const sourceId = docSourceId(doc);
    if (sourceId === undefined) {
      return { ok: false, rejected: { doc, sourceId: undefined, stage: 'read', reason: `_id: missing or not an id (${typeof doc._id})` } };
    }
    const fail = (stage: RejectStage, reason: string): Prepared => ({ ok: false, rejected: { doc, sourceId, stage, reason } });
    try {
      const fast = compiled?.(input, sourceId);
      if (fast) return { ok: true, value: { doc, sourceId, key: fast.key, uuid: fast.uuid, rows: noRows, links: noLinks, line: fast.line } };
      if (!plan.custom) return prepareDefault(doc, input, sourceId, new DefaultContext(graph, model, ids, sourceId, source), fail);
      const ctx = createContext(graph, model, ids, sourceId, source);
      const out = plan.transformer.transform(input, ctx);
      const rows = new Map<string, Row[]>();
      for (const name of Object.keys(out.rows)) {
        if (!owned.includes(name)) return fail('transform', `transformer for ${plan.model} returned rows of ${name}, which it does not declare in derives`);
      }
      for (const name of owned) rows.set(name, [...(out.rows[name] ?? [])]);
      const own = rows.get(plan.model) ?? [];
      if (own.length === 0) return { ok: 'skipped', sourceId };
      const [row] = own;
      if (!row || own.length > 1 || (!ctx.keepIds && !composite && row[model.id.field] !== ctx.uuid)) {
        return fail('transform', `transformer for ${plan.model} must return exactly one ${plan.model} row whose ${model.id.field} is ctx.uuid`);
      }
      const problem = problemOf(rows);
      if (problem) return fail('check', problem);
      return { ok: true, value: { doc, sourceId, ...keyOf(ctx, row), rows, links: linkPairs(out.links, ctx.uuid) } };
    } catch (error) {
      if (error instanceof RejectError) return fail(error.stage, error.message);
      // Anything else is the code's fault, not the document's: rejecting would repeat it on
      // every document and cascade to their dependants while the run reports success.
      throw new TransformerBug(plan.model, sourceIdKey(sourceId), error, plan.custom);
    }
  }

  /**
   * The schema-derived transformer's document, without its general-purpose wrapping: one row
   * of this model, the rows of the models config embeds in it, the links of its arrays. Same
   * rows, same checks, same reasons as through `transform`; only the intermediate objects are gone.
   */
  function prepareDefault(doc: SourceDoc, input: SourceDoc, sourceId: SourceId, ctx: DefaultContext, fail: (stage: RejectStage, reason: string) => Prepared): Prepared {
    const row = ctx.defaultRow(input);
    // In the order `transform` takes them: the embedded rows and the links (which can reject) before the row checks.
    const embedded = plan.embedded.length > 0 ? ctx.embeddedRows(input) : undefined;
    const found = plan.junctions.length > 0 ? ctx.defaultLinks(input) : undefined;
    const rows = new Map<string, Row[]>([[plan.model, [row]]]);
    for (const d of plan.derived) rows.set(d.model, embedded?.[d.model] ?? []);
    const problem = embedded ? problemOf(rows) : ownCheck?.problem(row);
    if (problem) return fail('check', problem);
    return { ok: true, value: { doc, sourceId, ...keyOf(ctx, row), rows, links: linkPairs(found, ctx.uuid) } };
  }

  /** The first row check a document's rows fail, own row first; a derived row is named by its model and index. */
  function problemOf(rows: ReadonlyMap<string, readonly Row[]>): string | undefined {
    for (const [name, list] of rows) {
      const check = checks.get(name);
      for (const [i, row] of list.entries()) {
        const problem = check?.problem(row);
        if (problem) return name === plan.model ? problem : `${name}[${i}]: ${problem}`;
      }
    }
    return undefined;
  }

  /** The junction pairs of a document's links: this document on its side of each filled junction. */
  function linkPairs(found: Readonly<Record<string, readonly string[]>> | undefined, uuid: string): Map<string, [string, string][]> {
    const links = new Map<string, [string, string][]>();
    if (!found) return links;
    for (const fill of plan.junctions) {
      const others = found[linkKey(fill)] ?? [];
      if (others.length === 0) continue;
      links.set(linkKey(fill), others.map((o) => (fill.ownerColumn === 'A' ? [uuid, o] : [o, uuid])));
    }
    return links;
  }
}

function requireModel(graph: ModelGraph, name: string): ModelSpec {
  const model = graph.models.get(name);
  if (!model) throw new Error(`the Prisma schema has no model ${name}`);
  return model;
}
