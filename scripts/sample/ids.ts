import { ObjectId } from 'bson';
import type { CollectionName } from './collection-names.ts';
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

/** The shop's timeline; another sample passes its own to IdSpace. */
function shopSpan(collection: string): number {
  return collection === 'categories' || collection === 'tags' ? SETUP_S : HISTORY_S;
}

function tagOf(name: string): Uint8Array {
  const a = hashString(name);
  const b = hashString(`#${name}`);
  return Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, b & 0xff);
}

/** The 5 middle bytes of every id of each collection, plus the "nowhere" one; refused if two collide. */
function tagsOf(names: readonly string[]): ReadonlyMap<string, Uint8Array> {
  const tags = new Map<string, Uint8Array>([...names, NOWHERE].map((name) => [name, tagOf(name)]));
  const seen = new Set([...tags.values()].map((t) => Buffer.from(t).toString('hex')));
  if (seen.size !== tags.size) throw new Error('two collections hash to the same ObjectId tag');
  return tags;
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
export interface Timeline<C extends string> {
  /** Unix seconds of index 0 of every collection. */
  epochSeconds: number;
  /** Seconds a collection's documents spread over, from the epoch. */
  span(collection: C): number;
}

const SHOP_TIMELINE: Timeline<string> = { epochSeconds: EPOCH_S, span: shopSpan };

/**
 * The shop's collections are the default; another sample (scripts/crm/) passes its own
 * counts and timeline, and gets ids in the same layout.
 */
export class IdSpace<C extends string = CollectionName> {
  private readonly tags: ReadonlyMap<string, Uint8Array>;

  constructor(
    private readonly counts: Readonly<Record<C, number>>,
    private readonly timeline: Timeline<C> = SHOP_TIMELINE,
  ) {
    this.tags = tagsOf(Object.keys(counts));
  }

  /** Seconds since the epoch of the index-th document; non-decreasing in index. */
  seconds(collection: C, index: number): number {
    const n = this.counts[collection];
    return this.timeline.epochSeconds + Math.floor((index * this.timeline.span(collection)) / n);
  }

  oid(collection: C, index: number): ObjectId {
    return buildId(this.seconds(collection, index), this.tag(collection), index);
  }

  /** An id that no collection can contain; `k` keeps several of them distinct. */
  dangling(k: number, seconds: number): ObjectId {
    return buildId(seconds, this.tag(NOWHERE), k);
  }

  private tag(name: string): Uint8Array {
    const tag = this.tags.get(name);
    if (tag === undefined) throw new Error(`no ObjectId tag for collection "${name}"`);
    return tag;
  }
}
