import { getModel, type ModelGraph } from '../schema/model-graph.ts';
import { expectedPgType, keyIn } from '../schema/pg-types.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { Writer } from '../target/writer.ts';
import type { Fixup } from './reference-check.ts';

/**
 * The references two held-back documents make to each other (a new author whose favourite is
 * their new book; a new product and a new tag listing each other), set now that both are in:
 * in one transaction, so what a fresh load writes at once is whole again when it commits. A
 * sync killed before this finds those documents changed next time (the column is NULL where
 * the source names the other) and sets them then.
 */
export async function applyFixups(writer: Writer, graph: ModelGraph, fixups: readonly Fixup[]): Promise<void> {
  if (fixups.length === 0) return;
  await writer.transaction(async (tx) => {
    for (const f of fixups) {
      if (f.kind === 'column') {
        await tx.query(`UPDATE ${quoteIdent(f.model.table)} t SET ${quoteIdent(f.column.column)} = $2::${expectedPgType(f.column)} WHERE ${keyIn(f.model, 't', '$1')}`, [[f.key], f.value]);
        continue;
      }
      const { junction, pair } = f;
      const type = (model: string) => expectedPgType(getModel(graph, model).id);
      const stamps = junction.stamps ?? [];
      await tx.query(
        `INSERT INTO ${quoteIdent(junction.table)} (${[junction.a.column, junction.b.column, ...stamps].map(quoteIdent).join(', ')})
         VALUES ($1::${type(junction.a.model)}, $2::${type(junction.b.model)}${stamps.map(() => ', now()').join('')}) ON CONFLICT DO NOTHING`,
        [pair[0], pair[1]],
      );
    }
  });
}
