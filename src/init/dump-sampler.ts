import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deserialize, ObjectId } from 'bson';
import { z } from 'zod';
import { countBsonDocuments, forEachRawDocument } from '../sources/mongodump/bson-file.ts';
import { databaseFolder } from '../sources/mongodump/mongodump-source.ts';
import { sampleCount } from './sample-size.ts';
import { SAMPLE_BSON_OPTIONS, type CollectionSample, type DocumentSampler, type IndexSpec } from './document-sampler.ts';
import { Reservoir } from './reservoir.ts';

/**
 * Samples a mongodump folder. A dump is a local file, so a sample is uniform over the whole
 * collection (a reservoir over one pass of raw bytes; only the documents kept are decoded),
 * where "the first 1,000" would miss a field the app added last year.
 */
export function openDumpSampler(path: string): DocumentSampler {
  const dir = databaseFolder(resolve(path));
  const fileOf = (collection: string): string => {
    const plain = join(dir, `${collection}.bson`);
    return existsSync(plain) ? plain : `${plain}.gz`;
  };
  return {
    describe: path,
    async collections() {
      return readdirSync(dir)
        .filter((f) => /\.bson(\.gz)?$/.test(f))
        .map((f) => f.replace(/\.bson(\.gz)?$/, ''))
        .filter((c) => !c.startsWith('system.'))
        .sort();
    },
    async notSampled() {
      const files = readdirSync(dir);
      const system = files.filter((f) => /^system\..*\.bson(\.gz)?$/.test(f)).map((f) => ({ name: f.replace(/\.bson(\.gz)?$/, ''), reason: 'a system collection of MongoDB, not application data' }));
      // A view is dumped as its metadata alone (no .bson): its definition, not data.
      const views = files
        .filter((f) => f.endsWith('.metadata.json') && !files.some((b) => b === f.replace(/\.metadata\.json$/, '.bson') || b === f.replace(/\.metadata\.json$/, '.bson.gz')))
        .map((f) => ({ name: f.replace(/\.metadata\.json$/, ''), reason: 'a view (or a collection dumped without data): no documents to migrate; recreate it as a PostgreSQL view if the app reads it' }));
      return [...system, ...views];
    },
    async sample(collection, size) {
      // A share needs the count first (one pass over length prefixes); a count does not.
      const size_ = size.kind === 'count' ? size.count : sampleCount(size, await countBsonDocuments(fileOf(collection)));
      const reservoir = new Reservoir<Buffer>(size_, 0x5eed);
      const total = await forEachRawDocument(fileOf(collection), (bytes) => reservoir.offer(bytes, () => Buffer.from(bytes)));
      const docs = reservoir.items().map((bytes) => deserialize(bytes, SAMPLE_BSON_OPTIONS));
      const how = docs.length === total ? 'every document' : 'uniform random sample over the whole file';
      return { docs, total, how } satisfies CollectionSample;
    },
    async idsFound(collection, hexIds) {
      const wanted = new Set(hexIds);
      const found = new Set<string>();
      await forEachRawDocument(fileOf(collection), (bytes) => {
        const hex = leadingObjectIdHex(bytes);
        if (hex !== undefined && wanted.has(hex)) found.add(hex);
      });
      return found;
    },
    async indexes(collection) {
      const file = join(dir, `${collection}.metadata.json`);
      if (!existsSync(file)) return [];
      const parsed = metadataSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      return parsed.success ? parsed.data.indexes : [];
    },
    close: async () => {},
  };
}

const metadataSchema = z.object({
  indexes: z.array(z.object({ key: z.record(z.string(), z.unknown()), unique: z.boolean().optional(), name: z.string().optional() }).loose()).default([]),
});


/**
 * The `_id` of a raw document when it is its first element and an ObjectId (what mongod
 * writes), read without decoding the rest; otherwise the document is decoded.
 */
function leadingObjectIdHex(bytes: Buffer): string | undefined {
  if (bytes[4] === 0x07 && bytes[5] === 0x5f && bytes[6] === 0x69 && bytes[7] === 0x64 && bytes[8] === 0x00) return bytes.toString('hex', 9, 21);
  const id: unknown = deserialize(bytes, SAMPLE_BSON_OPTIONS)['_id'];
  return id instanceof ObjectId ? id.toHexString() : undefined;
}

export type { IndexSpec };
