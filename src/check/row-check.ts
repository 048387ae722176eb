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
const uuidText = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// PostgreSQL's timestamptz range is 4713 BC to 294276 AD; JS Dates stop at ±275760 years.
const MIN_PG_TIME = Date.UTC(-4712, 0, 1);

/**
 * Builds the zod schema of a model's rows from its Prisma columns: types, NOT NULL, enum
 * values, integer widths, VarChar/Char lengths, decimal precision and scale, UUID, Inet, and
 * the NUL character PostgreSQL text cannot hold. A failed check names every bad field.
 */
export function buildRowCheck(model: ModelSpec): RowCheck {
  const shape: Record<string, z.ZodType> = {};
  for (const column of model.columns) {
    let schema = column.isList ? z.array(scalarSchema(column)) : scalarSchema(column);
    if (!column.required) schema = schema.nullable().optional();
    shape[column.field] = schema;
  }
  const rowSchema = z.object(shape);
  const required = model.columns.filter((c) => c.required && !c.isList && c.literalDefault === undefined);
  return {
    problem(row) {
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
    .regex(/^-?\d+(\.\d+)?$/, 'not a decimal number')
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
