/**
 * A Prisma schema as `migration:init` drafts it, before it is printed: what the inference
 * from documents and the conversion of a Prisma MongoDB schema both produce, so that one
 * printer (print-schema.ts) writes every draft and Prisma's own formatter lays it out.
 */

/** A column: a scalar, an enum or a list of either. */
export interface DraftColumn {
  kind: 'column';
  name: string;
  /** The source field / table column when it is not `name` (`@map`). */
  map?: string;
  /** A Prisma scalar (`String`, `Int`, `BigInt`, `Float`, `Decimal`, `Boolean`, `DateTime`, `Json`, `Bytes`) or an enum name. */
  type: string;
  list: boolean;
  optional: boolean;
  /** A native type attribute without `@db.`: `Uuid`, `Timestamptz(3)`, `Decimal(12, 2)`. */
  native?: string;
  id?: boolean;
  unique?: boolean;
  /** The argument of `@default(...)`, printed as it is: `0`, `"draft"`, `now()`. */
  default?: string;
  /** Other attributes printed as they are (`@updatedAt`). */
  extra?: string[];
  /** A `//` comment after the field: what was observed, how sure. */
  comment?: string;
  /** `///` documentation lines above the field (kept from a converted schema). */
  doc?: string[];
}

/** A relation field (either side). */
export interface DraftRelation {
  kind: 'relation';
  name: string;
  model: string;
  list: boolean;
  optional: boolean;
  /** Needed when two relations join the same pair of models (and for self-relations). */
  relationName?: string;
  /** The owning side: its foreign-key fields and the fields they reference. */
  fields?: string[];
  references?: string[];
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
  comment?: string;
  doc?: string[];
}

export type ReferentialAction = 'Cascade' | 'SetNull' | 'Restrict' | 'NoAction' | 'SetDefault';

export type DraftField = DraftColumn | DraftRelation;

export interface DraftModel {
  name: string;
  /** The table, when it is not the model's name (`@@map`): the collection's name. */
  map?: string;
  /** `///` documentation lines above the model. */
  doc: string[];
  fields: DraftField[];
  /** A composite primary key (`@@id`); a single one is a column's `id`. */
  compositeId?: string[];
  uniques: string[][];
  indexes: string[][];
}

export interface DraftEnum {
  name: string;
  map?: string;
  doc: string[];
  values: { name: string; map?: string }[];
}

export interface DraftSchema {
  /** `//` lines at the top of the file: where it came from. */
  header: string[];
  enums: DraftEnum[];
  models: DraftModel[];
}

export function column(name: string, type: string, options: Partial<Omit<DraftColumn, 'kind' | 'name' | 'type'>> = {}): DraftColumn {
  return { kind: 'column', name, type, list: false, optional: false, ...options };
}

export function findModel(schema: DraftSchema, name: string): DraftModel | undefined {
  return schema.models.find((m) => m.name === name);
}
