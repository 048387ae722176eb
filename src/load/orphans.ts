import type pg from 'pg';
import { ownerColumnOf, type LinkFill, type ModelPlan } from '../plan/plan.ts';
import { keySql, type JunctionSpec, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
import { quoteIdent, quoteTable } from '../target/writer.ts';

/** A reference in the target that points at no row: the document that holds it must go. */
export interface Orphan {
  /** The source model whose document holds the reference, and that document's key in the target. */
  ownerModel: string;
  ownerKey: string;
  /** For the error log: which field, and the key it points at. */
  field: string;
  targetModel: string;
  targetKey: string;
}

/** One reference to check: a foreign-key column or one column of a junction table. */
interface Reference {
  table: string;
  column: string;
  targetTable: string;
  targetColumn: string;
  targetModel: string;
  field: string;
  /** SQL over alias `c` naming the owning document's key (its key, its owner field, or the junction's owner side). */
  ownerKey: string;
  ownerModel: string;
  /** The reference IS the owner link: the row belongs to a document that is already gone. */
  isOwnerLink: boolean;
}

/**
 * Every reference the load can leave dangling, with the document that owns it: the row's own
 * document for a source model, the embedding document for a derived row, the side holding
 * the array for a junction row.
 */
export function listReferences(graph: ModelGraph, plans: readonly ModelPlan[]): Reference[] {
  const refs: Reference[] = [];
  const model = (name: string): ModelSpec => {
    const m = graph.models.get(name);
    if (!m) throw new Error(`the Prisma schema has no model ${name}`);
    return m;
  };
  for (const plan of plans) {
    const own = model(plan.model);
    const holders: { spec: ModelSpec; ownerKey: string; ownerLink?: string }[] = [{ spec: own, ownerKey: keySql(own, 'c') }];
    for (const d of plan.derived) {
      const spec = model(d.model);
      const ownerColumn = spec.columns.find((c) => c.field === d.ownerField)?.column ?? d.ownerField;
      holders.push({ spec, ownerKey: `c.${quoteIdent(ownerColumn)}::text`, ownerLink: d.ownerField });
    }
    for (const { spec, ownerKey, ownerLink } of holders) {
      for (const r of spec.relations) {
        const [column] = r.fromColumns;
        const [targetColumn] = r.toColumns;
        if (!column || !targetColumn || r.fromColumns.length !== 1) continue;
        const target = model(r.target);
        const targetCol = target.columns.find((c) => c.field === targetColumn)?.column ?? targetColumn;
        refs.push({
          table: spec.table, column, targetTable: target.table, targetColumn: targetCol, targetModel: r.target,
          field: `${spec.name}.${r.fromFields[0] ?? column}`, ownerKey, ownerModel: plan.model, isOwnerLink: r.fromFields[0] === ownerLink,
        });
      }
    }
  }
  // Per junction, not per plan: with both sides filling it (a union), a dangling id on one side is
  // held by the other side's document; with one side filling it, a row whose own side is gone went with it.
  const junctions = new Map<string, { junction: JunctionSpec; fills: LinkFill[] }>();
  for (const plan of plans) {
    for (const fill of plan.junctions) {
      const entry = junctions.get(fill.junction.table) ?? { junction: fill.junction, fills: [] };
      entry.fills.push(fill);
      junctions.set(fill.junction.table, entry);
    }
  }
  for (const { junction, fills } of junctions.values()) {
    for (const side of ['A', 'B'] as const) {
      const end = side === 'A' ? junction.a : junction.b;
      const target = model(end.model);
      const holder = fills.find((f) => f.ownerColumn !== side) ?? fills.find((f) => f.ownerColumn === side);
      if (!holder) continue;
      const holderEnd = holder.ownerColumn === 'A' ? junction.a : junction.b;
      refs.push({
        table: junction.table, column: end.column, targetTable: target.table, targetColumn: target.id.column, targetModel: end.model,
        field: `${holderEnd.model}.${holder.sourceField ?? holderEnd.field}`, ownerKey: `c.${quoteIdent(ownerColumnOf(holder))}::text`, ownerModel: holderEnd.model, isOwnerLink: holder.ownerColumn === side,
      });
    }
  }
  return refs;
}

/**
 * Finds dangling references. Rows whose owner is already gone are deleted on the spot (they
 * went with their document); the rest are returned so their documents can be rejected.
 */
export async function findOrphans(client: pg.PoolClient, refs: readonly Reference[], limit = 10_000): Promise<Orphan[]> {
  const orphans: Orphan[] = [];
  for (const ref of refs) {
    const dangling = `${quoteIdent(ref.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quoteTable(ref.targetTable)} p WHERE p.${quoteIdent(ref.targetColumn)} = c.${quoteIdent(ref.column)})`;
    if (ref.isOwnerLink) {
      await client.query(`DELETE FROM ${quoteTable(ref.table)} c WHERE ${dangling}`);
      continue;
    }
    const { rows } = await client.query<{ owner: string; target: string }>(
      `SELECT ${ref.ownerKey} AS owner, c.${quoteIdent(ref.column)}::text AS target FROM ${quoteTable(ref.table)} c WHERE ${dangling} LIMIT ${limit}`,
    );
    for (const row of rows) {
      orphans.push({ ownerModel: ref.ownerModel, ownerKey: row.owner, field: ref.field, targetModel: ref.targetModel, targetKey: row.target });
    }
  }
  return orphans;
}
