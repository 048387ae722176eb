import type { Row } from '../check/row-check.ts';
import type { SourceId } from '../ids/source-id.ts';
import type { ColumnSpec, ModelSpec } from '../schema/model-graph.ts';

/** A source record as the driver or the BSON reader hands it over. */
export type SourceDoc = { readonly _id?: unknown } & Readonly<Record<string, unknown>>;

/** What a transformer may ask while turning one document into rows. */
export interface TransformContext {
  readonly model: ModelSpec;
  readonly sourceId: SourceId;
  /** The UUID of the document being transformed (with ids kept: its source key text). */
  readonly uuid: string;
  /** True when source keys are kept as they are instead of becoming UUIDs. */
  readonly keepIds: boolean;
  /** The UUID of the `model` document that `value` (an ObjectId, integer or string id) names. */
  ref(model: string, value: unknown, label: string): string | null;
  /** A deterministic UUID for a row this document produces, e.g. `addresses/0`. */
  derivedId(path: string): string;
  /** One source value converted to the type of `model.field` (rejects the document if it does not fit). */
  convert(model: string, field: string, value: unknown): unknown;
  /** The row the schema-derived default transformer makes of `doc` for this model. */
  defaultRow(doc: SourceDoc): Row;
  /** The many-to-many links the default transformer reads from `doc` (arrays of ids). */
  defaultLinks(doc: SourceDoc): Record<string, string[]>;
  /**
   * The rows of the models config embeds in this one (`models.<Child>.embeddedIn`), by model, as
   * the default transformer derives them. Always empty for a model with a hand-written
   * transformer: config refuses to embed into one (the transformer decides its rows).
   */
  embeddedRows(doc: SourceDoc): Record<string, Row[]>;
}

/** Rows by model name (Prisma field names as keys) and many-to-many links by relation name. */
export interface TransformOutput {
  rows: Readonly<Record<string, readonly Row[] | undefined>>;
  /**
   * Relation name (an explicit junction: its model name) → UUIDs of the other side; this
   * document is the side that holds the array.
   */
  links?: Readonly<Record<string, readonly string[]>>;
}

export interface Transformer {
  readonly model: string;
  /**
   * Models this transformer also produces rows of (embedded documents), each with the field
   * of that model that points back at the owning document, e.g. `{ Address: 'userId' }`.
   * Those rows live and die with their owner.
   */
  readonly derives?: Readonly<Record<string, string>>;
  transform(doc: SourceDoc, ctx: TransformContext): TransformOutput;
}

/**
 * Turns one source value into what its target column takes, or rejects the document. Each
 * source family has its own: BSON values (convert.ts) or SQLite's casting rules.
 */
export type ValueConverter = ((column: ColumnSpec, value: unknown, label: string, origin: { collection: string; field: string }) => unknown) & {
  /**
   * The part of the converter that neither coerces nor refuses, for one column: a value whose
   * storage is already the column's own comes back as the converter returns it, anything else
   * as NOT_EXACT (left to the converter itself). Undefined when the column has a rule of its
   * own. What a compiled row (load/row-line.ts) reads values with: no side effect, so a row
   * that falls back to the long way is counted and tallied once.
   */
  exact?: (column: ColumnSpec, origin: { collection: string; field: string }) => ((value: unknown) => unknown) | undefined;
  /**
   * Where it pays, the exact part's value already as its COPY field text (what the copy encoder
   * writes for it), made from the source value without the value in between: NOT_EXACT exactly
   * where `exact` gives NOT_EXACT. Undefined for the other columns.
   */
  exactText?: (column: ColumnSpec, origin: { collection: string; field: string }) => ((value: unknown) => string | typeof NOT_EXACT) | undefined;
};

/** A value the converter's exact part leaves to the converter. */
export const NOT_EXACT: unique symbol = Symbol('not exact');
