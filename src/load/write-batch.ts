import { linkKey, type ModelPlan } from '../plan/plan.ts';
import type { Row } from '../check/row-check.ts';
import type { JunctionSpec, ModelGraph, ModelSpec } from '../schema/model-graph.ts';
import { expectedPgType } from '../schema/pg-types.ts';
import { objectIdFromUuidV7 } from '../ids/uuid.ts';
import { classifyError, describeDbError, describeForeignKeyViolation } from '../target/errors.ts';
import { quoteIdent, targetTable } from '../target/identifiers.ts';
import type { WriteTx } from '../target/writer.ts';
import type { PreparedDoc, RejectedDoc } from './prepare.ts';

export interface WriteResult {
  written: PreparedDoc[];
  rejected: RejectedDoc[];
}

/**
 * Writes a batch under a savepoint; if the database refuses it for its data, splits it in
 * halves until each refusal is pinned on one document. The good documents land, each bad
 * one is returned with the database's reason. Connection errors are not split: they
 * propagate and the whole batch is retried.
 */
export async function writeWithBisect(tx: WriteTx, graph: ModelGraph, plan: ModelPlan, docs: readonly PreparedDoc[], write: WriteDocs = writeDocs): Promise<WriteResult> {
  if (docs.length === 0) return { written: [], rejected: [] };
  try {
    await tx.savepoint(() => write(tx, graph, plan, docs));
    return { written: [...docs], rejected: [] };
  } catch (error) {
    if (classifyError(error) !== 'row') throw error;
    const [only] = docs;
    if (docs.length === 1 && only) {
      const dangling = describeForeignKeyViolation(error, (uuid) => objectIdFromUuidV7(uuid)?.toHexString());
      return { written: [], rejected: [{ doc: only.doc, sourceId: only.sourceId, stage: dangling ? 'link' : 'load', reason: dangling ?? describeDbError(error) }] };
    }
    const middle = Math.ceil(docs.length / 2);
    const first = await writeWithBisect(tx, graph, plan, docs.slice(0, middle), write);
    const second = await writeWithBisect(tx, graph, plan, docs.slice(middle), write);
    return { written: [...first.written, ...second.written], rejected: [...first.rejected, ...second.rejected] };
  }
}

/** Writes a batch's rows; a data error anywhere in it throws, for writeWithBisect to pin down. */
export type WriteDocs = (tx: WriteTx, graph: ModelGraph, plan: ModelPlan, docs: readonly PreparedDoc[]) => Promise<void>;

/**
 * Every row the documents become: the model's own and what they derive (appended, or through
 * `rowsBy`: a sync's upsert), and their links.
 */
export async function writeDocs(tx: WriteTx, graph: ModelGraph, plan: ModelPlan, docs: readonly PreparedDoc[], rowsBy?: (model: ModelSpec, rows: Row[]) => Promise<void>): Promise<void> {
  for (const name of [plan.model, ...plan.derived.map((d) => d.model)]) {
    const model = graph.models.get(name);
    if (!model) throw new Error(`the Prisma schema has no model ${name}`);
    if (name === plan.model && docs.some((d) => d.line !== undefined)) {
      // Never dropped in silence: only a preparer made for a writer with lines makes them.
      if (rowsBy || !tx.writeLines) throw new Error(`${plan.model}: documents prepared as COPY lines reached a write that takes rows`);
      await tx.writeLines(model, ownRows(name, docs));
      continue;
    }
    const rows = docs.flatMap((d) => d.rows.get(name) ?? []);
    if (rowsBy) await rowsBy(model, rows);
    else await tx.writeRows(model, rows);
  }
  for (const fill of plan.junctions) {
    const { junction, union } = fill;
    const pairs = docs.flatMap((d) => d.links.get(linkKey(fill)) ?? []);
    const stamps = junction.stamps ?? [];
    if (union) await writeUnion(tx, graph, junction, pairs);
    else if (stamps.length === 0) await tx.writeRaw(targetTable(junction.table), [junction.a.column, junction.b.column], pairs);
    else {
      const now = new Date().toISOString();
      await tx.writeRaw(targetTable(junction.table), [junction.a.column, junction.b.column, ...stamps], pairs.map((p) => [...p, ...stamps.map(() => now)]));
    }
  }
}

/** The documents' own rows as a writer with lines takes them: a compiled document (row-line.ts) brings its line, the others their row. */
export function ownRows(model: string, docs: readonly PreparedDoc[]): (Row | string)[] {
  const items: (Row | string)[] = [];
  for (const d of docs) {
    if (d.line !== undefined) items.push(d.line);
    else items.push(...(d.rows.get(model) ?? []));
  }
  return items;
}

/**
 * Both sides of a junction list the same pairs (a membership on the company and on the
 * contact): whichever side loads second skips the pairs already there, by the junction's
 * primary key or unique index. Idempotent, so a batch retried after a crash, or a resume,
 * writes exactly the pairs still missing; other columns get their default or NULL.
 */
async function writeUnion(tx: WriteTx, graph: ModelGraph, junction: JunctionSpec, pairs: readonly (readonly [string, string])[]): Promise<void> {
  if (pairs.length === 0) return;
  const type = (model: string) => {
    const id = graph.models.get(model)?.id;
    if (!id) throw new Error(`the Prisma schema has no model ${model}`);
    return expectedPgType(id);
  };
  const stamps = junction.stamps ?? [];
  await tx.query(
    `INSERT INTO ${quoteIdent(junction.table)} (${[junction.a.column, junction.b.column, ...stamps].map(quoteIdent).join(', ')})
     SELECT a::${type(junction.a.model)}, b::${type(junction.b.model)}${stamps.map(() => ', now()').join('')} FROM unnest($1::text[], $2::text[]) AS p(a, b)
     ON CONFLICT DO NOTHING`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
}
