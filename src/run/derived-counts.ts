import { derivedSource } from '../plan/describe-embedded.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import type { Target } from '../target/connection.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { DerivedSummary } from './summary.ts';

/** Rows in the tables filled from embedded documents and arrays of ids, counted in the target. */
export async function derivedCounts(target: Target, graph: ModelGraph, plans: readonly ModelPlan[]): Promise<DerivedSummary[]> {
  const out: DerivedSummary[] = [];
  for (const p of plans) {
    const tables = [
      ...p.derived.map((d) => ({ table: graph.models.get(d.model)?.table ?? d.model, from: `${derivedSource(p, d.model)} (embedded)` })),
      ...p.junctions.map((j) => ({ table: j.junction.table, from: `${p.model}.${j.sourceField ?? (j.ownerColumn === 'A' ? j.junction.a.field : j.junction.b.field)}` })),
    ];
    for (const t of tables) {
      // A junction filled from both sides is counted once, its row naming both arrays.
      const seen = out.find((o) => o.table === t.table);
      if (seen) {
        seen.from = `${seen.from} ∪ ${t.from}`;
        continue;
      }
      const { rows } = await target.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(t.table)}`);
      out.push({ ...t, rows: Number(rows[0]?.n ?? 0) });
    }
  }
  return out;
}

