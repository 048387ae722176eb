import type { CollectionName } from '../collection-names.ts';
import { auditLogs } from './audit-logs.ts';
import { categories } from './categories.ts';
import { comments } from './comments.ts';
import { orders } from './orders.ts';
import { posts } from './posts.ts';
import { products } from './products.ts';
import { profiles } from './profiles.ts';
import { reviews } from './reviews.ts';
import type { CollectionSpec } from './spec.ts';
import { tags } from './tags.ts';
import { users } from './users.ts';

export type { CollectionSpec, UniqueIndex } from './spec.ts';

export const SPECS: Readonly<Record<CollectionName, CollectionSpec>> = {
  users,
  profiles,
  categories,
  tags,
  products,
  orders,
  reviews,
  posts,
  comments,
  audit_logs: auditLogs,
};
