import type { Document } from 'bson';
import type { CollectionName } from './collection-names.ts';
import { COLLECTIONS, isCollectionName } from './collection-names.ts';
import type { UniqueIndex } from './collections/index.ts';
import { SPECS } from './collections/index.ts';
import type { Context } from './context.ts';
import { countsFor } from './counts.ts';
import type { DirtRecord } from './dirt.ts';
import { dirtRecords, planDirt } from './dirt.ts';
import { IdSpace } from './ids.ts';
import type { MoneyMode } from './money.ts';
import { MONEY_MODES } from './money.ts';

export interface GenerateOptions {
  scale: number;
  /** Integer in [0, 2^32). Default 42. */
  seed?: number;
  /** Default 'decimal128'; 'double' for servers without Decimal128 (FerretDB). */
  money?: MoneyMode;
}

export interface Sample {
  readonly scale: number;
  readonly seed: number;
  readonly money: MoneyMode;
  /** In dependency order: referenced collections first. */
  readonly collections: string[];
  readonly counts: Record<string, number>;
  readonly dirt: DirtRecord[];
  /** A fresh pass over the collection each time it is iterated; nothing is kept. */
  documents(collection: string): Iterable<Document>;
  model(collection: string): string;
  uniqueIndexes(collection: string): readonly UniqueIndex[];
}

function collectionName(name: string): CollectionName {
  if (!isCollectionName(name)) throw new Error(`unknown collection "${name}"`);
  return name;
}

export function generateSample(options: GenerateOptions): Sample {
  const seed = options.seed ?? 42;
  const moneyMode = options.money ?? 'decimal128';
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  if (!MONEY_MODES.includes(moneyMode)) throw new Error(`money must be one of ${MONEY_MODES.join(', ')}`);
  const counts = countsFor(options.scale);
  const ids = new IdSpace(counts);
  const dirt = planDirt(counts);
  const ctx: Context = { seed, money: moneyMode, counts, ids, dirt };

  return {
    scale: options.scale,
    seed,
    money: moneyMode,
    collections: [...COLLECTIONS],
    counts: { ...counts },
    dirt: dirtRecords(ids, dirt),
    documents(collection: string): Iterable<Document> {
      const spec = SPECS[collectionName(collection)];
      const n = counts[spec.name];
      return {
        *[Symbol.iterator](): Iterator<Document> {
          for (let i = 0; i < n; i++) yield spec.build(ctx, i);
        },
      };
    },
    model: (collection: string): string => SPECS[collectionName(collection)].model,
    uniqueIndexes: (collection: string): readonly UniqueIndex[] => SPECS[collectionName(collection)].uniqueIndexes,
  };
}
