import type { Document } from 'bson';
import type { UniqueIndex } from '../../sample/collections/spec.ts';
import type { CrmCollection } from '../counts.ts';
import type { CrmContext } from '../context.ts';

export interface CrmCollectionSpec {
  name: CrmCollection;
  /** The Prisma model of prisma/crm.prisma this collection feeds. */
  model: string;
  /** Unique indexes the Mongoose schema declared and the data honours (none where dirt would break them). */
  uniqueIndexes: readonly UniqueIndex[];
  /** The index-th document, or undefined where it was hard-deleted. */
  build(ctx: CrmContext, index: number): Document | undefined;
}
