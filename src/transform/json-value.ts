import { bsonType, isBinary, isDecimal128, isLong, isObjectId } from './bson-values.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Embedded documents kept as Json become plain JSON a SQL user can query: ObjectIds as
 * their hex string, dates as ISO-8601 text, Decimal128 as decimal text, int64 as a number
 * when it is exact and as decimal text when it is not, binary as base64.
 */
export function toJsonValue(value: unknown, path = '$'): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path}: ${value} has no JSON form`);
    return value;
  }
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error(`${path}: invalid date`);
    return value.toISOString();
  }
  if (Array.isArray(value)) return value.map((v, i) => toJsonValue(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    if (isObjectId(value)) return value.toHexString();
    if (isDecimal128(value)) return value.toString();
    if (isLong(value)) return toJsonValue(value.toBigInt(), path);
    if (isBinary(value)) return Buffer.from(value.buffer.subarray(0, value.position)).toString('base64');
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    const tag = bsonType(value);
    if (tag === 'Double' || tag === 'Int32') return Number((value as { valueOf(): number }).valueOf());
    if (tag !== undefined) return String(value);
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJsonValue(v, `${path}.${k}`);
    }
    return out;
  }
  throw new Error(`${path}: ${typeof value} has no JSON form`);
}
