import { Int32, Long, type Document, type ObjectId } from 'bson';
import type { CollectionName } from '../sample/collection-names.ts';
import type { Rand } from '../sample/random.ts';

/**
 * What the changed dump needs to know of the original to keep a copy valid: the unique keys the
 * copies must not repeat, and the clean users (not planted dirt) a copy may point at.
 */
export interface DumpFacts {
  maxOrderNumber: number;
  maxSequence: bigint;
  /** `productId/userId` of every review: @@unique([productId, userId]). */
  reviewPairs: Set<string>;
  cleanUsers: ObjectId[];
  /** Clean users without a profile: Profile.userId is @unique. */
  usersWithoutProfile: ObjectId[];
}

/** How the sample app's collections are changed, one entry per collection (prisma/schema.prisma). */
export interface CollectionRecipe {
  /** Sets a field the Prisma schema maps (a column of the model's own row) to a new value. */
  mapped(doc: Document): void;
  /**
   * No other collection references its documents, so some may be deleted: each one that no
   * document of the dump points at (a comment nobody replies to).
   */
  deletable: boolean;
  /** Makes the unique fields of the `k`-th copy (from 1) unique, and its references valid. */
  uniquify(copy: Document, k: number, facts: DumpFacts, rand: Rand): void;
  /** Its documents carry a "last changed" time (STAMP_FIELD) in the changed dump: what --since reads. */
  stamped: boolean;
}

/**
 * The "last changed" field of the changed dump (one of the names --since reads when a model has
 * no `@updatedAt` column: SOURCE_TIME_FIELDS). The sample app has none and its schema maps none:
 * the tool ignores it when comparing, so a target migrated from the unstamped sample is the
 * target a stamped one would give.
 */
export const STAMP_FIELD = 'updatedAt';

/**
 * Every this-many-th mapped update of a stamped collection leaves the stamp as it was (a fix
 * made in the database by hand, a script that forgets it): --since misses it by design.
 */
export const SILENT_EVERY = 10;

/** A top-level field no model maps: the tool ignores it, so the document stays unchanged. */
export const UNMAPPED_FIELD = 'benchUnmappedNote';

const text = (doc: Document, field: string): string => {
  const v = doc[field];
  if (typeof v !== 'string') throw new Error(`${String(doc['_id'])}: ${field} is not a string`);
  return v;
};
const append = (field: string, suffix = ' (edited)') => (doc: Document) => {
  doc[field] = `${text(doc, field)}${suffix}`;
};
const set = (field: string, value: string) => (doc: Document) => {
  doc[field] = value;
};
const suffixed = (field: string, suffix: (k: number) => string) => (copy: Document, k: number) => {
  copy[field] = `${text(copy, field)}${suffix(k)}`;
};
const nothing = () => {};

/** Takes one item of a list at random and removes it, so no two copies get the same one. */
function take<T>(list: T[], rand: Rand, what: string): T {
  if (list.length === 0) throw new Error(`no ${what} left for another copy`);
  const i = rand.int(0, list.length - 1);
  const [item] = list.splice(i, 1);
  return item as T;
}

export const RECIPES: Readonly<Record<CollectionName, CollectionRecipe>> = {
  users: { mapped: append('name'), deletable: false, stamped: true, uniquify: (c, k) => (c['email'] = `copy${k}.${text(c, 'email')}`) },
  // Not headline: it is VarChar(140) and some sit at the limit, an edit would make them reject.
  profiles: {
    mapped: (d) => (d['website'] = `https://example.com/edited/${String(d['_id'])}`),
    deletable: true,
    stamped: true,
    uniquify: (c, _k, facts, rand) => (c['userId'] = take(facts.usersWithoutProfile, rand, 'user without a profile')),
  },
  categories: { mapped: append('name'), deletable: false, stamped: true, uniquify: suffixed('slug', (k) => `-copy-${k}`) },
  tags: { mapped: append('name'), deletable: false, stamped: true, uniquify: suffixed('name', (k) => ` (copy ${k})`) },
  products: { mapped: append('name'), deletable: false, stamped: true, uniquify: suffixed('sku', (k) => `-COPY-${k}`) },
  orders: { mapped: set('note', 'edited by the sync bench'), deletable: true, stamped: true, uniquify: (c, k, facts) => (c['number'] = new Int32(facts.maxOrderNumber + k)) },
  reviews: {
    mapped: set('body', 'edited by the sync bench'),
    deletable: true,
    stamped: true,
    uniquify: (c, _k, facts, rand) => {
      const product = String(c['productId']);
      for (let attempt = 0; attempt < 1000; attempt++) {
        const user = rand.pick(facts.cleanUsers);
        const pair = `${product}/${String(user)}`;
        if (facts.reviewPairs.has(pair)) continue;
        facts.reviewPairs.add(pair);
        c['userId'] = user;
        return;
      }
      throw new Error(`no user left without a review of product ${product}`);
    },
  },
  posts: { mapped: append('title'), deletable: false, stamped: true, uniquify: suffixed('slug', (k) => `-copy-${k}`) },
  comments: { mapped: append('body'), deletable: true, stamped: true, uniquify: nothing },
  // Append-only events: nothing changes them later, so they have no "last changed" (--since compares them in full).
  audit_logs: { mapped: append('action', '.edited'), deletable: true, stamped: false, uniquify: (c, k, facts) => (c['sequence'] = Long.fromBigInt(facts.maxSequence + BigInt(k))) },
};

/** Reads what DumpFacts needs from one original document. */
export function observe(facts: DumpFacts, collection: CollectionName, doc: Document, dirty: boolean, profileUsers: Set<string>): void {
  if (collection === 'orders') facts.maxOrderNumber = Math.max(facts.maxOrderNumber, Number(doc['number']));
  if (collection === 'audit_logs') facts.maxSequence = bigMax(facts.maxSequence, (doc['sequence'] as Long).toBigInt());
  if (collection === 'reviews') facts.reviewPairs.add(`${String(doc['productId'])}/${String(doc['userId'])}`);
  if (collection === 'profiles') profileUsers.add(String(doc['userId']));
  if (collection === 'users' && !dirty) facts.cleanUsers.push(doc['_id'] as ObjectId);
}

const bigMax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
