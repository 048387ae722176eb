import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Long, ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import { sourceIdKey, type SourceId } from '../../src/ids/source-id.ts';
import { openMongoSource } from '../../src/sources/mongodb/mongodb-source.ts';
import type { Source, SourceCursor } from '../../src/sources/source.ts';
import { mongoUrl } from '../support/databases.ts';

const database = `src_${randomBytes(3).toString('hex')}`;
let client: MongoClient;
let source: Source;

beforeAll(async () => {
  client = new MongoClient(mongoUrl());
  await client.connect();
  const ids: unknown[] = [3, 1, 2, 'b', 'a', new ObjectId('65a1b2c3d4e5f60718293a4b'), new ObjectId('5ca4bbc7a2dd94ee5816238c'), 'c', 10];
  await client.db(database).collection('mixed').insertMany(ids.map((_id, i) => ({ _id: _id as ObjectId, n: i, big: Long.fromBigInt(2n ** 60n + BigInt(i)) })));
  source = await openMongoSource(mongoUrl(), database);
});
afterAll(async () => {
  await source.close();
  await client.db(database).dropDatabase();
  await client.close();
});

async function readAll(after: SourceCursor | undefined): Promise<{ ids: string[]; cursors: SourceCursor[] }> {
  const ids: string[] = [];
  const cursors: SourceCursor[] = [];
  for await (const batch of source.read('mixed', { after, batchSize: 2 })) {
    ids.push(...batch.docs.map((d) => sourceIdKey(d._id as SourceId)));
    cursors.push(batch.cursor);
  }
  return { ids, cursors };
}

test('reads in _id order across BSON types, int64 exact', async () => {
  const { ids } = await readAll(undefined);
  expect(ids).toEqual(['1', '2', '3', '10', 'a', 'b', 'c', '5ca4bbc7a2dd94ee5816238c', '65a1b2c3d4e5f60718293a4b']);
  const [doc] = await source.fetch('mixed', [1]);
  expect(doc?.['big']).toBe(2n ** 60n + 1n);
  expect(await source.count('mixed')).toBe(9);
});

test('resuming from any batch boundary reads exactly the rest, whatever the _id types', async () => {
  const all = await readAll(undefined);
  let seen = 0;
  for (const cursor of all.cursors) {
    seen += 2;
    const rest = await readAll(cursor);
    expect(rest.ids).toEqual(all.ids.slice(Math.min(seen, all.ids.length)));
  }
});
