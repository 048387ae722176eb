import { ObjectId } from 'bson';

/** A source primary key as the drivers hand it over. */
export type SourceId = ObjectId | number | bigint | string;

/**
 * The text form of a source id, used as the key of the id map, in checkpoints and in the
 * error log. ObjectIds are 24 lower-case hex digits, numbers their decimal digits.
 */
export function sourceIdKey(id: SourceId): string {
  if (id instanceof ObjectId) return id.toHexString();
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id)) throw new Error(`source id ${id} is not an integer`);
    return String(id);
  }
  return String(id);
}

export function sourceIdKind(id: SourceId): 'objectId' | 'int' | 'string' {
  if (id instanceof ObjectId) return 'objectId';
  return typeof id === 'string' ? 'string' : 'int';
}

/** Rebuilds a source id from its key, for reading the source again (retry, validate). */
export function parseSourceId(key: string, kind: 'objectId' | 'int' | 'string'): SourceId {
  if (kind === 'objectId') return ObjectId.createFromHexString(key);
  if (kind === 'int') {
    const big = BigInt(key);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
  }
  return key;
}

/** Accepts what a document may hold in a reference field: an ObjectId, a number, or the text forms. */
export function asSourceId(value: unknown): SourceId | undefined {
  if (value instanceof ObjectId) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && value !== '') return value;
  if (value && typeof value === 'object' && '_bsontype' in value && value._bsontype === 'ObjectId' && 'toHexString' in value) {
    // An ObjectId from another copy of the bson package (the driver may bundle its own).
    return ObjectId.createFromHexString(String((value as { toHexString(): string }).toHexString()));
  }
  return undefined;
}

/**
 * Documents whose `_id` their source vouches for as a whole key: a SQLite primary key, where
 * `''` is a legal text key (a MongoDB `_id` of `''` stays "no id"). A WeakSet rather than a
 * field, so the mark is never read as a source field nor written anywhere.
 */
const vouched = new WeakSet<object>();

export function vouchForKey<T extends object>(doc: T): T {
  vouched.add(doc);
  return doc;
}

/** The source id of a document as read: `asSourceId(doc._id)`, and `''` when its source vouches for it. */
export function docSourceId(doc: { _id?: unknown }): SourceId | undefined {
  if (doc._id === '' && vouched.has(doc)) return '';
  return asSourceId(doc._id);
}
