import { isIP } from 'node:net';
import { foldEnumText, type ColumnSpec } from '../schema/model-graph.ts';
import { describeType, isBinary, isDecimal128, isLong, isObjectId, unwrapNumber } from './bson-values.ts';
import { plainDecimal } from './decimal-text.ts';
import { toJsonValue } from './json-value.ts';
import { dateWithMicros, splitFraction } from './micro-date.ts';
import { daysInMonth } from './plain-iso-date.ts';
import { reject, RejectError } from './reject.ts';
import { NOT_EXACT, type ValueConverter } from './types.ts';
import { utcTime } from './utc-time.ts';

/**
 * Converts one source value to the JavaScript value its target column takes, or rejects the
 * record with the reason. It changes representation only, never meaning: a value that does
 * not fit its type is refused, not coerced. Range and length limits are the row check's job.
 */
export function convertValue(column: ColumnSpec, value: unknown, label: string, rules: BsonRules = STRICT): unknown {
  if (value === null || value === undefined) return null;
  if (column.isList) {
    if (!Array.isArray(value)) reject(`${label}: expected an array, got ${describeType(value)}`);
    return value.map((v, i) => convertScalar(column, v, `${label}[${i}]`, rules));
  }
  return convertScalar(column, value, label, rules);
}

/** The documented leniencies of the BSON converter; each one applied is reported as a coercion. */
export interface BsonRules {
  /** `''` where a number, boolean or date is expected: NULL in an optional column (`null`), or rejected. */
  emptyStrings: 'null' | 'reject';
  /** Called for each value changed by a rule (the summary counts them by rule). */
  onCoercion?: (rule: string, label: string, from: unknown, to: unknown) => void;
}

const STRICT: BsonRules = { emptyStrings: 'reject' };

/** The BSON converter of a source, with its rules, in the shape every converter has. */
/** A coercion a BSON value went through, for the tally and the log's examples. */
export interface BsonCoercion {
  collection: string;
  field: string;
  rule: string;
  from: unknown;
  to: unknown;
}

export function createBsonConverter(rules: { emptyStrings: 'null' | 'reject'; onCoercion: (c: BsonCoercion) => void }): ValueConverter {
  let origin = { collection: '', field: '' };
  const bound: BsonRules = { emptyStrings: rules.emptyStrings, onCoercion: (rule, _label, from, to) => rules.onCoercion({ ...origin, rule, from, to }) };
  const convert: ValueConverter = (column, value, label, at) => {
    origin = at;
    return convertValue(column, value, label, bound);
  };
  convert.exact = (column) => (column.isList ? undefined : (value) => exactScalar(column, value));
  return convert;
}

/** Thrown by EXACT's onCoercion: a value a rule would change is not exact. */
const COERCES = new Error('coerces');
const EXACT: BsonRules = {
  emptyStrings: 'reject',
  onCoercion: () => {
    throw COERCES;
  },
};

/**
 * convertScalar where it neither coerces nor refuses (the converter's exact part, types.ts): the
 * same function, so the same values; a value a rule would change (a coercion) or refuse is
 * NOT_EXACT, for the converter itself to decide with its words and tallies.
 */
function exactScalar(column: ColumnSpec, value: unknown): unknown {
  if (value === null || value === undefined) return NOT_EXACT;
  try {
    return convertScalar(column, value, '', EXACT);
  } catch (error) {
    if (error === COERCES || error instanceof RejectError) return NOT_EXACT;
    throw error;
  }
}

function convertScalar(column: ColumnSpec, value: unknown, label: string, rules: BsonRules): unknown {
  const wrong = (): never => reject(`${label}: expected ${expected(column)}, got ${describeType(value)} ${preview(value)}`);
  if (value === '' && (column.enumName !== undefined || !['String', 'Json', 'Bytes'].includes(column.type)) && rules.emptyStrings === 'null') {
    // A form's empty field where a number, date or enum belongs: it says "no value", nothing else.
    if (column.required) return reject(`${label}: empty string where ${expected(column)} is required`);
    rules.onCoercion?.('empty string → NULL', label, value, null);
    return null;
  }
  switch (column.type) {
    case 'String': {
      if (typeof value === 'string') return column.enumName ? enumLabel(column, value, label, rules) : value;
      if (isObjectId(value) && !column.enumName) return value.toHexString();
      return wrong();
    }
    case 'Int': {
      const n = unwrapNumber(value);
      if (typeof n === 'bigint') return Number.isSafeInteger(Number(n)) ? Number(n) : wrong();
      return typeof n === 'number' && Number.isInteger(n) ? n : wrong();
    }
    case 'BigInt': {
      const n = unwrapNumber(value);
      if (typeof n === 'bigint') return n;
      return typeof n === 'number' && Number.isSafeInteger(n) ? BigInt(n) : wrong();
    }
    case 'Float': {
      const n = unwrapNumber(value);
      if (typeof n === 'number') return n;
      return typeof n === 'bigint' && Number.isSafeInteger(Number(n)) ? Number(n) : wrong();
    }
    case 'Decimal': {
      if (isDecimal128(value)) return plainDecimal(value.toString()) ?? wrong();
      const n = unwrapNumber(value);
      // A double's shortest round-trip text is the decimal the application meant to store.
      if (typeof n === 'number') return Number.isFinite(n) ? (plainDecimal(String(n)) ?? wrong()) : wrong();
      if (typeof n === 'bigint') return n.toString();
      return wrong();
    }
    case 'Boolean':
      return typeof value === 'boolean' ? value : wrong();
    case 'DateTime': {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? wrong() : value;
      if (typeof value === 'string') return parseIsoDate(value) ?? reject(`${label}: malformed date ${JSON.stringify(value)}`);
      return wrong();
    }
    case 'Json':
      try {
        return toJsonValue(value);
      } catch (error) {
        return reject(`${label}: ${(error as Error).message}`);
      }
    case 'Bytes': {
      if (isBinary(value)) return Buffer.from(value.buffer.subarray(0, value.position));
      if (value instanceof Uint8Array) return Buffer.from(value);
      return wrong();
    }
  }
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * ISO-8601 text that names a real instant. A date-time without a zone is refused rather
 * than read in some server's zone; components out of range (Feb 30, 25:61) are refused
 * rather than rolled over as Date.parse does.
 */
export function parseIsoDate(text: string): Date | undefined {
  const read = readIsoDate(text);
  return read && !read.local ? read.date : undefined;
}

/**
 * The same reading, and a date-time without a zone too, as if it were UTC, with `local` set:
 * for sources whose convention says which zone such text is in (SQLite's `timeZone`).
 */
export function readIsoDate(text: string): { date: Date; local: boolean } | undefined {
  const m = isoDate.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h ?? 0), minute = Number(mi ?? 0), second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const { ms, micros } = frac ? splitFraction(frac) : { ms: 0, micros: 0 };
  let t = utcTime(year, month - 1, day, hour, minute, second, ms);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return { date: dateWithMicros(t, micros), local: h !== undefined && zone === undefined };
}

/**
 * An enum value as the database stores it. Applications that kept enums as free strings
 * write `won`, `Won` or `closed_won` for one value: a spelling that folds (case, `_`, `-`,
 * spaces) to exactly one value's name or `@map` label is that value, and is reported. Anything
 * else is left for the row check to refuse with the list of values.
 */
function enumLabel(column: ColumnSpec, value: string, label: string, rules: BsonRules): string {
  if (column.enumValues?.includes(value)) return value;
  const found = column.enumAliases?.get(foldEnumText(value));
  if (found === undefined) return value;
  rules.onCoercion?.(`enum ${column.enumName ?? ''} spelling`, label, value, found);
  return found;
}

function expected(column: ColumnSpec): string {
  if (column.enumName) return `one of ${column.enumName}`;
  if (column.native?.name === 'Inet') return 'an IP address';
  return { String: 'a string', Int: 'an integer', BigInt: 'an integer', Float: 'a number', Decimal: 'a decimal number', Boolean: 'a boolean', DateTime: 'a date', Json: 'JSON', Bytes: 'binary data' }[column.type];
}

function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isLong(value)) return value.toString();
  return '';
}

export function isValidInet(text: string): boolean {
  const [addr, bits] = text.split('/');
  const family = isIP(addr ?? '');
  if (family === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (family === 4 ? 32 : 128);
}
