import { z } from 'zod';
import type { ColumnSpec, ModelSpec } from '../schema/model-graph.ts';
import { isValidInet } from '../transform/convert.ts';
import { decimalShape } from '../transform/decimal-text.ts';
import type { JsonValue } from '../transform/json-value.ts';

export type Row = Record<string, unknown>;

/** Checks a transformed row against what its table will accept, before any write. */
export interface RowCheck {
  /** The reason the row would be refused, or undefined when it fits. */
  problem(row: Row): string | undefined;
}

const INT4 = 2 ** 31;
const INT8 = 2n ** 63n;
const decimalText = /^-?\d+(\.\d+)?$/;
const uuidText = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// PostgreSQL's timestamptz range is 4713 BC to 294276 AD; JS Dates stop at ±275760 years.
const MIN_PG_TIME = Date.UTC(-4712, 0, 1);

/**
 * Builds the zod schema of a model's rows from its Prisma columns: types, NOT NULL, enum
 * values, integer widths, VarChar/Char lengths, decimal precision and scale, UUID, Inet, and
 * the NUL character PostgreSQL text cannot hold. A failed check names every bad field.
 */
export function buildRowCheck(model: ModelSpec, options: { fastPath?: boolean } = {}): RowCheck {
  const shape: Record<string, z.ZodType> = {};
  for (const column of model.columns) {
    let schema = column.isList ? z.array(scalarSchema(column)) : scalarSchema(column);
    if (!column.required) schema = schema.nullable().optional();
    shape[column.field] = schema;
  }
  const rowSchema = z.object(shape);
  const required = model.columns.filter((c) => c.required && !c.isList && c.literalDefault === undefined);
  const fields = model.columns.map((c) => c.field);
  const fits = model.columns.map(fastFit);
  const count = fields.length;
  return {
    problem(row) {
      // Nearly every row fits: a plain predicate per column says so without zod building a
      // result per row. Any doubt goes to zod, which words the reason exactly as before.
      let ok = options.fastPath !== false;
      for (let i = 0; i < count && ok; i++) ok = (fits[i] as Fit)(row[fields[i] as string]);
      if (ok) return undefined;
      // A required value that is not there is said in plain words, before zod's "expected string, received undefined".
      const absent = required.filter((c) => row[c.field] === undefined || row[c.field] === null);
      const missing = absent.map((c) => `${c.field}: required field is ${row[c.field] === null ? 'null' : 'missing'}`);
      const result = rowSchema.safeParse(row);
      if (result.success && missing.length === 0) return undefined;
      const absentFields = new Set(absent.map((c) => c.field));
      const others = result.success ? [] : result.error.issues.filter((i) => !absentFields.has(String(i.path[0]))).map((i) => `${i.path.join('.') || 'row'}: ${i.message}`);
      return [...missing, ...others].join('; ');
    },
  };
}

export type Fit = (value: unknown) => boolean;

/**
 * True only where zod's schema of the column (scalarSchema, nullable when optional) surely
 * passes the value; false means "ask zod". It must never say true where zod would refuse.
 */
export function fastFit(column: ColumnSpec): Fit {
  const scalar = scalarFit(column);
  const one: Fit = column.isList ? (v) => Array.isArray(v) && v.every(scalar) : scalar;
  return column.required ? (v) => v !== null && v !== undefined && one(v) : (v) => v === null || v === undefined || one(v);
}

function scalarFit(column: ColumnSpec): Fit {
  const native = column.native?.name;
  const args = column.native?.args.map(Number) ?? [];
  if (column.enumValues) {
    const values = new Set(column.enumValues);
    return (v) => typeof v === 'string' && values.has(v);
  }
  switch (column.type) {
    case 'String': {
      const max = (native === 'VarChar' || native === 'Char') && args[0] !== undefined ? args[0] : Infinity;
      const extra: Fit = native === 'Uuid' ? (v) => uuidText.test(v as string) : native === 'Inet' ? (v) => isValidInet(v as string) : () => true;
      // UTF-16 length bounds the character count: only a long string needs counting.
      return (v) => typeof v === 'string' && !v.includes('\u0000') && (v.length <= max || [...v].length <= max) && extra(v);
    }
    case 'Int': {
      const limit = native === 'SmallInt' ? 2 ** 15 : INT4;
      return (v) => typeof v === 'number' && Number.isInteger(v) && v >= -limit && v <= limit - 1;
    }
    case 'BigInt':
      return (v) => typeof v === 'bigint' && v >= -INT8 && v <= INT8 - 1n;
    case 'Float':
      return native === 'Real' ? (v) => typeof v === 'number' && Number.isFinite(v) && Object.is(Math.fround(v), v) : (v) => typeof v === 'number' && Number.isFinite(v);
    case 'Decimal': {
      const [precision, scale] = [args[0], args[1]];
      return (v) => {
        if (typeof v !== 'string' || !decimalText.test(v)) return false;
        const shape = decimalShape(v);
        return (scale === undefined || shape.scale <= scale) && (precision === undefined || shape.integerDigits <= precision - (scale ?? 0));
      };
    }
    case 'Json':
      return (v) => !jsonHasNul(v);
    case 'Bytes':
      return (v) => v instanceof Uint8Array;
    case 'Boolean':
      return (v) => typeof v === 'boolean';
    case 'DateTime':
      return (v) => v instanceof Date && v.getTime() >= MIN_PG_TIME && (native !== 'Date' || v.getTime() % 86_400_000 === 0);
  }
}

function scalarSchema(column: ColumnSpec): z.ZodType {
  const native = column.native?.name;
  const args = column.native?.args.map(Number) ?? [];
  if (column.enumValues) return z.enum(column.enumValues as [string, ...string[]]);
  switch (column.type) {
    case 'String': {
      let s = z.string().refine((v) => !v.includes('\u0000'), 'contains a NUL character, which PostgreSQL text cannot store');
      if (native === 'Uuid') return s.refine((v) => uuidText.test(v), 'not a UUID');
      if (native === 'Inet') return s.refine(isValidInet, 'not an IP address');
      if ((native === 'VarChar' || native === 'Char') && args[0] !== undefined) {
        const max = args[0];
        s = s.refine((v) => [...v].length <= max, `longer than ${max} characters`);
      }
      return s;
    }
    case 'Int': {
      const limit = native === 'SmallInt' ? 2 ** 15 : INT4;
      return z.number().int().min(-limit).max(limit - 1);
    }
    case 'BigInt':
      return z.bigint().min(-INT8).max(INT8 - 1n);
    case 'Float':
      return native === 'Real' ? z.number().refine((v) => Object.is(Math.fround(v), v), 'does not fit a 4-byte real') : z.number();
    case 'Decimal':
      return decimalSchema(args[0], args[1]);
    case 'Boolean':
      return z.boolean();
    case 'DateTime':
      return z.date().refine((d) => !Number.isNaN(d.getTime()) && d.getTime() >= MIN_PG_TIME, 'not a valid date').refine(
        (d) => native !== 'Date' || d.getTime() % 86_400_000 === 0,
        'has a time of day, which a date column would drop',
      );
    case 'Json':
      return z.custom<JsonValue>((v) => !jsonHasNul(v), 'contains a NUL character, which jsonb cannot store');
    case 'Bytes':
      return z.instanceof(Uint8Array);
  }
}

function decimalSchema(precision: number | undefined, scale: number | undefined): z.ZodType {
  return z
    .string()
    .regex(decimalText, 'not a decimal number')
    .refine((v) => scale === undefined || decimalShape(v).scale <= scale, `has more than ${scale ?? 0} decimal places and would be rounded`)
    .refine(
      (v) => precision === undefined || decimalShape(v).integerDigits <= precision - (scale ?? 0),
      `does not fit Decimal(${precision ?? ''}, ${scale ?? ''})`,
    );
}

function jsonHasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(jsonHasNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || jsonHasNul(v));
  return false;
}
