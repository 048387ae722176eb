import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import { generateCrm, writeMongo, type CrmSample } from '../../scripts/crm/index.ts';
import { mongoUrl } from '../support/databases.ts';

// The CRM sample's live variant: the MongoDB-wire test server must take every document as
// generated (no Decimal128, a Double -0.0, "" where numbers are expected, ISO strings beside Dates).
describe('the CRM sample written into a live server', () => {
  const database = `crm_${randomBytes(3).toString('hex')}`;
  let client: MongoClient;
  let sample: CrmSample;

  beforeAll(async () => {
    sample = generateCrm({ scale: 1 });
    const { indexFailures } = await writeMongo(mongoUrl(), database, sample, () => {});
    expect(indexFailures).toEqual([]);
    client = new MongoClient(mongoUrl());
    await client.connect();
  });

  afterAll(async () => {
    await client?.db(database).dropDatabase();
    await client?.close();
  });

  test('every collection holds the documents the manifest counts', async () => {
    for (const collection of sample.collections) {
      expect([collection, await client.db(database).collection(collection).countDocuments()]).toEqual([collection, sample.counts[collection]]);
    }
  });

  test('the number quirks keep their BSON types: a Double zero and an empty string', async () => {
    const quirk = (name: string) => sample.quirks.find((q) => q.what.includes(name));
    const negativeZero = quirk('-0.0');
    const empty = quirk('amount is ""');
    if (negativeZero === undefined || empty === undefined) throw new Error('quirks missing from the sample');
    const deals = client.db(database).collection('deals');
    const zero = await deals.findOne({ _id: new ObjectId(negativeZero._id) }, { promoteValues: false });
    // The driver bundles its own bson, so its Double is not this package's class: compare the tag.
    const amount = zero?.amount as { _bsontype?: string; valueOf(): number } | undefined;
    expect(amount?._bsontype).toBe('Double');
    // Still a Double zero; the test server (FerretDB) stores -0.0 as 0.0, so the sign is a dump-only quirk.
    expect(amount?.valueOf()).toEqual(expect.any(Number));
    expect(Math.abs(amount?.valueOf() ?? 1)).toBe(0);
    expect((await deals.findOne({ _id: new ObjectId(empty._id) }))?.amount).toBe('');
  });
});
