import type { Document } from 'bson';
import type { CollectionName } from '../collection-names.ts';
import type { Context } from '../context.ts';

export interface UniqueIndex {
  key: Readonly<Record<string, 1>>;
  name: string;
}

export interface CollectionSpec {
  name: CollectionName;
  /** The Prisma model this collection feeds. */
  model: string;
  uniqueIndexes: readonly UniqueIndex[];
  build(ctx: Context, index: number): Document;
}
