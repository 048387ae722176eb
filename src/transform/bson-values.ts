import { Binary, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'bson';

/**
 * Names a source value's type the way a person reading the error log expects
 * ("int32", "Decimal128", "string"), whichever copy of the bson package made it.
 */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid date' : 'date';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double';
  if (typeof value === 'object') {
    const tag = bsonType(value);
    return tag ?? (Buffer.isBuffer(value) ? 'bytes' : 'object');
  }
  return typeof value;
}

export function bsonType(value: object): string | undefined {
  return '_bsontype' in value && typeof value._bsontype === 'string' ? value._bsontype : undefined;
}

export function isObjectId(value: unknown): value is ObjectId {
  return value instanceof ObjectId || (typeof value === 'object' && value !== null && bsonType(value) === 'ObjectId');
}

export function isDecimal128(value: unknown): value is Decimal128 {
  return value instanceof Decimal128 || (typeof value === 'object' && value !== null && bsonType(value) === 'Decimal128');
}

export function isLong(value: unknown): value is Long {
  return value instanceof Long || (typeof value === 'object' && value !== null && bsonType(value) === 'Long');
}

export function isBinary(value: unknown): value is Binary {
  return value instanceof Binary || (typeof value === 'object' && value !== null && bsonType(value) === 'Binary');
}

/** A plain number out of the numeric BSON wrappers a driver may leave unpromoted. */
export function unwrapNumber(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof Double || value instanceof Int32) return value.valueOf();
  if (isLong(value)) {
    const big = value.toBigInt();
    return big;
  }
  if (value instanceof Timestamp) return value.toBigInt();
  return undefined;
}

/** A sub-document: a plain object, as BSON decodes one; not an ObjectId, Date, Decimal128, binary or array. */
export function isSubDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
