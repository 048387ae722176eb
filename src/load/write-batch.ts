import type { ModelPlan } from '../plan/plan.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import { objectIdFromUuidV7 } from '../ids/uuid.ts';
import { classifyError, describeDbError, describeForeignKeyViolation } from '../target/errors.ts';
import { targetTable } from '../target/identifiers.ts';
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
export async function writeWithBisect(tx: WriteTx, graph: ModelGraph, plan: ModelPlan, docs: readonly PreparedDoc[]): Promise<WriteResult> {
  if (docs.length === 0) return { written: [], rejected: [] };
  try {
    await tx.savepoint(() => writeDocs(tx, graph, plan, docs));
    return { written: [...docs], rejected: [] };
  } catch (error) {
    if (classifyError(error) !== 'row') throw error;
    const [only] = docs;
    if (docs.length === 1 && only) {
      const dangling = describeForeignKeyViolation(error, (uuid) => objectIdFromUuidV7(uuid)?.toHexString());
      return { written: [], rejected: [{ doc: only.doc, sourceId: only.sourceId, stage: dangling ? 'link' : 'load', reason: dangling ?? describeDbError(error) }] };
    }
    const middle = Math.ceil(docs.length / 2);
    const first = await writeWithBisect(tx, graph, plan, docs.slice(0, middle));
    const second = await writeWithBisect(tx, graph, plan, docs.slice(middle));
    return { written: [...first.written, ...second.written], rejected: [...first.rejected, ...second.rejected] };
  }
}

async function writeDocs(tx: WriteTx, graph: ModelGraph, plan: ModelPlan, docs: readonly PreparedDoc[]): Promise<void> {
  for (const name of [plan.model, ...plan.derived.map((d) => d.model)]) {
    const model = graph.models.get(name);
    if (!model) throw new Error(`the Prisma schema has no model ${name}`);
    await tx.writeRows(model, docs.flatMap((d) => d.rows.get(name) ?? []));
  }
  for (const { junction } of plan.junctions) {
    await tx.writeRaw(targetTable(junction.table), ['A', 'B'], docs.flatMap((d) => d.links.get(junction.table) ?? []));
  }
}
