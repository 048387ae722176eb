import type { Decimal128, Double, Long, ObjectId, Document } from 'bson';

/**
 * What the type statistics do not say but the choice of a column needs, gathered in one walk
 * over the sampled documents, per path (`lines.productId`: array elements share their array's
 * path, as in mongodb-schema): the ObjectIds seen (to find what they reference), the distinct
 * strings (for enums), whether doubles have fractions, a decimal's scale, dates' times of day.
 */
export interface PathFacts {
  objectIds: Set<string>;
  strings: Map<string, number>;
  /** More distinct strings than kept: not a closed set. */
  manyStrings: boolean;
  emptyStrings: number;
  fractionalDoubles: number;
  maxDecimalScale: number;
  maxDecimalDigits: number;
  datesWithTime: number;
  /** Values of an int64 or double beyond ±2^31 (an Int column would refuse them). */
  beyondInt32: number;
  arrayLengths: { max: number; total: number; arrays: number };
}

const MAX_IDS = 200;
const MAX_STRINGS = 50;

/**
 * A BSON value's type by its `_bsontype` tag, not `instanceof`: documents from the MongoDB driver
 * carry the driver's own copy of the bson classes, which are not this package's.
 */
function bsonType(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && '_bsontype' in value ? String(value._bsontype) : undefined;
}

export function gatherFacts(docs: readonly Document[]): Map<string, PathFacts> {
  const facts = new Map<string, PathFacts>();
  const at = (path: string): PathFacts => {
    let f = facts.get(path);
    if (!f) {
      f = { objectIds: new Set(), strings: new Map(), manyStrings: false, emptyStrings: 0, fractionalDoubles: 0, maxDecimalScale: 0, maxDecimalDigits: 0, datesWithTime: 0, beyondInt32: 0, arrayLengths: { max: 0, total: 0, arrays: 0 } };
      facts.set(path, f);
    }
    return f;
  };
  const visit = (path: string, value: unknown, inArray: boolean): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      const lengths = at(path).arrayLengths;
      lengths.arrays++;
      lengths.total += value.length;
      lengths.max = Math.max(lengths.max, value.length);
      // An array inside an array has no column of its own: it stays Json with its parent.
      if (!inArray) for (const v of value) visit(path, v, true);
      return;
    }
    if (typeof value === 'string') {
      const f = at(path);
      if (value === '') f.emptyStrings++;
      else if (f.strings.has(value) || f.strings.size < MAX_STRINGS) f.strings.set(value, (f.strings.get(value) ?? 0) + 1);
      else f.manyStrings = true;
      return;
    }
    const kind = bsonType(value);
    if (kind === 'ObjectId') {
      const id = value as ObjectId;
      const f = at(path);
      if (f.objectIds.size < MAX_IDS) f.objectIds.add(id.toHexString());
      return;
    }
    if (kind === 'Double') {
      const f = at(path);
      const n = (value as Double).value;
      if (!Number.isInteger(n)) f.fractionalDoubles++;
      else if (Math.abs(n) > 2 ** 31 - 1) f.beyondInt32++;
      return;
    }
    if (kind === 'Long') {
      const long = value as Long;
      if (long.greaterThan(2 ** 31 - 1) || long.lessThan(-(2 ** 31))) at(path).beyondInt32++;
      return;
    }
    if (kind === 'Decimal128') {
      const text = (value as Decimal128).toString();
      const [whole = '', fraction = ''] = text.replace(/^-/, '').split(/[eE]/)[0]?.split('.') ?? [];
      const f = at(path);
      f.maxDecimalScale = Math.max(f.maxDecimalScale, fraction.length);
      f.maxDecimalDigits = Math.max(f.maxDecimalDigits, whole.replace(/^0+/, '').length + fraction.length);
      return;
    }
    if (value instanceof Date) {
      if (value.getTime() % 86_400_000 !== 0) at(path).datesWithTime++;
      return;
    }
    if (typeof value === 'object' && !('_bsontype' in value)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(path === '' ? k : `${path}.${k}`, v, inArray);
    }
  };
  for (const doc of docs) visit('', doc, false);
  return facts;
}
