import type { Document } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, oid, rng } from '../context.ts';
import { mongooseStamps } from '../values.ts';
import type { CrmCollectionSpec } from './spec.ts';

const NAMES = [
  'vip', 'churn-risk', 'partner', 'newsletter', 'trade-show-2023', 'inbound', 'outbound', 'référence',
  'enterprise', 'smb', 'öffentlich', 'renewal', 'upsell', '要フォロー', 'do-not-call', 'beta',
] as const;

/** Unique: the list is cycled with a numeric suffix once exhausted. */
export function tagName(index: number): string {
  const base = NAMES[index % NAMES.length] as string;
  return index < NAMES.length ? base : `${base}-${Math.floor(index / NAMES.length) + 1}`;
}

function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'tags', i);
  const doc: Document = { _id: oid(ctx, 'tags', i), name: tagName(i) };
  if (r.chance(0.6)) doc.color = r.pick(['red', 'green', 'blue', 'orange', 'grey']);
  return { ...doc, ...mongooseStamps(r, createdAtOf(ctx, r, 'tags', i)) };
}

export const tags: CrmCollectionSpec = {
  name: 'tags',
  model: 'Tag',
  uniqueIndexes: [{ key: { name: 1 }, name: 'name_1' }],
  build,
};
