import type { IdMapper } from '../ids/id-mapper.ts';
import { asSourceId, sourceIdKey, type SourceId } from '../ids/source-id.ts';
import type { EmbeddedChild } from '../plan/embedded.ts';
import type { IdColumn } from '../plan/references.ts';
import type { ColumnSpec, ModelGraph, ModelSpec } from '../schema/model-graph.ts';
import { defaultLinks, defaultRow } from './default-transformer.ts';
import { embeddedRows } from './embedded-rows.ts';
import { reject } from './reject.ts';
import type { SourceDoc, TransformContext, ValueConverter } from './types.ts';
import type { Row } from '../check/row-check.ts';

/** How a model's source is read: its collection, field renames, and the value converter of its kind. */
export interface SourceFields {
  collection: string;
  converter: ValueConverter;
  /** Prisma field → source field, where they are not named alike. */
  renames: Readonly<Record<string, string>>;
  /** Id columns without a relation, by field: their values become UUIDs by convention. */
  idColumns?: ReadonlyMap<string, IdColumn> | undefined;
  /** Tallies each id-column conversion by `Model.field: kind → target`. */
  countIdColumn?: (key: string) => void;
  /** The arrays of ids the default links read, as the plan resolved them (plan/link-sources.ts). */
  links?: readonly LinkSource[];
  /** The models config embeds in this one, each read from its elements by its own field rules. */
  embedded?: readonly EmbeddedSource[];
}

/** One embedded child: where it is in the document, its model, and how its elements' fields are read (renames relative to the element). */
export interface EmbeddedSource {
  child: EmbeddedChild;
  model: ModelSpec;
  fields: SourceFields;
}

/**
 * One array of ids: `field` of the document holds ids of `otherModel`; output under `key`.
 * Without `field` (a hand-written transformer's table no sampled document showed an array
 * for), each document is looked at for `<singular of relationField>Ids` or `relationField`.
 */
export interface LinkSource {
  key: string;
  field?: string;
  relationField: string;
  otherModel: string;
}

/**
 * The context handed to a hand-written transformer for one document: DefaultContext's methods
 * bound to it, so a transformer may pass `ctx.ref` around detached from `ctx`.
 */
export function createContext(graph: ModelGraph, model: ModelSpec, ids: IdMapper, sourceId: SourceId, source: SourceFields): TransformContext {
  const ctx = new DefaultContext(graph, model, ids, sourceId, source);
  return {
    model,
    sourceId,
    uuid: ctx.uuid,
    keepIds: ctx.keepIds,
    ref: ctx.ref.bind(ctx),
    derivedId: ctx.derivedId.bind(ctx),
    convert: ctx.convert.bind(ctx),
    defaultRow: ctx.defaultRow.bind(ctx),
    defaultLinks: ctx.defaultLinks.bind(ctx),
    embeddedRows: ctx.embeddedRows.bind(ctx),
  };
}

/**
 * The context as one object per document with its methods on the prototype: no closures made
 * per document. The schema-derived transformer gets it as it is (the migrator's own code never
 * detaches a method); a hand-written transformer gets createContext's bound copy.
 */
export class DefaultContext implements TransformContext {
  readonly uuid: string;
  readonly keepIds: boolean;
  constructor(
    private readonly graph: ModelGraph,
    readonly model: ModelSpec,
    private readonly ids: IdMapper,
    readonly sourceId: SourceId,
    private readonly source: SourceFields,
  ) {
    this.keepIds = ids.strategy === 'keep';
    this.uuid = this.keepIds ? sourceIdKey(sourceId) : ids.uuid(model.name, sourceId);
  }
  ref(target: string, value: unknown, label: string): string | null {
    if (value === null || value === undefined) return null;
    const id = asSourceId(value);
    if (id === undefined) return reject(`${label}: expected an id of ${target}, got ${typeof value}`);
    return this.ids.ref(target, id);
  }
  derivedId(path: string): string {
    return this.ids.derived(this.model.name, this.sourceId, path);
  }
  convert(modelName: string, field: string, value: unknown): unknown {
    const column = columnsOf(this.graph).get(`${modelName}.${field}`);
    if (!column) throw new Error(`model ${modelName} has no field ${field}`);
    return this.source.converter(column, value, field, { collection: this.source.collection, field });
  }
  defaultRow(doc: SourceDoc): Row {
    return defaultRow(this.model, doc, this, this.source);
  }
  defaultLinks(doc: SourceDoc): Record<string, string[]> {
    return defaultLinks(doc, this, this.source.links ?? []);
  }
  embeddedRows(doc: SourceDoc): Record<string, Row[]> {
    return this.source.embedded === undefined ? {} : embeddedRows(doc, this, this.source.embedded);
  }
}

const columnIndex = new WeakMap<ModelGraph, Map<string, ColumnSpec>>();

/** `Model.field` → column, built once per schema: transformers call convert for every embedded value. */
function columnsOf(graph: ModelGraph): Map<string, ColumnSpec> {
  let index = columnIndex.get(graph);
  if (!index) {
    index = new Map([...graph.models.values()].flatMap((m) => m.columns.map((c) => [`${m.name}.${c.field}`, c] as const)));
    columnIndex.set(graph, index);
  }
  return index;
}
