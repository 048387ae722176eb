import type { SampledCollection } from './sampled-collection.ts';

/** Where a field's ObjectIds were found: the collection holding most of them, and how many dangle. */
export interface ResolvedReference {
  collection: string;
  sampled: number;
  found: number;
}

/** Half the sampled ids must be `_id`s of one collection for a reference (as the run's own "by ids sampled" rule). */
export const REFERENCE_SHARE = 0.5;

/**
 * Looks every sampled ObjectId of the given paths up among the `_id`s of every collection (one
 * lookup per collection for all paths at once: one pass over a dump file, `$in` queries on a
 * server) and resolves each path to the collection where at least half of its ids are.
 */
export async function resolveReferences(
  collections: readonly SampledCollection[],
  paths: readonly { collection: string; factsPath: string }[],
  idsFound: (collection: string, ids: readonly string[]) => Promise<Set<string>>,
): Promise<Map<string, ResolvedReference | { collection: undefined; sampled: number; found: 0 }>> {
  const idsOf = (p: { collection: string; factsPath: string }): Set<string> =>
    collections.find((c) => c.collection === p.collection)?.facts.get(p.factsPath)?.objectIds ?? new Set();
  const all = new Set<string>();
  for (const p of paths) for (const id of idsOf(p)) all.add(id);
  const foundIn = new Map<string, Set<string>>();
  if (all.size > 0) for (const c of collections) foundIn.set(c.collection, await idsFound(c.collection, [...all]));
  const out = new Map<string, ResolvedReference | { collection: undefined; sampled: number; found: 0 }>();
  for (const p of paths) {
    const ids = [...idsOf(p)];
    let best: ResolvedReference | undefined;
    for (const [collection, found] of foundIn) {
      const n = ids.filter((id) => found.has(id)).length;
      if (n > 0 && (!best || n > best.found)) best = { collection, sampled: ids.length, found: n };
    }
    out.set(referenceKey(p), best && best.found >= REFERENCE_SHARE * ids.length ? best : { collection: undefined, sampled: ids.length, found: 0 });
  }
  return out;
}

export function referenceKey(p: { collection: string; factsPath: string }): string {
  return `${p.collection}\u0000${p.factsPath}`;
}
