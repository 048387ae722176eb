// The source collections, in an order where every referenced collection comes first,
// so a live insert never holds a reference to something not yet written.
export const COLLECTIONS = [
  'users',
  'profiles',
  'categories',
  'tags',
  'products',
  'orders',
  'reviews',
  'posts',
  'comments',
  'audit_logs',
] as const;

export type CollectionName = (typeof COLLECTIONS)[number];

export function isCollectionName(name: string): name is CollectionName {
  return (COLLECTIONS as readonly string[]).includes(name);
}
