import type { Document } from 'bson';
import { MongoClient, MongoServerError } from 'mongodb';
import type { UniqueIndex } from './collections/spec.ts';
import type { MoneyMode } from './money.ts';

const BATCH = 1000;
const NAMESPACE_NOT_FOUND = 26;

export interface IndexFailure {
  collection: string;
  index: string;
  error: string;
}

export interface MongoWriteResult {
  inserted: Record<string, number>;
  /** Unique indexes the server refused; the data is still written. */
  indexFailures: IndexFailure[];
}

/** What writeMongo needs of a sample: the shop's Sample is one, scripts/crm/ has another. */
export interface MongoWritableSample {
  readonly collections: readonly string[];
  /** Only for the hint when a server refuses Decimal128; a sample without money has none. */
  readonly money?: MoneyMode;
  documents(collection: string): Iterable<Document>;
  uniqueIndexes(collection: string): readonly UniqueIndex[];
}

function describe(error: unknown): string {
  if (error instanceof MongoServerError) return `${error.codeName ?? `code ${String(error.code)}`}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Replaces the sample's collections in `db`. Dropping first makes reruns
 * idempotent; ordered batches keep the server's natural order equal to _id order.
 */
export async function writeMongo(
  url: string,
  db: string,
  sample: MongoWritableSample,
  log: (line: string) => void = (line) => console.error(line),
): Promise<MongoWriteResult> {
  const client = new MongoClient(url);
  await client.connect();
  try {
    const database = client.db(db);
    for (const name of sample.collections) {
      try {
        await database.collection(name).drop();
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND)) throw error;
      }
    }
    const inserted: Record<string, number> = {};
    const indexFailures: IndexFailure[] = [];
    for (const name of sample.collections) {
      const collection = database.collection(name);
      let batch: Document[] = [];
      let count = 0;
      const flush = async (): Promise<void> => {
        try {
          await collection.insertMany(batch, { ordered: true });
        } catch (error) {
          // FerretDB has no Decimal128; say so instead of leaving a bare server error.
          const hint = sample.money === 'decimal128' ? ' (if the server lacks Decimal128, e.g. FerretDB, use --money double)' : '';
          throw new Error(`${name}: insert after ${count} documents failed: ${describe(error)}${hint}`, { cause: error });
        }
        count += batch.length;
        batch = [];
      };
      for (const doc of sample.documents(name)) {
        batch.push(doc);
        if (batch.length === BATCH) await flush();
      }
      if (batch.length > 0) await flush();
      inserted[name] = count;
      for (const index of sample.uniqueIndexes(name)) {
        try {
          await collection.createIndex({ ...index.key }, { name: index.name, unique: true });
        } catch (error) {
          const failure = { collection: name, index: index.name, error: describe(error) };
          indexFailures.push(failure);
          log(`warning: ${name}: the server refused unique index ${index.name} (${failure.error}); continuing without it`);
        }
      }
      log(`${name}: ${count} documents`);
    }
    return { inserted, indexFailures };
  } finally {
    await client.close();
  }
}
