import type { Row } from '../check/row-check.ts';
import type { PreparedDoc } from '../load/prepare.ts';
import { writeDocs, type WriteDocs } from '../load/write-batch.ts';
import { linkKey, ownerColumnOf, type LinkFill, type ModelPlan } from '../plan/plan.ts';
import { getModel, keySql, keyText, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
import { expectedPgType } from '../schema/pg-types.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { WriteTx } from '../target/writer.ts';
import type { OtherSideLists } from '../validate/other-side.ts';

/** The staging table of an upsert: the transaction's own, gone at its commit. */
const STAGE = '_sync_stage';

/**
 * A sync's write of new and changed documents, for writeWithBisect: what the documents made
 * before and make no more goes (derived rows, the links on their side, the repairs made to
 * them), then their own and derived rows are upserted and their links written as a load writes them. Their own row is
 * updated in place, never deleted: other tables' rows reference it, and a delete would be
 * refused, or cascade, or set their references NULL. A new document has nothing to remove, so
 * one write serves both; its UUID is the one a full load gives it (the mapper is deterministic).
 *
 * A junction filled from both sides keeps a pair these documents no longer list while the
 * other side's documents list it (otherSide).
 */
export function replaceDocs(otherSide: OtherSideLists): WriteDocs {
  return async (tx, graph, plan, docs) => {
    await removeOldRows(tx, graph, plan, docs, otherSide);
    await writeDocs(tx, graph, plan, docs, (spec, rows) => upsert(tx, spec, rows));
  };
}

async function removeOldRows(tx: WriteTx, graph: ModelGraph, plan: ModelPlan, docs: readonly PreparedDoc[], otherSide: OtherSideLists): Promise<void> {
  const model = getModel(graph, plan.model);
  const keys = docs.map((d) => d.key);
  if (model.key.length === 1) {
    const keyType = expectedPgType(model.id);
    // A derived row the documents still make keeps its place (it is upserted, by its key: another
    // table may reference it); only the rows they no longer make go.
    for (const d of plan.derived) {
      const spec = getModel(graph, d.model);
      const owner = spec.columns.find((c) => c.field === d.ownerField);
      const made = docs.flatMap((doc) => (doc.rows.get(d.model) ?? []).map((row) => keyText(spec, row)));
      if (owner) await tx.query(`DELETE FROM ${quoteIdent(spec.table)} t WHERE t.${quoteIdent(owner.column)} = ANY($1::${keyType}[]) AND NOT (${keySql(spec, 't')} = ANY($2::text[]))`, [keys, made]);
    }
    for (const fill of plan.junctions) {
      if (!fill.union) {
        await tx.query(`DELETE FROM ${quoteIdent(fill.junction.table)} WHERE ${quoteIdent(ownerColumnOf(fill))} = ANY($1::${keyType}[])`, [keys]);
        continue;
      }
      // Both sides fill it: a pair these documents no longer list stays if the other side lists it.
      const expected = new Set(docs.flatMap((d) => (d.links.get(linkKey(fill)) ?? []).map(([a, b]) => `${a}/${b}`)));
      const stale = (await ownPairs(tx, graph, fill, keys)).filter(([a, b]) => !expected.has(`${a}/${b}`));
      const kept = await otherSide(fill, stale);
      await deletePairs(tx, graph, fill, stale.filter(([a, b]) => !kept.has(`${a}/${b}`)));
    }
  }
  await tx.query(`DELETE FROM _migration.repairs WHERE model = $1 AND owner_key = ANY($2::text[]) AND action <> 'kept'`, [plan.model, keys]);
}

/** The pairs of a junction whose side `fill` is one of these keys, as `[A, B]` text. */
export async function ownPairs(tx: WriteTx, graph: ModelGraph, fill: LinkFill, keys: readonly string[]): Promise<[string, string][]> {
  const { a, b } = fill.junction;
  const own = fill.ownerColumn === 'A' ? a : b;
  const rows = await tx.query<{ a: string; b: string }>(
    `SELECT ${quoteIdent(a.column)}::text AS a, ${quoteIdent(b.column)}::text AS b FROM ${quoteIdent(fill.junction.table)} WHERE ${quoteIdent(own.column)} = ANY($1::${expectedPgType(getModel(graph, own.model).id)}[])`,
    [keys],
  );
  return rows.map((r) => [r.a, r.b]);
}

export async function deletePairs(tx: WriteTx, graph: ModelGraph, fill: LinkFill, pairs: readonly (readonly [string, string])[]): Promise<void> {
  if (pairs.length === 0) return;
  const { a, b } = fill.junction;
  const type = (model: string) => expectedPgType(getModel(graph, model).id);
  await tx.query(
    `DELETE FROM ${quoteIdent(fill.junction.table)} j USING unnest($1::${type(a.model)}[], $2::${type(b.model)}[]) AS p(a, b) WHERE j.${quoteIdent(a.column)} = p.a AND j.${quoteIdent(b.column)} = p.b`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
}

/** Rows in by their key: inserted when new, every other column set when there. */
async function upsert(tx: WriteTx, model: ModelSpec, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  // The columns' types only, no NOT NULL, key or reference: the real table checks them all, so its
  // errors name it (and read as a full load's do in the error log).
  const list = model.columns.map((c) => quoteIdent(c.column)).join(', ');
  await tx.query(`CREATE TEMP TABLE IF NOT EXISTS ${STAGE} ON COMMIT DROP AS SELECT ${list} FROM ${quoteIdent(model.table)} WITH NO DATA`);
  await tx.writeRows({ ...model, table: STAGE }, rows);
  const columns = model.columns.map((c) => quoteIdent(c.column));
  const keyColumns = new Set(model.key.map((c) => c.column));
  const set = model.columns.filter((c) => !keyColumns.has(c.column)).map((c) => `${quoteIdent(c.column)} = EXCLUDED.${quoteIdent(c.column)}`);
  await tx.query(
    `INSERT INTO ${quoteIdent(model.table)} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${STAGE}
     ON CONFLICT (${model.key.map((c) => quoteIdent(c.column)).join(', ')}) DO ${set.length === 0 ? 'NOTHING' : `UPDATE SET ${set.join(', ')}`}`,
  );
  // A second model in the same transaction has other columns.
  await tx.query(`DROP TABLE ${STAGE}`);
}
