import { ObjectId } from 'bson';
import type { CollectionName } from './collection-names.ts';
import { COLLECTIONS } from './collection-names.ts';
import type { Counts } from './counts.ts';
import { hashString } from './random.ts';

const DAY_S = 86_400;
export const EPOCH_S = Date.UTC(2020, 0, 1) / 1000;
// Ends well before today so no document is dated in the future.
const HISTORY_S = Date.UTC(2025, 0, 1) / 1000 - EPOCH_S;
// The catalogue vocabulary is set up in the shop's first month, before the
// products that use it.
const SETUP_S = 30 * DAY_S;

/** Stands for "no collection at all": ids built with it are dangling by construction. */
const NOWHERE = '(nowhere)';

function spanOf(collection: CollectionName): number {
  return collection === 'categories' || collection === 'tags' ? SETUP_S : HISTORY_S;
}

function tagOf(name: string): Uint8Array {
  const a = hashString(name);
  const b = hashString(`#${name}`);
  return Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, b & 0xff);
}

const TAGS = new Map<string, Uint8Array>([...COLLECTIONS, NOWHERE].map((name) => [name, tagOf(name)]));
{
  const seen = new Set([...TAGS.values()].map((t) => Buffer.from(t).toString('hex')));
  if (seen.size !== TAGS.size) throw new Error('two collections hash to the same ObjectId tag');
}

function buildId(seconds: number, tag: Uint8Array, counter: number): ObjectId {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, seconds);
  bytes.set(tag, 4);
  bytes[9] = (counter >>> 16) & 0xff;
  bytes[10] = (counter >>> 8) & 0xff;
  bytes[11] = counter & 0xff;
  return new ObjectId(bytes);
}

/**
 * ObjectIds and their times as pure functions of (collection, index): the timestamp
 * grows with the index across the collection's span, the counter is the index, so
 * _id order is insertion order and any reference can be recomputed.
 */
export class IdSpace {
  constructor(private readonly counts: Counts) {}

  /** Seconds since the epoch of the index-th document; non-decreasing in index. */
  seconds(collection: CollectionName, index: number): number {
    const n = this.counts[collection];
    return EPOCH_S + Math.floor((index * spanOf(collection)) / n);
  }

  oid(collection: CollectionName, index: number): ObjectId {
    return buildId(this.seconds(collection, index), TAGS.get(collection) as Uint8Array, index);
  }

  /** An id that no collection can contain; `k` keeps several of them distinct. */
  dangling(k: number, seconds: number): ObjectId {
    return buildId(seconds, TAGS.get(NOWHERE) as Uint8Array, k);
  }
}
