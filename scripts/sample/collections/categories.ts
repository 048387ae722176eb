import type { Document } from 'bson';
import type { Context } from '../context.ts';
import { rng } from '../context.ts';
import type { CollectionSpec } from './spec.ts';

/** Names with hand-made slugs, so non-Latin names still get a readable unique slug. */
const BASE: readonly (readonly [string, string])[] = [
  ['Electronics', 'electronics'], ['Home & Kitchen', 'home-kitchen'], ['Books', 'books'],
  ['Mode & Accessoires', 'mode-accessoires'], ['Sports', 'sports'], ['Garden', 'garden'],
  ['Audio', 'audio'], ['Cuisine', 'cuisine'], ['Bücher', 'buecher'], ['Café & Thé', 'cafe-the'],
  ['日本の雑貨', 'japanese-goods'], ['Outdoor', 'outdoor'], ['Toys', 'toys'], ['Lighting', 'lighting'],
  ['Bags', 'bags'], ['Stationery', 'stationery'], ['Headphones', 'headphones'], ['Tea', 'tea'],
  ['Running', 'running'], ['Camping', 'camping'], ['Decor', 'decor'], ['Kids', 'kids'],
  ['Vinyl "Records"', 'vinyl-records'], ['Crafts', 'crafts'],
];

/** Past the hand-made list a round number keeps names and slugs unique. */
function nameAndSlug(i: number): [string, string] {
  const [name, slug] = BASE[i % BASE.length] as readonly [string, string];
  const round = Math.floor(i / BASE.length);
  return round === 0 ? [name, slug] : [`${name} ${round + 1}`, `${slug}-${round + 1}`];
}

/**
 * Bands of indices fix the depth without recursion: roots first, then categories
 * whose parent is a root, then categories whose parent is any earlier root or
 * second-level one — so the tree is at most 3 levels deep.
 */
export function categoryParent(ctx: Context, i: number): number | undefined {
  const n = ctx.counts.categories;
  const roots = Math.max(2, Math.ceil(n / 6));
  const secondLevelEnd = Math.max(roots + 1, Math.ceil(n / 2));
  if (i < roots) return undefined;
  const r = rng(ctx, 'categories', i, 'parent');
  return r.int(0, (i < secondLevelEnd ? roots : secondLevelEnd) - 1);
}

function build(ctx: Context, i: number): Document {
  const [name, slug] = nameAndSlug(i);
  const doc: Document = { _id: ctx.ids.oid('categories', i), name, slug };
  const parent = categoryParent(ctx, i);
  if (parent !== undefined) doc.parentId = ctx.ids.oid('categories', parent);
  return doc;
}

export const categories: CollectionSpec = {
  name: 'categories',
  model: 'Category',
  uniqueIndexes: [{ key: { slug: 1 }, name: 'slug_1' }],
  build,
};
