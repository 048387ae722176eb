import type { Document } from 'bson';
import type { SampleSize } from './sample-size.ts';

/**
 * What `init` reads from a Mongo-family source: a bounded sample of each collection, with
 * BSON's own types kept (an Int32 is not a Double, a Long not a number), and whether given
 * ObjectIds are `_id`s of a collection (to find references).
 */
export interface DocumentSampler {
  /** For the files written: the dump folder, or the URL without its password and the database. */
  readonly describe: string;
  collections(): Promise<string[]>;
  /** What the source holds that init does not sample (views, `system.*`), each with the reason: named, never dropped in silence. */
  notSampled(): Promise<{ name: string; reason: string }[]>;
  sample(collection: string, size: SampleSize): Promise<CollectionSample>;
  /** Which of these ObjectIds (24-hex) are `_id`s of the collection. */
  idsFound(collection: string, hexIds: readonly string[]): Promise<Set<string>>;
  /** Indexes as MongoDB lists them (`key`, `unique`), for `@unique` and `@@index`. */
  indexes(collection: string): Promise<IndexSpec[]>;
  close(): Promise<void>;
}

export interface CollectionSample {
  docs: Document[];
  total: number;
  /** How they were picked: "uniform sample over the file", "$sample", "first documents in _id order". */
  how: string;
}

export interface IndexSpec {
  key: Record<string, unknown>;
  unique?: boolean;
  name?: string;
}

/** The BSON options init reads with: types as stored, so the statistics can tell Int32 from Double. */
export const SAMPLE_BSON_OPTIONS = { promoteValues: false, promoteBuffers: false, promoteLongs: false, bsonRegExp: true } as const;
