import { EJSON, type Document } from 'bson';
import type { Db } from 'mongodb';
import type { SourceFingerprint } from '../source-fingerprint.ts';

/**
 * Per collection: the document count from the collection's metadata (`estimatedDocumentCount`,
 * no scan) and the highest `_id` (one step down the `_id` index). Inserts and deletes show;
 * an update in place does not, and cannot without reading every document.
 */
export async function mongodbFingerprint(db: Db, collections: readonly string[]): Promise<SourceFingerprint> {
  const takenAt = new Date().toISOString();
  const parts: SourceFingerprint['parts'] = {};
  for (const name of collections) {
    const collection = db.collection<Document>(name);
    const [documents, last] = await Promise.all([
      collection.estimatedDocumentCount(),
      collection.find({}, { projection: { _id: 1 }, sort: { _id: -1 }, limit: 1 }).next(),
    ]);
    parts[`collection ${name}`] = { documents, 'max _id': last ? EJSON.stringify(last['_id'], { relaxed: false }) : null };
  }
  return { takenAt, parts };
}
