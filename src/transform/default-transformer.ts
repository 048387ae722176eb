import type { Row } from '../check/row-check.ts';
import type { LinkFill } from '../plan/plan.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { idColumnValue } from './id-column-value.ts';
import { reject } from './reject.ts';
import type { LinkSource, SourceFields } from './context.ts';
import type { ColumnSpec } from '../schema/model-graph.ts';
import type { SourceDoc, TransformContext, Transformer } from './types.ts';

/**
 * The transformer of a conventional model: source fields named as the Prisma fields, the
 * source `_id` as the id, `xxxId` references converted to the referenced model's UUID, arrays
 * of ids as many-to-many links (which array fills which table: plan/link-sources.ts), and the
 * rows of the models config embeds in it (`derives`, one entry per `models.<Child>.embeddedIn`).
 */
export function defaultTransformer(model: string, derives: Readonly<Record<string, string>> = {}): Transformer {
  return {
    model,
    ...(Object.keys(derives).length > 0 ? { derives } : {}),
    transform: (doc, ctx) => ({ rows: { [model]: [ctx.defaultRow(doc)], ...ctx.embeddedRows(doc) }, links: ctx.defaultLinks(doc) }),
  };
}

/**
 * What a row read from somewhere other than a whole document is given (an embedded element,
 * transform/embedded-rows.ts): the columns set whatever the element holds (its id, its owner),
 * the values of columns it may hold but need not (its position), and where it is for messages.
 */
export interface RowSeed {
  /** Columns not read from the source at all. */
  set: Row;
  /** Columns read from the source when it holds them (not null), else these values. */
  fallback: Readonly<Record<string, unknown>>;
  /** Prefixes each value's label in a rejection: `addresses[2].`, so the reason names the element. */
  at: string;
  /** Prefixes each source path in coercion tallies: `addresses.`, counted over all elements alike. */
  path: string;
}

/**
 * The row the conventions make of `doc` for `model`: each column read by the naming rules of
 * `sourceKey`, converted by the source's converter, references through `ctx.ref`. A whole
 * document's row has its UUID as id; an element's row gets what `seed` gives.
 */
export function defaultRow(model: ModelSpec, doc: SourceDoc, ctx: TransformContext, source: SourceFields, seed?: RowSeed): Row {
  // A composite key (`@@id([postId, tagId])`) has no UUID of its own: its columns are read like any other.
  const ownUuid = seed === undefined && !ctx.keepIds && model.key.length === 1;
  const row: Row = seed ? { ...seed.set } : ownUuid ? { [model.id.field]: ctx.uuid } : {};
  for (const column of model.columns) {
    if (seed ? column.field in seed.set : column.isId && ownUuid) continue;
    const key = sourceKey(column, doc, source.renames);
    const raw = readPath(doc, key);
    // A direct copy's reasons name the SQLite column (`t`), not the Prisma field made from it (`column`).
    const label = ctx.keepIds ? key : seed ? seed.at + column.field : column.field;
    if (raw === undefined || raw === null) {
      const fallback = seed?.fallback[column.field];
      if (fallback !== undefined) {
        row[column.field] = fallback;
      } else if (raw === undefined && column.literalDefault !== undefined) {
        row[column.field] = column.literalDefault;
      } else if (column.isList) {
        // Prisma has no optional lists: a document without the array (or with null) has none.
        row[column.field] = [];
      } else if (!column.required) {
        row[column.field] = null;
      }
      // A required column left out here may still be filled by a hand-written transformer from
      // ctx.defaultRow(doc); the row check refuses it if nothing does ("required field is missing").
      continue;
    }
    const idColumn = ctx.keepIds ? undefined : source.idColumns?.get(column.field);
    row[column.field] =
      column.references && !ctx.keepIds
        ? ctx.ref(column.references.model, raw, label)
        : idColumn
          ? idColumnValue(idColumn, raw, ctx, source.countIdColumn ?? noCount)
          : source.converter(column, raw, label, { collection: source.collection, field: seed ? seed.path + key : key });
  }
  return row;
}

const noCount = (): void => undefined;

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
  return linkSourceNames(field).find((name) => name in doc);
}

/** The source fields a relation's array of ids may be read from, preferred first. */
export function linkSourceNames(field: string): string[] {
  const singular = field.endsWith('ies') ? `${field.slice(0, -3)}y` : field.replace(/s$/, '');
  return [`${singular}Ids`, field];
}

/** What reads a top-level source field in the default transformer: the id, a column, a link array. */
export type ReadBy = 'id' | 'column' | 'link';

/**
 * Which source fields the default transformer reads for this model, decided once per model
 * from the same rules as `sourceKey` and `linkSourceField` (keep them in step): a key → what
 * reads it (with the column's field or the relation), or undefined when nothing does. A dotted
 * rename (`address.city`) reads inside a sub-document; the caller accounts for those.
 * For an embedded element (`element`), the columns it is given are not read from it, and its
 * `_id` is not the row's id (that is derived from its owner and position).
 */
export function defaultReads(
  model: ModelSpec,
  fills: readonly LinkFill[],
  renames: Readonly<Record<string, string>>,
  element?: { given: ReadonlySet<string>; detail: (field: string) => string },
): (key: string) => { use: ReadBy; detail: string } | undefined {
  const exact = new Map<string, { use: ReadBy; detail: string }>(element ? [] : [['_id', { use: 'id', detail: model.id.field }]]);
  const lower = new Map<string, { use: ReadBy; detail: string }>();
  for (const column of model.columns) {
    if (element?.given.has(column.field)) continue;
    const read = { use: 'column' as const, detail: element ? element.detail(column.field) : column.field };
    const renamed = renames[column.field];
    if (renamed !== undefined) {
      if (!renamed.includes('.')) exact.set(renamed, read);
      continue;
    }
    for (const name of [column.field, column.column]) {
      if (!exact.has(name)) exact.set(name, read);
      if (!lower.has(name.toLowerCase())) lower.set(name.toLowerCase(), read);
    }
  }
  for (const fill of fills) {
    const { junction } = fill;
    const read = { use: 'link' as const, detail: junction.relation };
    // The array the plan chose (by name, by ids sampled, by config); else the names a hand-written transformer's default links try.
    if (fill.sourceField !== undefined) exact.set(fill.sourceField, read);
    else for (const name of linkSourceNames((fill.ownerColumn === 'A' ? junction.a : junction.b).field)) if (!exact.has(name)) exact.set(name, read);
  }
  return (key) => exact.get(key) ?? lower.get(key.toLowerCase());
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
  return Object.keys(doc).find((k) => lower.includes(k.toLowerCase())) ?? flattenedPath(column.field, doc) ?? column.field;
}

/**
 * `addressCity` read from `address.city`: a column flattened out of an embedded document, the
 * way a team porting a document model names its columns. Only when the document holds the
 * embedded document and the rest of the name is one of its fields.
 */
function flattenedPath(field: string, doc: SourceDoc): string | undefined {
  for (const path of flattenedCandidates(field)) {
    const [parentName = '', child = ''] = path.split('.');
    const parent = doc[parentName];
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent) && child in parent) return path;
  }
  return undefined;
}

/** Every `parent.child` a camelCase field name may be flattened from: `addressCity` → `address.city`. */
export function flattenedCandidates(field: string): string[] {
  const out: string[] = [];
  for (let i = 1; i < field.length; i++) {
    const c = field[i] ?? '';
    if (c >= 'A' && c <= 'Z') out.push(`${field.slice(0, i)}.${c.toLowerCase()}${field.slice(i + 1)}`);
  }
  return out;
}

/**
 * The value at a source path: a field, or `a.b` inside an embedded document. A field whose own
 * name holds the dot (MongoDB allows it) wins over the nested reading.
 */
export function readPath(doc: SourceDoc, path: string): unknown {
  if (path in doc || !path.includes('.')) return doc[path];
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
