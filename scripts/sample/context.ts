import type { CollectionName } from './collection-names.ts';
import type { Counts } from './counts.ts';
import type { DirtPlan } from './dirt.ts';
import { dirtyIndices, skipDirty } from './dirt.ts';
import type { IdSpace } from './ids.ts';
import type { MoneyMode } from './money.ts';
import type { Rand } from './random.ts';
import { rand } from './random.ts';

/** Everything a document builder may depend on; all of it is fixed by the options. */
export interface Context {
  readonly seed: number;
  readonly money: MoneyMode;
  readonly counts: Counts;
  readonly ids: IdSpace;
  readonly dirt: DirtPlan;
}

export function rng(ctx: Context, collection: CollectionName, index: number, salt = ''): Rand {
  return rand(ctx.seed, collection, index, salt);
}

/** Uniform pick among the clean documents with index < upper (never a dirty one). */
export function pickClean(ctx: Context, r: Rand, collection: CollectionName, upper = ctx.counts[collection]): number {
  const dirty = dirtyIndices(ctx.dirt, collection);
  let clean = upper;
  for (const d of dirty) if (d < upper) clean--;
  if (clean <= 0) throw new Error(`no clean ${collection} below index ${upper}`);
  return skipDirty(r.int(0, clean - 1), dirty);
}

/**
 * Picks a clean `target` document no later in time than the referencing one, so
 * an order never predates its customer. Both spread over the same span, so
 * "earlier" is just the same fraction of the other collection.
 */
export function pickEarlier(ctx: Context, r: Rand, target: CollectionName, from: CollectionName, fromIndex: number): number {
  const n = ctx.counts[target];
  const upper = Math.min(n, Math.floor((fromIndex * n) / ctx.counts[from]) + 1);
  // Never empty: planDirt keeps index 0 of every collection clean.
  return pickClean(ctx, r, target, upper);
}

/** A millisecond-precision time inside the second its ObjectId records. */
export function dateOf(ctx: Context, r: Rand, collection: CollectionName, index: number): Date {
  return new Date(ctx.ids.seconds(collection, index) * 1000 + r.int(0, 999));
}
