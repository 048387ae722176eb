import type pg from 'pg';
import { parseSourceId, type SourceId } from '../ids/source-id.ts';
import type { Preparer } from '../load/prepare.ts';
import { linkKey, type LinkFill, type ModelPlan } from '../plan/plan.ts';
import type { Source } from '../sources/source.ts';

/** Of these junction pairs (`[A, B]`), the ones the other side's documents list now, as `a/b`. */
export type OtherSideLists = (fill: LinkFill, pairs: readonly (readonly [string, string])[]) => Promise<Set<string>>;

/**
 * A junction filled from both sides (a membership listed on the company and on the contact, as
 * Prisma's MongoDB many-to-many stores it) holds a pair while either side lists it. When one
 * side stops listing a pair, or leaves, only the other side's documents can tell whether the
 * pair stays: they are read again from the source and prepared as the load prepares them.
 */
export function otherSideLister(plans: readonly ModelPlan[], preparerOf: (plan: ModelPlan) => Preparer, source: Source, pool: Pick<pg.Pool, 'query'>): OtherSideLists {
  return async (fill, pairs) => {
    const listed = new Set<string>();
    if (pairs.length === 0) return listed;
    const otherColumn = fill.ownerColumn === 'A' ? 'B' : 'A';
    for (const plan of plans) {
      for (const other of plan.junctions.filter((f) => f.junction.table === fill.junction.table && f.ownerColumn === otherColumn)) {
        const index = other.ownerColumn === 'A' ? 0 : 1;
        const keys = [...new Set(pairs.map((p) => p[index]))];
        const { rows } = await pool.query<{ source_id: string; source_kind: 'objectId' | 'int' | 'string' }>(
          `SELECT source_id, source_kind FROM _migration.id_map WHERE model = $1 AND target_key = ANY($2::text[])`,
          [plan.model, keys],
        );
        const ids: SourceId[] = rows.map((r) => parseSourceId(r.source_id, r.source_kind));
        const preparer = preparerOf(plan);
        for (const doc of ids.length > 0 ? await source.fetch(plan.collection, ids) : []) {
          const prepared = preparer.prepare(doc);
          if (prepared.ok !== true) continue;
          for (const [a, b] of prepared.value.links.get(linkKey(other)) ?? []) listed.add(`${a}/${b}`);
        }
      }
    }
    return listed;
  };
}
