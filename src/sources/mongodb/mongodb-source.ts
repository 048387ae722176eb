import { EJSON, type Document } from 'bson';
import { MongoClient, type Filter, type FindCursor } from 'mongodb';
import type { SourceId } from '../../ids/source-id.ts';
import { maskUrl } from '../../log/mask.ts';
import type { SourceDoc } from '../../transform/types.ts';
import { mongodbFingerprint } from './mongodb-fingerprint.ts';
import { decodeBsonDocument } from '../bson-decode.ts';
import { BSON_READ_OPTIONS, type ReadOptions, type Source, type SourceBatch, type UnreadableRecord } from '../source.ts';

/**
 * A live MongoDB (or MongoDB-wire server such as FerretDB) read with the official driver:
 * `_id`-ordered streams that resume with `{_id: {$gt: last}}`, never `skip`.
 */
export async function openMongoSource(url: string, database?: string): Promise<Source> {
  const client = new MongoClient(url, { ...BSON_READ_OPTIONS, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db(database);
  const collection = (name: string) => db.collection<Document>(name);

  return {
    kind: 'mongodb',
    identity: `${maskUrl(url)} db=${db.databaseName}`,
    async collections() {
      const list = await db.listCollections({}, { nameOnly: true }).toArray();
      return list.map((c) => c.name).sort();
    },
    count: (name) => collection(name).countDocuments({}),
    async *read(name: string, options: ReadOptions): AsyncIterable<SourceBatch> {
      const after = options.after?.['afterId'];
      const filter: Filter<Document> = typeof after === 'string' ? resumeFilter(EJSON.parse(after, { relaxed: false })) : {};
      const cursor = collection(name).find(filter, { ...BSON_READ_OPTIONS, ...RAW, sort: { _id: 1 }, batchSize: options.batchSize });
      try {
        let docs: SourceDoc[] = [];
        let unreadable: UnreadableRecord[] = [];
        let lastId: unknown;
        const batch = (): SourceBatch => ({ docs, unreadable, cursor: { afterId: EJSON.stringify(lastId, { relaxed: false }) } });
        for await (const bytes of rawDocuments(cursor)) {
          const decoded = decodeBsonDocument(bytes, `a document of collection ${name}`);
          if (decoded.ok) {
            docs.push(decoded.doc);
            lastId = decoded.doc['_id'];
          } else {
            unreadable.push(decoded.unreadable);
            lastId = decoded.unreadable.doc['_id'] ?? lastId;
          }
          if (docs.length + unreadable.length >= options.batchSize) {
            yield batch();
            docs = [];
            unreadable = [];
            options.signal?.throwIfAborted();
          }
        }
        if (docs.length + unreadable.length > 0) yield batch();
      } finally {
        await cursor.close();
      }
    },
    async fetch(name: string, ids: readonly SourceId[]) {
      const filter = { _id: { $in: [...ids] } } as Filter<Document>;
      const found: SourceDoc[] = [];
      // An unreadable document stays in the error log: there is nothing better to retry with.
      for await (const bytes of rawDocuments(collection(name).find(filter, { ...BSON_READ_OPTIONS, ...RAW }))) {
        const decoded = decodeBsonDocument(bytes, `a document of collection ${name}`);
        if (decoded.ok) found.push(decoded.doc);
      }
      return found;
    },
    fingerprint: (collections) => mongodbFingerprint(db, collections),
    close: () => client.close(),
  };
}

/**
 * Documents come from the driver as their raw BSON bytes and are decoded here, one by one:
 * the driver's own decoding throws for a whole batch on one invalid UTF-8 string, with no
 * collection or _id, and with `enableUtf8Validation: false` it would replace the bad bytes
 * silently, indistinguishable from a real U+FFFD. Decoding ourselves rejects only that document.
 */
const RAW = { raw: true, enableUtf8Validation: false } as const;

/** With `raw: true` the driver yields each document as a Buffer; its types still say Document. */
function rawDocuments(cursor: FindCursor<Document>): AsyncIterable<Uint8Array> {
  return cursor as unknown as AsyncIterable<Uint8Array>;
}

/**
 * MongoDB compares values of one BSON type only (`$gt` on an ObjectId never matches a
 * string), but sorts across types in a fixed order. To resume a collection whose `_id`s mix
 * types, take the larger ids of the same type plus every id of a type that sorts later.
 */
const typeOrder = [['int', 'long', 'double', 'decimal'], ['string'], ['object'], ['binData'], ['objectId'], ['bool'], ['date'], ['timestamp'], ['regex']] as const;

export function resumeFilter(last: unknown): Filter<Document> {
  const group = typeOrder.findIndex((g) => (g as readonly string[]).includes(bsonTypeAlias(last)));
  const later = typeOrder.slice(group + 1).flat();
  return { $or: [{ _id: { $gt: last } }, { _id: { $type: [...later] } }] } as Filter<Document>;
}

function bsonTypeAlias(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return 'double';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Date) return 'date';
  if (value && typeof value === 'object' && '_bsontype' in value) {
    const tag = String(value._bsontype);
    return { ObjectId: 'objectId', Binary: 'binData', Long: 'long', Decimal128: 'decimal', Int32: 'int', Double: 'double', Timestamp: 'timestamp', BSONRegExp: 'regex' }[tag] ?? 'object';
  }
  return 'object';
}
