import type { ColumnSpec } from '../schema/model-graph.ts';
import { plainDecimal } from '../transform/decimal-text.ts';
import { epochMicros } from '../transform/micro-date.ts';

/**
 * One text form per value, whichever side it comes from: what the transformer produced
 * (Date, decimal text, bigint, Buffer, JSON) and what node-postgres reads back from the
 * target (see `validationTypeParsers`). Equal values give equal text; a change in meaning
 * never does. Rows hash over these texts.
 */
export function canonicalValue(column: ColumnSpec, value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (column.isList) {
    // node-postgres parses arrays of built-in types only: an enum array arrives as its text.
    if (typeof value === 'string' && value.startsWith('{')) value = parseArrayText(value);
    if (!Array.isArray(value)) return `!list:${String(value)}`;
    return `[${value.map((v) => canonicalValue({ ...column, isList: false }, v)).join(',')}]`;
  }
  switch (column.type) {
    case 'String':
      if (column.native?.name === 'Uuid') return String(value).toLowerCase();
      if (column.native?.name === 'Inet') return canonicalInet(String(value));
      // char(n) pads with spaces; the comparison is on what the column means.
      if (column.native?.name === 'Char') return String(value).trimEnd();
      return String(value);
    case 'Int':
    case 'Float':
      return String(Number(value));
    case 'BigInt':
      return BigInt(value as string | number | bigint).toString();
    case 'Decimal': {
      const text = plainDecimal(String(value)) ?? String(value);
      return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
    }
    case 'Boolean':
      return value === true || value === 't' ? 'true' : value === false || value === 'f' ? 'false' : `!bool:${String(value)}`;
    case 'DateTime': {
      if (column.native?.name === 'Date') return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
      const date = value instanceof Date ? value : new Date(String(value));
      if (Number.isNaN(date.getTime())) return `!date:${String(value)}`;
      // Compared at the column's precision, as PostgreSQL rounds what it stores (timestamp(3) by default).
      return String(epochMicros(date, timePrecision(column)));
    }
    case 'Json':
      return stableJson(typeof value === 'string' && column.type === 'Json' && isJsonText(value) ? JSON.parse(value) : value);
    case 'Bytes':
      return value instanceof Uint8Array ? Buffer.from(value).toString('hex') : String(value);
  }
}

/** JSON with object keys sorted, so two equal documents print alike whatever their key order. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** PostgreSQL prints inet without a /32 or /128 and IPv6 in RFC 5952 form; so does this. */
export function canonicalInet(text: string): string {
  const [addr = '', bits] = text.toLowerCase().split('/');
  const full = addr.includes(':') ? compressIpv6(addr) : addr;
  const max = addr.includes(':') ? '128' : '32';
  return bits === undefined || bits === max ? full : `${full}/${bits}`;
}

function compressIpv6(addr: string): string {
  const [head = '', tail] = addr.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const parts = groups.map((g) => g.replace(/^0+(?=.)/, ''));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < parts.length; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < parts.length && parts[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return parts.join(':');
  return `${parts.slice(0, best.start).join(':')}::${parts.slice(best.start + best.length).join(':')}`;
}

/** A one-dimensional PostgreSQL array literal (`{LOW,"a b",NULL}`) as its elements' texts. */
export function parseArrayText(text: string): (string | null)[] | string {
  if (!text.startsWith('{') || !text.endsWith('}')) return text;
  const body = text.slice(1, -1);
  const out: (string | null)[] = [];
  if (body === '') return out;
  let i = 0;
  while (i <= body.length) {
    if (body[i] === '"') {
      let item = '';
      for (i++; i < body.length && body[i] !== '"'; i++) item += body[i] === '\\' ? (body[++i] ?? '') : body[i];
      out.push(item);
      i += 2; // closing quote and comma
    } else {
      const end = body.indexOf(',', i);
      const item = body.slice(i, end === -1 ? body.length : end);
      out.push(item === 'NULL' ? null : item);
      i = end === -1 ? body.length + 1 : end + 1;
    }
  }
  return out;
}

/** Fractional digits of a time column, as Prisma creates it (see expectedPgType): Timestamptz 6, plain DateTime 3. */
function timePrecision(column: ColumnSpec): number {
  const given = column.native?.args[0];
  if (given !== undefined) return Number(given);
  return ['Timestamptz', 'Time', 'Timetz'].includes(column.native?.name ?? '') ? 6 : 3;
}
