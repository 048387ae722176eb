import type { Row } from '../check/row-check.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { reject } from './reject.ts';
import type { LinkSource, SourceFields } from './context.ts';
import type { ColumnSpec } from '../schema/model-graph.ts';
import type { SourceDoc, TransformContext, Transformer } from './types.ts';

/**
 * The transformer of a conventional model: source fields named as the Prisma fields, the
 * source `_id` as the id, `xxxId` references converted to the referenced model's UUID, and
 * arrays of ids as many-to-many links (which array fills which table: plan/link-sources.ts).
 */
export function defaultTransformer(model: string): Transformer {
  return {
    model,
    transform: (doc, ctx) => ({ rows: { [model]: [ctx.defaultRow(doc)] }, links: ctx.defaultLinks(doc) }),
  };
}

export function defaultRow(model: ModelSpec, doc: SourceDoc, ctx: TransformContext, source: SourceFields): Row {
  const row: Row = ctx.keepIds ? {} : { [model.id.field]: ctx.uuid };
  for (const column of model.columns) {
    if (column.isId && !ctx.keepIds) continue;
    const key = sourceKey(column, doc, source.renames);
    const raw = doc[key];
    const label = column.field;
    if (raw === undefined || raw === null) {
      if (raw === undefined && column.literalDefault !== undefined) {
        row[column.field] = column.literalDefault;
      } else if (column.isList) {
        // Prisma has no optional lists: a document without the array (or with null) has none.
        row[column.field] = [];
      } else if (column.required) {
        reject(raw === undefined ? `${label}: required field is missing` : `${label}: required field is null`);
      } else {
        row[column.field] = null;
      }
      continue;
    }
    row[column.field] = column.references && !ctx.keepIds ? ctx.ref(column.references.model, raw, label) : source.converter(column, raw, label, { collection: source.collection, field: key });
  }
  return row;
}

export function defaultLinks(doc: SourceDoc, ctx: TransformContext, sources: readonly LinkSource[]): Record<string, string[]> {
  const links: Record<string, string[]> = {};
  for (const { key, field: resolved, relationField, otherModel } of sources) {
    const field = resolved ?? linkSourceField(relationField, doc);
    if (field === undefined) continue;
    const value = doc[field];
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) reject(`${field}: expected an array of ids, got ${typeof value}`);
    const uuids = value.map((v: unknown, i: number) => ctx.ref(otherModel, v, `${field}[${i}]`) ?? reject(`${field}[${i}]: null id`));
    links[key] = [...new Set(uuids)];
  }
  return links;
}

/** `tags` is read from `tagIds` (the Prisma-on-MongoDB convention) or from `tags` itself. */
function linkSourceField(field: string, doc: SourceDoc): string | undefined {
  const singular = field.endsWith('ies') ? `${field.slice(0, -3)}y` : field.replace(/s$/, '');
  return [`${singular}Ids`, field].find((name) => name in doc);
}

/**
 * The source field a column reads: a configured rename, else the field or column named
 * exactly like it, else one that differs only in case (`ArtistId` for `artistId`).
 */
export function sourceKey(column: ColumnSpec, doc: SourceDoc, renames: Readonly<Record<string, string>>): string {
  const renamed = renames[column.field];
  if (renamed !== undefined) return renamed;
  if (column.field in doc) return column.field;
  if (column.column in doc) return column.column;
  const lower = [column.field.toLowerCase(), column.column.toLowerCase()];
  return Object.keys(doc).find((k) => lower.includes(k.toLowerCase())) ?? column.field;
}
