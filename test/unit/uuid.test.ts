import { describe, expect, test } from '@jest/globals';
import { ObjectId } from 'bson';
import { v4, v5, v7, validate, version } from 'uuid';
import { createIdMapper } from '../../src/ids/id-mapper.ts';
import { DEFAULT_UUID_NAMESPACE, objectIdFromUuidV7, uuidV5, uuidV7FromObjectId } from '../../src/ids/uuid.ts';
import { seededRandom } from '../support/seeded-random.ts';


function randomObjectIds(count: number, seed: number): ObjectId[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => new ObjectId(Uint8Array.from({ length: 12 }, () => Math.floor(next() * 256))));
}

/** Byte-wise comparison of ObjectIds, which is their sort order in MongoDB. */
function compareOids(x: ObjectId, y: ObjectId): number {
  return Buffer.compare(Buffer.from(x.id), Buffer.from(y.id));
}

const oid = ObjectId.createFromHexString('65a1b2c3d4e5f60718293a4b');

describe('uuidV7FromObjectId', () => {
  test('is deterministic and a valid UUIDv7 with the RFC variant', () => {
    const uuid = uuidV7FromObjectId(oid);
    expect(uuidV7FromObjectId(ObjectId.createFromHexString(oid.toHexString()))).toBe(uuid);
    expect(validate(uuid)).toBe(true);
    expect(version(uuid)).toBe(7);
    expect(uuid[14]).toBe('7');
    expect('89ab').toContain(uuid[19]);
  });

  test('starts with the ObjectId time in milliseconds (48 bits)', () => {
    for (const id of [oid, ...randomObjectIds(50, 1)]) {
      const uuid = uuidV7FromObjectId(id);
      const ms = parseInt(uuid.slice(0, 8) + uuid.slice(9, 13), 16);
      expect(ms).toBe(Buffer.from(id.id).readUInt32BE(0) * 1000);
    }
  });

  test('round-trips through objectIdFromUuidV7 for many ObjectIds', () => {
    const edges = [new ObjectId(new Uint8Array(12)), new ObjectId(new Uint8Array(12).fill(0xff))];
    for (const id of [...edges, ...randomObjectIds(2000, 42)]) {
      const uuid = uuidV7FromObjectId(id);
      expect(version(uuid)).toBe(7);
      expect(objectIdFromUuidV7(uuid)?.toHexString()).toBe(id.toHexString());
    }
  });

  test('sorts as the ObjectIds sort', () => {
    const ids = randomObjectIds(500, 7);
    // Same-second ids too: only the bytes after the timestamp tell them apart.
    const base = ids[0]!.id;
    for (let i = 0; i < 20; i++) {
      const bytes = Uint8Array.from(base);
      bytes[11] = i * 13;
      bytes[5] = 255 - i;
      ids.push(new ObjectId(bytes));
    }
    const byOid = [...ids].sort(compareOids).map((id) => uuidV7FromObjectId(id));
    const byUuid = ids.map((id) => uuidV7FromObjectId(id)).sort();
    expect(byUuid).toEqual(byOid);
  });

  test('an earlier ObjectId time gives a smaller UUID', () => {
    const early = ObjectId.createFromTime(1_600_000_000);
    const late = ObjectId.createFromTime(1_600_000_001);
    expect(uuidV7FromObjectId(early) < uuidV7FromObjectId(late)).toBe(true);
  });
});

describe('objectIdFromUuidV7', () => {
  test('returns undefined for UUIDs it did not make', () => {
    expect(objectIdFromUuidV7(v4())).toBeUndefined();
    expect(objectIdFromUuidV7('550e8400-e29b-41d4-a716-446655440000')).toBeUndefined();
    expect(objectIdFromUuidV7(v5('User:1', DEFAULT_UUID_NAMESPACE))).toBeUndefined();
    // A genuine v7 whose time is not a whole second cannot come from an ObjectId.
    expect(objectIdFromUuidV7(v7({ msecs: 1_700_000_000_123, seq: 0 }))).toBeUndefined();
  });
});

describe('createIdMapper', () => {
  test('v5: same id, different models → different UUIDs; repeat → same UUID', () => {
    const mapper = createIdMapper('v5');
    const user = mapper.uuid('User', oid);
    expect(version(user)).toBe(5);
    expect(mapper.uuid('Post', oid)).not.toBe(user);
    expect(mapper.uuid('User', oid)).toBe(user);
    expect(createIdMapper('v5').uuid('User', oid)).toBe(user);
    expect(mapper.uuid('User', 7)).not.toBe(mapper.uuid('User', 8));
  });

  test('v5 depends on the namespace', () => {
    const other = createIdMapper('v5', '1b671a64-40d5-491e-99b0-da01ff1f3341');
    expect(other.uuid('User', oid)).not.toBe(createIdMapper('v5').uuid('User', oid));
  });

  test('v7-objectid: ObjectIds become the reversible v7, other ids v5', () => {
    const mapper = createIdMapper();
    expect(mapper.strategy).toBe('v7-objectid');
    expect(mapper.uuid('User', oid)).toBe(uuidV7FromObjectId(oid));
    expect(version(mapper.uuid('Tag', 12))).toBe(5);
    expect(mapper.uuid('Tag', 'abc')).toBe(createIdMapper('v5').uuid('Tag', 'abc'));
  });

  test('derived ids differ per path and from the owner id, and repeat', () => {
    const mapper = createIdMapper();
    const a0 = mapper.derived('User', oid, 'addresses/0');
    const a1 = mapper.derived('User', oid, 'addresses/1');
    expect(a0).not.toBe(a1);
    expect(a0).not.toBe(mapper.uuid('User', oid));
    expect(mapper.derived('User', oid, 'addresses/0')).toBe(a0);
    expect(mapper.derived('Order', oid, 'addresses/0')).not.toBe(a0);
    expect(validate(a0)).toBe(true);
  });
});

describe('uuidV5 on node:crypto', () => {
  // The ids a run wrote before must be the ids it writes now: the uuid package is the reference.
  test('equals the uuid package for every kind of key, in any namespace', () => {
    const keys = ['1', '0', '-5', '9007199254740993', '', 'ünïcode 😀', 'a/b|c', '["1",2]', 'x'.repeat(300), 'é'.repeat(700), '😀'.repeat(900), '507f1f77bcf86cd799439011/addresses/0'];
    for (const namespace of [DEFAULT_UUID_NAMESPACE, '1b671a64-40d5-491e-99b0-da01ff1f3341']) {
      for (const model of ['User', 'order_items', 'Ünï']) {
        for (const key of keys) expect(uuidV5(namespace, model, key)).toBe(v5(`${model}:${key}`, namespace));
      }
    }
  });
});
