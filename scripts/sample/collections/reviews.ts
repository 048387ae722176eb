import type { Document } from 'bson';
import type { Context } from '../context.ts';
import { dateOf, rng } from '../context.ts';
import { danglingReviewProduct, dirtyIndices, skipDirty } from '../dirt.ts';
import { paragraphs } from '../text.ts';
import type { CollectionSpec } from './spec.ts';

/**
 * Review i -> a (product, user) pair that no other review gets: the product rank
 * is i mod P and the user rank is (i div P + a per-product offset) mod U. For a
 * fixed product, i div P is distinct and below U (counts caps reviews at P*U), so
 * the users are distinct too.
 */
export function reviewPair(ctx: Context, i: number): { product: number; user: number } {
  const dirtyProducts = dirtyIndices(ctx.dirt, 'products');
  const dirtyUsers = dirtyIndices(ctx.dirt, 'users');
  const cleanProducts = ctx.counts.products - dirtyProducts.length;
  const cleanUsers = ctx.counts.users - dirtyUsers.length;
  const productRank = i % cleanProducts;
  const offset = rng(ctx, 'reviews', productRank, 'pair-offset').int(0, cleanUsers - 1);
  const userRank = (Math.floor(i / cleanProducts) + offset) % cleanUsers;
  return { product: skipDirty(productRank, dirtyProducts), user: skipDirty(userRank, dirtyUsers) };
}

function build(ctx: Context, i: number): Document {
  const r = rng(ctx, 'reviews', i);
  const { product, user } = reviewPair(ctx, i);
  const doc: Document = {
    _id: ctx.ids.oid('reviews', i),
    productId: i === ctx.dirt.reviewDanglingProduct ? danglingReviewProduct(ctx.ids, ctx.dirt) : ctx.ids.oid('products', product),
    userId: ctx.ids.oid('users', user),
    rating: i === ctx.dirt.reviewWrongType ? 'five' : r.weighted([[5, 40], [4, 30], [3, 15], [2, 8], [1, 7]] as const),
  };
  if (r.chance(0.7)) doc.body = paragraphs(r, 1, 3);
  doc.createdAt = dateOf(ctx, r, 'reviews', i);
  return doc;
}

export const reviews: CollectionSpec = {
  name: 'reviews',
  model: 'Review',
  uniqueIndexes: [{ key: { productId: 1, userId: 1 }, name: 'productId_1_userId_1' }],
  build,
};
