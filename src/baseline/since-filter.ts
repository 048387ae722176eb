import type { PreparedDoc } from '../load/prepare.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { ColumnSpec, ModelSpec } from '../schema/model-graph.ts';
import type { SourceFields } from '../transform/context.ts';
import { readPath, sourceKey } from '../transform/default-transformer.ts';
import { RejectError } from '../transform/reject.ts';
import type { SourceDoc } from '../transform/types.ts';

/** Which timestamp --since reads for a model, decided from the schema or the first document that has one. */
export type SinceField = { kind: 'updatedAt-column'; field: string } | { kind: 'source-field'; field: string };

/** Source fields read as "last changed" when the model has no `@updatedAt` column. */
export const SOURCE_TIME_FIELDS = ['updatedAt', 'updated_at', 'modifiedAt'] as const;

/**
 * --since for one model: "changed after `since`?" asked of a prepared document (the model's
 * `@updatedAt` column as the transformer gave it, else the first of SOURCE_TIME_FIELDS a
 * document has), and, where the same answer can be had from the raw document, asked of that
 * before any transforming (`unchangedRaw`): what lets baseline and sync skip preparing the
 * documents nothing happened to. A document without a readable time is compared.
 */
export interface SinceFilter {
  changed(doc: PreparedDoc): boolean;
  /**
   * True only when the raw document says for certain what `changed` would say of it prepared:
   * its time is readable and not after `since`. Undefined when no raw reading is exact for the
   * model (a hand-written transformer gives its `@updatedAt` column): every document is prepared.
   */
  unchangedRaw: ((doc: SourceDoc) => boolean) | undefined;
  field(): SinceField | undefined;
}

/**
 * `fields` is how the default transformer finds and converts the model's source fields
 * (session.fieldsFor); without it the `@updatedAt` column has no raw reading.
 */
export function sinceFilter(model: ModelSpec, plan: Pick<ModelPlan, 'custom'>, since: Date, fields?: SourceFields): SinceFilter {
  const limit = since.getTime();
  const column = model.columns.find((c) => c.isUpdatedAt === true);
  let field: SinceField | undefined = column ? { kind: 'updatedAt-column', field: column.field } : undefined;
  /** The source field, found on the first document that has one of the names; then fixed for the model. */
  const sourceTime = (doc: SourceDoc): unknown => {
    if (!field) {
      const name = SOURCE_TIME_FIELDS.find((n) => readField(doc, n) !== undefined);
      if (name) field = { kind: 'source-field', field: name };
    }
    return field ? readField(doc, field.field) : undefined;
  };
  const notAfter = (time: number | undefined) => time !== undefined && time <= limit;
  return {
    changed(doc) {
      const value = column ? doc.rows.get(model.name)?.[0]?.[column.field] : sourceTime(doc.doc);
      return !notAfter(timeOf(value));
    },
    // A source field is read from the raw document in `changed` too (PreparedDoc.doc): the same
    // reading, whoever transforms. The `@updatedAt` column is the default transformer's own
    // conversion of one source field, repeated here; a hand-written transformer may set it from anything.
    unchangedRaw: !column ? (doc) => notAfter(timeOf(sourceTime(doc))) : !plan.custom && fields && isPlainTime(column, fields) ? (doc) => notAfter(timeOf(convertedColumn(column, doc, fields))) : undefined,
    field: () => field,
  };
}

/** A column the default transformer fills by the source's converter (not a reference, not an id column made a UUID). */
function isPlainTime(column: ColumnSpec, fields: SourceFields): boolean {
  return column.type === 'DateTime' && !column.isList && column.references === undefined && fields.idColumns?.get(column.field) === undefined;
}

/**
 * The column's value as defaultRow makes it: the same source field (sourceKey: a rename, the
 * Prisma name, the @map name, case aside) through the same converter. A missing or null value
 * gets defaultRow's fallbacks, not a time; a value the converter refuses is left to preparing
 * (the document rejects there, with its reason). The converter's coercion tallies are only
 * reported by a migration, not by baseline or sync, so reading the field twice counts nothing wrong.
 */
function convertedColumn(column: ColumnSpec, doc: SourceDoc, fields: SourceFields): unknown {
  const key = sourceKey(column, doc, fields.renames);
  const raw = readPath(doc, key);
  if (raw === undefined || raw === null) return undefined;
  try {
    return fields.converter(column, raw, column.field, { collection: fields.collection, field: key });
  } catch (error) {
    if (error instanceof RejectError) return undefined;
    throw error;
  }
}

function readField(doc: SourceDoc, name: string): unknown {
  const value = doc[name];
  return value === null ? undefined : value;
}

/** A time as milliseconds: a Date, ISO text, or a number (epoch seconds below 1e11, else milliseconds). */
export function timeOf(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'string') {
    const t = Date.parse(value.includes('T') || !value.includes(' ') ? value : value.replace(' ', 'T'));
    return Number.isNaN(t) ? undefined : t;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    return n < 1e11 ? n * 1000 : n;
  }
  return undefined;
}
