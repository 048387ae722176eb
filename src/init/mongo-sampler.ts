import type { Document } from 'bson';
import { MongoClient, ObjectId } from 'mongodb';
import { maskUrl } from '../log/mask.ts';
import { SAMPLE_BSON_OPTIONS, type CollectionSample, type DocumentSampler, type IndexSpec } from './document-sampler.ts';
import { sampleCount } from './sample-size.ts';

/**
 * Samples a live server without scanning a collection: the count from the collection's
 * metadata, the documents by `$sample` (where the server has it; FerretDB v1 does not, and
 * then the first documents in `_id` order), references by `_id` lookups on the ids sampled.
 */
export async function openMongoSampler(url: string, database?: string): Promise<DocumentSampler> {
  const client = new MongoClient(url, { ...SAMPLE_BSON_OPTIONS, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db(database);
  return {
    describe: `${maskUrl(url)} db=${db.databaseName}`,
    async collections() {
      const list = await db.listCollections({ type: 'collection' }, { nameOnly: true }).toArray();
      return list.map((c) => c.name).filter((c) => !c.startsWith('system.')).sort();
    },
    async notSampled() {
      const list = await db.listCollections({}, { nameOnly: false }).toArray();
      return list
        .filter((c) => c.type !== 'collection' || c.name.startsWith('system.'))
        .map((c) => ({ name: c.name, reason: c.type === 'view' ? 'a view: no documents to migrate; recreate it as a PostgreSQL view if the app reads it' : c.name.startsWith('system.') ? 'a system collection of MongoDB, not application data' : `a ${c.type}, not a collection` }));
    },
    async sample(collection, size) {
      const coll = db.collection<Document>(collection);
      const total = await coll.estimatedDocumentCount();
      const want = sampleCount(size, total);
      if (want >= total) return { docs: await coll.find({}, { ...SAMPLE_BSON_OPTIONS, sort: { _id: 1 } }).toArray(), total, how: 'every document' } satisfies CollectionSample;
      try {
        const docs = await coll.aggregate<Document>([{ $sample: { size: want } }], SAMPLE_BSON_OPTIONS).toArray();
        return { docs, total, how: '$sample (random documents chosen by the server)' };
      } catch {
        const docs = await coll.find({}, { ...SAMPLE_BSON_OPTIONS, sort: { _id: 1 }, limit: want }).toArray();
        return { docs, total, how: 'the first documents in _id order (the server has no $sample): a field only later documents hold is not seen' };
      }
    },
    async idsFound(collection, hexIds) {
      const found = new Set<string>();
      const ids = hexIds.map((h) => new ObjectId(h));
      for (let i = 0; i < ids.length; i += 500) {
        const docs = await db.collection<Document>(collection).find({ _id: { $in: ids.slice(i, i + 500) } }, { projection: { _id: 1 } }).toArray();
        for (const d of docs) if (d['_id'] instanceof ObjectId) found.add(d['_id'].toHexString());
      }
      return found;
    },
    async indexes(collection) {
      return (await db.collection(collection).indexes()) as IndexSpec[];
    },
    close: () => client.close(),
  };
}
