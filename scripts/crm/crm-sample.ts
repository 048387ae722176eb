import type { Document } from 'bson';
import type { UniqueIndex } from '../sample/collections/spec.ts';
import { IdSpace } from '../sample/ids.ts';
import { CRM_SPECS } from './collections/index.ts';
import type { CrmContext } from './context.ts';
import type { CrmCollection } from './counts.ts';
import { CRM_COLLECTIONS, crmCountsFor, isCrmCollection } from './counts.ts';
import { liveCount } from './deleted.ts';
import type { CrmDirtRecord } from './dirt.ts';
import { planCrmDirt } from './dirt.ts';
import type { QuirkRecord } from './records.ts';
import { dirtRecords, quirkRecords } from './records.ts';
import { CRM_TIMELINE } from './timeline.ts';

export interface CrmOptions {
  scale: number;
  /** Integer in [0, 2^32). Default 42. */
  seed?: number;
}

/** The CRM sample: a DumpableSample and a MongoWritableSample, so the first sample's writers take it. */
export interface CrmSample {
  readonly uuidNamespace: 'crm';
  readonly scale: number;
  readonly seed: number;
  /** In dependency order: referenced collections first. */
  readonly collections: readonly CrmCollection[];
  /** Documents per collection (hard-deleted ones are not there). */
  readonly counts: Readonly<Record<CrmCollection, number>>;
  readonly dirt: CrmDirtRecord[];
  readonly quirks: QuirkRecord[];
  /** A fresh pass over the collection each time it is iterated; nothing is kept. */
  documents(collection: string): Iterable<Document>;
  model(collection: string): string;
  uniqueIndexes(collection: string): readonly UniqueIndex[];
}

function collectionName(name: string): CrmCollection {
  if (!isCrmCollection(name)) throw new Error(`unknown CRM collection "${name}"`);
  return name;
}

export function generateCrm(options: CrmOptions): CrmSample {
  const seed = options.seed ?? 42;
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  const ids = crmCountsFor(options.scale);
  const ctx: CrmContext = { seed, counts: ids, ids: new IdSpace(ids, CRM_TIMELINE), dirt: planCrmDirt(ids) };
  const counts = Object.fromEntries(CRM_COLLECTIONS.map((c) => [c, liveCount(c, ids[c])])) as Record<CrmCollection, number>;
  return {
    uuidNamespace: 'crm',
    scale: options.scale,
    seed,
    collections: CRM_COLLECTIONS,
    counts,
    dirt: dirtRecords(ctx),
    quirks: quirkRecords(ctx),
    documents(collection: string): Iterable<Document> {
      const spec = CRM_SPECS[collectionName(collection)];
      const n = ids[spec.name];
      return {
        *[Symbol.iterator](): Iterator<Document> {
          for (let i = 0; i < n; i++) {
            const doc = spec.build(ctx, i);
            if (doc !== undefined) yield doc;
          }
        },
      };
    },
    model: (collection: string): string => CRM_SPECS[collectionName(collection)].model,
    uniqueIndexes: (collection: string): readonly UniqueIndex[] => CRM_SPECS[collectionName(collection)].uniqueIndexes,
  };
}
