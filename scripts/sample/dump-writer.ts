import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import type { Document } from 'bson';
import { serialize } from 'bson';
import type { UniqueIndex } from './collections/spec.ts';
import type { Sample } from './sample.ts';
import { writeSidecars } from './sidecars.ts';

/** Documents are gathered into chunks about this big: one write per chunk, not per document. */
const CHUNK_BYTES = 1 << 20;

export interface DumpResult {
  /** Bytes of each <collection>.bson. */
  bytes: Record<string, number>;
}

async function writeBson(path: string, documents: Iterable<Document>): Promise<number> {
  const out = createWriteStream(path);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let total = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const chunk = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    for (const doc of documents) {
      const bytes = serialize(doc);
      pending.push(bytes);
      pendingBytes += bytes.length;
      total += bytes.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
  } finally {
    out.end();
  }
  await finished(out);
  return total;
}

/** What writeCollections needs of a sample: the shop's Sample is one, scripts/crm/ has another. */
export interface DumpableSample {
  readonly seed: number;
  /** Keeps two samples' collection uuids apart; the shop has none, so its dump is unchanged. */
  readonly uuidNamespace?: string;
  readonly collections: readonly string[];
  documents(collection: string): Iterable<Document>;
  uniqueIndexes(collection: string): readonly UniqueIndex[];
}

/** mongorestore wants a uuid; derive it so two dumps of the same sample are identical. */
function collectionUuid(sample: DumpableSample, collection: string): string {
  const namespace = sample.uuidNamespace === undefined ? '' : `${sample.uuidNamespace}/`;
  return createHash('sha256').update(`${namespace}${sample.seed}/${collection}`).digest('hex').slice(0, 32);
}

function metadata(sample: DumpableSample, collection: string): string {
  const indexes = [
    { v: 2, key: { _id: 1 }, name: '_id_' },
    ...sample.uniqueIndexes(collection).map((ix) => ({ v: 2, key: ix.key, name: ix.name, unique: true })),
  ];
  return JSON.stringify({ indexes, uuid: collectionUuid(sample, collection), collectionName: collection, type: 'collection' });
}

/** Writes what `mongodump --out <dir>` would: <dir>/<db>/<collection>.bson and .metadata.json. */
export async function writeDump(dir: string, sample: Sample, db = 'shop'): Promise<DumpResult> {
  const bytes = await writeCollections(join(dir, db), sample);
  await writeSidecars(dir, sample);
  return { bytes };
}

/** The <collection>.bson and .metadata.json files of one database folder; returns the bytes of each .bson. */
export async function writeCollections(dbDir: string, sample: DumpableSample): Promise<Record<string, number>> {
  await mkdir(dbDir, { recursive: true });
  const bytes: Record<string, number> = {};
  for (const collection of sample.collections) {
    bytes[collection] = await writeBson(join(dbDir, `${collection}.bson`), sample.documents(collection));
    await writeFile(join(dbDir, `${collection}.metadata.json`), metadata(sample, collection));
  }
  return bytes;
}
