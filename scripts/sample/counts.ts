import type { CollectionName } from './collection-names.ts';

export type Counts = Readonly<Record<CollectionName, number>>;

/** The ObjectId counter is 3 bytes wide, and it is the document's index. */
export const MAX_PER_COLLECTION = 0xffffff;

/** Planted-dirt documents that the counts below must leave room for. */
export const DIRTY_USERS = 2;
export const DIRTY_PRODUCTS = 1;

function scaled(base: number, scale: number, minimum: number): number {
  return Math.max(minimum, Math.round(base * scale));
}

export function countsFor(scale: number): Counts {
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`scale must be a positive number, got ${scale}`);
  const users = scaled(200, scale, 8);
  const products = scaled(300, scale, 6);
  const cleanUsers = users - DIRTY_USERS;
  const cleanProducts = products - DIRTY_PRODUCTS;
  const counts: Record<CollectionName, number> = {
    users,
    // At most one profile per clean user, by construction.
    profiles: Math.max(3, Math.floor(cleanUsers * 0.75)),
    // Catalogue vocabularies grow with the square root: a 1000x shop has more
    // categories, not 1000x more, and names/slugs stay readable.
    categories: scaled(24, Math.sqrt(scale), 6),
    tags: scaled(40, Math.sqrt(scale), 6),
    products,
    orders: scaled(400, scale, 5),
    // Each review is a distinct (product, user) pair, so there can be no more than that.
    reviews: Math.min(scaled(500, scale, 5), cleanProducts * cleanUsers),
    posts: scaled(150, scale, 5),
    comments: scaled(600, scale, 8),
    audit_logs: scaled(1000, scale, 10),
  };
  for (const [name, n] of Object.entries(counts)) {
    if (n > MAX_PER_COLLECTION) {
      throw new Error(`scale ${scale} gives ${n} ${name}, more than the 3-byte ObjectId counter holds`);
    }
  }
  return counts;
}
