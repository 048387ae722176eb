import type { ColumnSpec, ModelSpec } from '../schema/model-graph.ts';
import { isoText } from '../transform/micro-date.ts';

/**
 * Encodes values for COPY ... FROM STDIN in PostgreSQL's text format: tab-separated,
 * `\N` for NULL, and backslash escapes for backslash, newline, carriage return and tab.
 */
export function copyField(value: unknown, column?: ColumnSpec): string {
  if (value === null || value === undefined) return '\\N';
  return escapeCopy(textOf(value, column));
}

/** The text PostgreSQL reads a value from, before any COPY or SQL quoting; null for NULL. */
export function fieldText(value: unknown, column?: ColumnSpec): string | null {
  return value === null || value === undefined ? null : textOf(value, column);
}

/**
 * `copyField` specialised for one column, decided once instead of per value: the common types
 * (text, numbers, booleans, timestamps) take a short path, the rest goes through copyField.
 */
export function copyEncoder(column?: ColumnSpec): (value: unknown) => string {
  if (column && (column.isList || column.type === 'Json')) return (v) => copyField(v, column);
  const dateOnly = column?.native?.name === 'Date';
  return (v) => {
    if (v === null || v === undefined) return '\\N';
    switch (typeof v) {
      case 'string':
        return escapeCopy(v);
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0) ? String(v) : copyField(v, column);
      case 'bigint':
        return v.toString();
      case 'boolean':
        return v ? 't' : 'f';
    }
    // ISO text never holds a character COPY escapes.
    if (v instanceof Date && !dateOnly) return isoText(v);
    return copyField(v, column);
  };
}

export function escapeCopy(text: string): string {
  return copySpecial.test(text) ? text.replace(copySpecials, (c) => copyEscapes[c] ?? c) : text;
}

const copySpecial = /[\\\n\r\t]/;
const copySpecials = /[\\\n\r\t]/g;

const copyEscapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function textOf(value: unknown, column: ColumnSpec | undefined): string {
  // A list first: a Json[] column is an array of JSON texts, not one JSON array.
  if (column?.isList && Array.isArray(value)) return arrayLiteral(value, column);
  // A Json column takes JSON text for every value, strings and booleans included.
  if (column?.type === 'Json') return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (typeof value === 'string') return value;
  // String(-0) is "0": a negative zero the source stored would arrive as a positive one.
  if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return column?.native?.name === 'Date' ? value.toISOString().slice(0, 10) : isoText(value);
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function arrayLiteral(values: readonly unknown[], column: ColumnSpec): string {
  const scalar: ColumnSpec = { ...column, isList: false };
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    return `"${textOf(v, scalar).replace(/["\\]/g, (c) => `\\${c}`)}"`;
  });
  return `{${items.join(',')}}`;
}

type Encode = (value: unknown) => string;
type LineOf = (row: Readonly<Record<string, unknown>>) => string;
const lineEncoders = new WeakMap<ModelSpec, LineOf>();

/**
 * A model's row as its COPY line (no newline), as the COPY writer encodes it: the column
 * encoders decided once per model, so a caller takes this once and calls it per row.
 */
export function rowLineOf(model: ModelSpec): LineOf {
  let found = lineEncoders.get(model);
  if (!found) {
    const fields = model.columns.map((c) => c.field);
    const encode = model.columns.map((c) => copyEncoder(c));
    found = (row) => {
      let line = (encode[0] as Encode)(row[fields[0] as string]);
      for (let i = 1; i < fields.length; i++) line += '\t' + (encode[i] as Encode)(row[fields[i] as string]);
      return line;
    };
    lineEncoders.set(model, found);
  }
  return found;
}
