import type { CrmCollection } from './counts.ts';

// Hard-deleted documents: their ids were handed out (the ObjectId counter moved on) but the
// documents are gone, as in any app that has run for years. They are what the dangling
// references in dirt.json point at. Spaced out, and never index 0, so a live neighbour is
// always at hand.
const DELETED_EVERY: Partial<Record<CrmCollection, { every: number; at: number }>> = {
  companies: { every: 50, at: 17 },
  contacts: { every: 40, at: 23 },
};

export function isDeleted(collection: CrmCollection, index: number): boolean {
  const rule = DELETED_EVERY[collection];
  return rule !== undefined && index % rule.every === rule.at;
}

/** The first deleted index at or after `from`; every collection used with it has deletions. */
export function deletedAtOrAfter(collection: CrmCollection, from: number): number {
  const rule = DELETED_EVERY[collection];
  if (rule === undefined) throw new Error(`${collection} has no deleted documents`);
  const base = from - (from % rule.every) + rule.at;
  return base >= from ? base : base + rule.every;
}

/** How many documents survive among `ids` ids. */
export function liveCount(collection: CrmCollection, ids: number): number {
  const rule = DELETED_EVERY[collection];
  if (rule === undefined) return ids;
  const deleted = Math.floor(ids / rule.every) + (ids % rule.every > rule.at ? 1 : 0);
  return ids - deleted;
}
