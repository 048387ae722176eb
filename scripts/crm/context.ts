import type { ObjectId } from 'bson';
import type { IdSpace } from '../sample/ids.ts';
import type { Rand } from '../sample/random.ts';
import { rand } from '../sample/random.ts';
import type { CrmCollection, CrmCounts } from './counts.ts';
import { isDeleted } from './deleted.ts';
import type { CrmDirtPlan, DirtName, QuirkName } from './dirt.ts';
import { CRM_TIMELINE } from './timeline.ts';

/** Everything a document builder may depend on; all of it is fixed by scale and seed. */
export interface CrmContext {
  readonly seed: number;
  readonly counts: CrmCounts;
  readonly ids: IdSpace<CrmCollection>;
  readonly dirt: CrmDirtPlan;
}

/** The document's own PRNG stream: any document can be rebuilt alone, which is what lets the generator stream. */
export function rng(ctx: CrmContext, collection: CrmCollection, index: number, salt = ''): Rand {
  return rand(ctx.seed, collection, index, salt);
}

export function oid(ctx: CrmContext, collection: CrmCollection, index: number): ObjectId {
  return ctx.ids.oid(collection, index);
}

/** Is `index` the place of this planted defect or quirk? */
export function isAt(ctx: CrmContext, name: DirtName | QuirkName, index: number): boolean {
  return ctx.dirt.at[name] === index;
}

/** A document a clean one may point at: it exists and no planted defect gets it rejected. */
export function referenceable(ctx: CrmContext, collection: CrmCollection, index: number): boolean {
  return !isDeleted(collection, index) && ctx.dirt.rejected.get(collection)?.has(index) !== true;
}

/**
 * A referenceable `target` among its first `upper` ids. Index 0 is always referenceable, so
 * after a few unlucky draws (rare: deletions and dirt are sparse) it is the answer.
 */
export function pickLive(ctx: CrmContext, r: Rand, target: CrmCollection, upper = ctx.counts[target]): number {
  for (let attempt = 0; attempt < 16; attempt++) {
    const i = r.int(0, Math.max(0, upper - 1));
    if (referenceable(ctx, target, i)) return i;
  }
  return 0;
}

/**
 * A referenceable `target` created no later than the referencing document (a deal never
 * predates its company, a stage's creator was hired before the stage was set up). Ids grow
 * linearly in time, so the last target id by then is a division, not a search.
 */
export function pickEarlier(ctx: CrmContext, r: Rand, target: CrmCollection, from: CrmCollection, fromIndex: number): number {
  const n = ctx.counts[target];
  const elapsed = ctx.ids.seconds(from, fromIndex) - CRM_TIMELINE.epochSeconds;
  const upper = Math.min(n, Math.floor((elapsed * n) / CRM_TIMELINE.span(target)) + 1);
  return pickLive(ctx, r, target, upper);
}

/** A millisecond-precision time inside the second the document's ObjectId records. */
export function createdAtOf(ctx: CrmContext, r: Rand, collection: CrmCollection, index: number): Date {
  return new Date(ctx.ids.seconds(collection, index) * 1000 + r.int(0, 999));
}
