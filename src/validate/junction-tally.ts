import type pg from 'pg';
import type { LinkFill } from '../plan/plan.ts';
import type { JunctionSpec } from '../schema/model-graph.ts';
import { expectedPgType } from '../schema/pg-types.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { Findings } from './findings.ts';

interface Entry {
  junction: JunctionSpec;
  /** Pairs `a/b` the compared documents of either side produce. */
  expected: Set<string>;
  /** Pairs in the target whose a (or b) is a compared document of side A (or B). */
  actual: Set<string>;
  /** Keys of the compared documents, per side. */
  seen: { A: Set<string>; B: Set<string> };
  /** The sides that fill it. */
  sides: Set<'A' | 'B'>;
}

/**
 * A junction filled from both sides holds the union of their pairs, so no one side's documents
 * explain its rows: the pairs are gathered over both passes and compared per junction. A pair
 * is extra only when every filling side's document of it was compared (a --sample may skip one).
 */
export class JunctionTally {
  private readonly entries = new Map<string, Entry>();

  record(fill: LinkFill, keys: readonly string[], expected: ReadonlySet<string>, actual: ReadonlySet<string>): void {
    const j = fill.junction;
    const entry = this.entries.get(j.table) ?? { junction: j, expected: new Set(), actual: new Set(), seen: { A: new Set(), B: new Set() }, sides: new Set() };
    this.entries.set(j.table, entry);
    entry.sides.add(fill.ownerColumn);
    for (const k of keys) entry.seen[fill.ownerColumn].add(k);
    for (const p of expected) entry.expected.add(p);
    for (const p of actual) entry.actual.add(p);
  }

  async finish(client: pg.PoolClient, graph: ModelGraph, findings: Findings): Promise<void> {
    for (const { junction, expected, actual, seen, sides } of this.entries.values()) {
      const missing = [...expected].filter((p) => !actual.has(p));
      // A pair whose other end was rejected cannot be in the target: that rejection is in the error log.
      for (const pair of await bothEndsLoaded(client, graph, junction, missing)) {
        findings.add('content', junction.table, 'missing-link', 'a many-to-many link of the source is not in the target', pair);
      }
      for (const pair of actual) {
        if (expected.has(pair)) continue;
        const [a = '', b = ''] = pair.split('/');
        if ((!sides.has('A') || seen.A.has(a)) && (!sides.has('B') || seen.B.has(b))) {
          findings.add('content', junction.table, 'extra-link', 'a many-to-many link in the target is not in the source (neither side lists it)', pair);
        }
      }
    }
  }
}

async function bothEndsLoaded(client: pg.PoolClient, graph: ModelGraph, j: JunctionSpec, pairs: readonly string[]): Promise<string[]> {
  if (pairs.length === 0) return [];
  const a = graph.models.get(j.a.model);
  const b = graph.models.get(j.b.model);
  if (!a || !b) return [...pairs];
  const split = pairs.map((p) => p.split('/'));
  const { rows } = await client.query<{ pair: string }>(
    `SELECT p.a || '/' || p.b AS pair FROM unnest($1::text[], $2::text[]) AS p(a, b)
     WHERE EXISTS (SELECT 1 FROM ${quoteIdent(a.table)} x WHERE x.${quoteIdent(a.id.column)} = p.a::${expectedPgType(a.id)})
       AND EXISTS (SELECT 1 FROM ${quoteIdent(b.table)} y WHERE y.${quoteIdent(b.id.column)} = p.b::${expectedPgType(b.id)})`,
    [split.map((s) => s[0] ?? ''), split.map((s) => s[1] ?? '')],
  );
  return rows.map((r) => r.pair);
}
