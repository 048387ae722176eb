import type { Document, ObjectId } from 'bson';
import type { Context } from '../context.ts';
import { dateOf, rng } from '../context.ts';
import { danglingProductTag } from '../dirt.ts';
import { money } from '../money.ts';
import type { Rand } from '../random.ts';
import { ADJECTIVES, COLORS, NOUNS, SIZES } from '../text.ts';
import type { CollectionSpec } from './spec.ts';

/** A pure function of the product, so order lines can quote it without a lookup. */
export function priceCents(ctx: Context, product: number): number {
  const r = rng(ctx, 'products', product, 'price');
  const kind = r.weighted([['psychological', 4], ['round', 2], ['any', 4]] as const);
  // Round prices are integral on purpose: they catch Double/int32 mix-ups.
  if (kind === 'psychological') return r.int(0, 299) * 100 + 99;
  if (kind === 'round') return r.int(1, 500) * 100;
  return r.int(1, 99_999);
}

/** Up to `max` distinct indices below `n`; rejection is fine because max is tiny. */
export function distinctPicks(r: Rand, n: number, max: number): number[] {
  const k = Math.min(r.int(0, max), n);
  const out: number[] = [];
  while (out.length < k) {
    const x = r.int(0, n - 1);
    if (!out.includes(x)) out.push(x);
  }
  return out;
}

function attributes(r: Rand): Document {
  const a: Document = { color: r.pick(COLORS) };
  if (r.chance(0.5)) a.size = r.pick(SIZES);
  if (r.chance(0.6)) {
    a.dimensions = { w: r.int(1, 1200) / 10, h: r.int(1, 1200) / 10, d: r.int(1, 600) / 10, unit: 'cm' };
  }
  if (r.chance(0.2)) a.materials = r.chance(0.5) ? ['cotton', 'polyester'] : ['bois', 'métal'];
  if (r.chance(0.1)) a.warranty = null;
  return a;
}

function build(ctx: Context, i: number): Document {
  const r = rng(ctx, 'products', i);
  const doc: Document = {
    _id: ctx.ids.oid('products', i),
    sku: `SKU-${String(i).padStart(7, '0')}`,
    name: `${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}`,
    price: money(ctx.money, priceCents(ctx, i)),
    stock: r.chance(0.1) ? 0 : r.int(1, 500),
  };
  const active = r.next();
  if (active < 0.7) doc.active = true;
  else if (active < 0.85) doc.active = false;
  if (r.chance(0.75)) doc.attributes = attributes(r);
  doc.categoryId = ctx.ids.oid('categories', r.int(0, ctx.counts.categories - 1));
  const tagIds: ObjectId[] = distinctPicks(r, ctx.counts.tags, 4).map((t) => ctx.ids.oid('tags', t));
  if (i === ctx.dirt.productDanglingTag) {
    if (tagIds.length === 0) tagIds.push(ctx.ids.oid('tags', 0));
    tagIds.splice(1, 0, danglingProductTag(ctx.ids, ctx.dirt));
  }
  doc.tagIds = tagIds;
  doc.createdAt = dateOf(ctx, r, 'products', i);
  return doc;
}

export const products: CollectionSpec = {
  name: 'products',
  model: 'Product',
  uniqueIndexes: [{ key: { sku: 1 }, name: 'sku_1' }],
  build,
};
