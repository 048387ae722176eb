import type { ColumnSpec } from '../../schema/model-graph.ts';
import { readIsoDate } from '../../transform/convert.ts';
import { dateWithMicros, microsOf } from '../../transform/micro-date.ts';
import { plainDecimal } from '../../transform/decimal-text.ts';
import { plainIsoText, readPlainIsoDate } from '../../transform/plain-iso-date.ts';
import { reject } from '../../transform/reject.ts';
import { NOT_EXACT, type ValueConverter } from '../../transform/types.ts';
import { globMatch } from './cast-rules.ts';
import { InvalidText, storageOf, type StorageClass } from './sqlite-values.ts';
import { utcTime } from '../../transform/utc-time.ts';

export type ConverterName = 'epoch-seconds' | 'epoch-ms' | 'julian-day' | 'text' | 'json' | 'date-keep-day';

export interface CastOptions {
  /** How zone-less date-time text is read; an IANA zone name. Default UTC, whatever the machine says. */
  timeZone: string;
  /** `''` where a number, boolean or date is expected: NULL with a logged warning, or a rejection. */
  emptyStrings: 'null' | 'reject';
  /** Per-column overrides, first match wins: `{ column: 'events.created', as: 'epoch-ms' }`. */
  rules: readonly { column: string; as: ConverterName }[];
  /** Called once per coerced value, for the tally and a few examples in the log (`from`/`to` are computed when read). */
  onCoercion: (coercion: Coercion) => void;
}

export interface Coercion {
  table: string;
  column: string;
  rule: string;
  from: string;
  to: string;
}

const JULIAN_UNIX_EPOCH = 2440587.5;

/**
 * The casting rules for values, as a table keyed by the target type and the value's storage
 * class; every entry that changes a value's representation (not just its type) reports a
 * coercion. A value no entry accepts rejects its row with the reason.
 */
export function createSqliteConverter(options: CastOptions): ValueConverter {
  const overrides = new Map<string, ConverterName | undefined>();
  const overrideOf = (origin: { collection: string; field: string }): ConverterName | undefined => {
    if (options.rules.length === 0) return undefined;
    const key = `${origin.collection}.${origin.field}`;
    if (!overrides.has(key)) overrides.set(key, options.rules.find((r) => globMatch(r.column, key))?.as);
    return overrides.get(key);
  };
  const utc = options.timeZone === 'UTC';
  const convert: ValueConverter = (column, value, label, origin) => {
    if (value === null || value === undefined) return null;
    const override = overrideOf(origin);
    // The values that need no rule, decided before any closure is made: most of a file.
    if (override === undefined && !column.isList) {
      const exact = exactValue(column, value, utc);
      if (exact !== NOT_EXACT) return exact;
    }
    if (value instanceof InvalidText) return reject(`${label}: ${value.toString()}`);
    const coerce = (rule: string, to: unknown): unknown => {
      // The texts are made only if the log asks for them: most coercions are only counted.
      options.onCoercion({ table: origin.collection, column: origin.field, rule, get from() { return show(value); }, get to() { return show(to); } });
      return to;
    };
    if (override) return applyOverride(override, column, value, label, coerce, options.timeZone);
    const storage = storageOf(value);
    if (value === '' && column.type !== 'String' && column.type !== 'Bytes') {
      if (options.emptyStrings === 'reject' || column.required) return reject(`${label}: empty string where ${column.type} is expected`);
      return coerce('empty string as NULL', null);
    }
    if (column.isList) return reject(`${label}: a list column cannot be filled from SQLite`);
    return castScalar(column, value, storage, label, coerce, options.timeZone);
  };
  convert.exact = (column, origin) => (overrideOf(origin) !== undefined || column.isList ? undefined : (value) => exactValue(column, value, utc));
  // Date-time text of the plain shape is most of a file's date-times: its ISO text comes from its digits.
  convert.exactText = (column, origin) =>
    utc && column.type === 'DateTime' && !column.isList && (column.native === undefined || TIMESTAMPS.has(column.native.name)) && overrideOf(origin) === undefined
      ? (value) => (typeof value === 'string' ? (plainIsoText(value) ?? NOT_EXACT) : NOT_EXACT)
      : undefined;
  return convert;
}

type Coerce = (rule: string, to: unknown) => unknown;

/** The native types whose COPY text is the value's ISO text (a `@db.Date` column writes the day alone). */
const TIMESTAMPS = new Set(['Timestamp', 'Timestamptz']);

/**
 * The value as the column takes it when its storage class is the column's own (text in a
 * String column, an integer in an Int column, 0/1 in a Boolean, JSON text in a Json column):
 * what castScalar would return without a coercion, and date-time text of the plain shape read
 * as UTC (castDate's reading, without its regex). Anything else is NOT_EXACT and goes the long
 * way, through the rules.
 */
function exactValue(column: ColumnSpec, value: unknown, utc: boolean): unknown {
  switch (column.type) {
    case 'String':
      return typeof value === 'string' ? value : NOT_EXACT;
    case 'Int':
      return typeof value === 'bigint' && value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : NOT_EXACT;
    case 'BigInt':
      return typeof value === 'bigint' ? value : NOT_EXACT;
    case 'Float':
      return typeof value === 'number' ? value : NOT_EXACT;
    case 'Boolean':
      return value === 0n ? false : value === 1n ? true : NOT_EXACT;
    case 'Decimal':
      return typeof value === 'bigint' ? String(value) : NOT_EXACT;
    case 'Bytes':
      return Buffer.isBuffer(value) ? value : NOT_EXACT;
    case 'DateTime':
      return utc && typeof value === 'string' ? (readPlainIsoDate(value) ?? NOT_EXACT) : NOT_EXACT;
    case 'Json':
      // castScalar's reading of JSON text; text that is not JSON is its to refuse.
      if (typeof value !== 'string') return NOT_EXACT;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return NOT_EXACT;
      }
    default:
      return NOT_EXACT;
  }
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function castScalar(column: ColumnSpec, value: unknown, storage: StorageClass, label: string, coerce: Coerce, timeZone: string): unknown {
  const refuse = (): never => reject(`${label}: no casting rule turns ${storage} ${show(value)} into ${column.type}`);
  switch (column.type) {
    case 'String':
      if (storage === 'text') return value;
      if (storage === 'integer' || storage === 'real') return coerce('number stored in a text column', numberText(value));
      if (storage === 'blob') {
        try {
          return coerce('UTF-8 blob read as text', new TextDecoder('utf-8', { fatal: true }).decode(value as Buffer));
        } catch {
          return reject(`${label}: binary data is not valid UTF-8 text`);
        }
      }
      return refuse();
    case 'Int':
    case 'BigInt': {
      const big = toBigInt(value, storage, coerce);
      if (big === undefined) return refuse();
      if (column.type === 'BigInt') return big;
      return Number.isSafeInteger(Number(big)) ? Number(big) : reject(`${label}: ${big} does not fit Int`);
    }
    case 'Float': {
      if (storage === 'real') return value;
      if (storage === 'integer') return Number.isSafeInteger(Number(value)) ? Number(value) : reject(`${label}: ${String(value)} would lose precision as a double`);
      if (storage === 'text' && isNumericText(String(value))) return coerce('numeric text as a number', Number(value));
      return refuse();
    }
    case 'Decimal': {
      if (storage === 'integer') return String(value);
      // REAL money: the shortest text that reads back as the same double is the decimal that was stored.
      if (storage === 'real') {
        const scale = column.native?.name === 'Decimal' ? Number(column.native.args[1] ?? 0) : undefined;
        const v = Number(value);
        // 0.1 + 0.2 stored as 0.30000000000000004: a binary rounding artifact, not a third decimal.
        if (scale !== undefined && Number.isFinite(v)) {
          const rounded = Number(v.toFixed(scale));
          const text = plainDecimal(String(v)) ?? '';
          if (text.split('.')[1]?.length !== undefined && (text.split('.')[1]?.length ?? 0) > scale && Math.abs(v - rounded) <= 4 * Number.EPSILON * Math.max(1, Math.abs(v))) {
            return coerce('REAL rounding artifact at the declared scale', rounded.toFixed(scale));
          }
        }
        return plainDecimal(String(value)) ?? refuse();
      }
      if (storage === 'text' && isNumericText(String(value))) return coerce('numeric text as a decimal', plainDecimal(String(value)));
      return refuse();
    }
    case 'Boolean': {
      if (storage === 'integer' && (value === 0n || value === 1n)) return value === 1n;
      if (storage === 'real' && (value === 0 || value === 1)) return coerce('0/1 real as a boolean', value === 1);
      if (storage === 'text') {
        const t = String(value).trim().toLowerCase();
        if (['1', 'true', 't', 'yes', 'y', 'on'].includes(t)) return coerce('text as a boolean', true);
        if (['0', 'false', 'f', 'no', 'n', 'off'].includes(t)) return coerce('text as a boolean', false);
      }
      return refuse();
    }
    case 'DateTime':
      return castDate(value, storage, label, coerce, timeZone) ?? refuse();
    case 'Json': {
      if (storage === 'text') {
        try {
          return JSON.parse(String(value)) as unknown;
        } catch {
          return reject(`${label}: invalid JSON text ${show(value)}`);
        }
      }
      if (storage === 'integer' || storage === 'real') return coerce('number as a JSON number', Number(value));
      return refuse();
    }
    case 'Bytes':
      if (storage === 'blob') return value;
      if (storage === 'text') return coerce('text in a BLOB column kept as its UTF-8 bytes', Buffer.from(String(value), 'utf8'));
      return refuse();
  }
}

function castDate(value: unknown, storage: StorageClass, label: string, coerce: Coerce, timeZone: string): Date | undefined {
  if (storage === 'integer') {
    const n = Number(value);
    return Math.abs(n) < 1e11 ? (coerce('unix seconds as a time', new Date(n * 1000)) as Date) : (coerce('unix milliseconds as a time', new Date(n)) as Date);
  }
  if (storage === 'real') {
    const n = Number(value);
    if (n >= 1721425.5 && n < 5373484.5) return coerce('julian day as a time', new Date(Math.round((n - JULIAN_UNIX_EPOCH) * 86_400_000))) as Date;
    return coerce('unix seconds as a time', new Date(Math.round(n * 1000))) as Date;
  }
  if (storage !== 'text') return undefined;
  const text = String(value).trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return castDate(text.includes('.') ? Number(text) : BigInt(text), text.includes('.') ? 'real' : 'integer', label, coerce, timeZone);
  const read = readIsoDate(text);
  if (!read) return reject(`${label}: malformed date ${show(value)}`);
  if (!read.local) return read.date;
  // Zone-less date-time text: read in the configured zone, never the server's.
  return timeZone === 'UTC' ? read.date : (coerce(`local time read in ${timeZone}`, zonedToUtc(read.date, timeZone)) as Date);
}

/** The instant at which the wall-clock time `local` (given as if UTC) occurs in `timeZone`. */
export function zonedToUtc(local: Date, timeZone: string): Date {
  const offsetAt = (t: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(new Date(t))
        .map((p) => [p.type, p.value]),
    );
    const asUtc = utcTime(Number(parts['year']), Number(parts['month']) - 1, Number(parts['day']), Number(parts['hour']), Number(parts['minute']), Number(parts['second']));
    return asUtc - Math.floor(t / 1000) * 1000;
  };
  const guess = local.getTime() - offsetAt(local.getTime());
  return dateWithMicros(local.getTime() - offsetAt(guess), microsOf(local));
}

function applyOverride(as: ConverterName, column: ColumnSpec, value: unknown, label: string, coerce: Coerce, timeZone: string): unknown {
  const n = Number(typeof value === 'string' ? value.trim() : value);
  switch (as) {
    case 'epoch-seconds':
      return Number.isFinite(n) ? coerce('unix seconds as a time (rule)', new Date(n * 1000)) : reject(`${label}: not a number of seconds`);
    case 'epoch-ms':
      return Number.isFinite(n) ? coerce('unix milliseconds as a time (rule)', new Date(n)) : reject(`${label}: not a number of milliseconds`);
    case 'julian-day':
      return Number.isFinite(n) ? coerce('julian day as a time (rule)', new Date(Math.round((n - JULIAN_UNIX_EPOCH) * 86_400_000))) : reject(`${label}: not a julian day`);
    case 'text':
      return typeof value === 'string' ? value : coerce('as text (rule)', numberText(value));
    case 'json':
      return castScalar({ ...column, type: 'Json' }, value, storageOf(value), label, coerce, timeZone);
    case 'date-keep-day': {
      // Read as a wall clock (UTC), so zone-less text keeps the calendar date it was written with.
      const time = castDate(value, storageOf(value), label, coerce, 'UTC') ?? reject(`${label}: no casting rule turns ${storageOf(value)} ${show(value)} into a date`);
      const day = new Date(utcTime(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
      return day.getTime() === time.getTime() ? time : coerce('time of day dropped, calendar date kept (rule date-keep-day)', day);
    }
  }
}

function toBigInt(value: unknown, storage: StorageClass, coerce: Coerce): bigint | undefined {
  if (storage === 'integer') return BigInt(value as bigint);
  if (storage === 'real' && Number.isInteger(value)) return coerce('integral real as an integer', BigInt(value as number)) as bigint;
  if (storage === 'text' && /^\s*[+-]?\d+\s*$/.test(String(value))) return coerce('integer text as an integer', BigInt(String(value).trim())) as bigint;
  return undefined;
}

function numberText(value: unknown): string {
  return typeof value === 'bigint' ? value.toString() : String(value);
}

function isNumericText(text: string): boolean {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text);
}

function show(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Buffer.isBuffer(value)) return `x'${value.subarray(0, 16).toString('hex')}${value.length > 16 ? '…' : ''}'`;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
