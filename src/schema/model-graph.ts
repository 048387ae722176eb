import { quoteIdent } from '../target/identifiers.ts';
import type { JsonValue } from '../transform/json-value.ts';
import type { Dmmf, DmmfField, DmmfModel } from './dmmf.ts';

export type ScalarType = 'String' | 'Int' | 'BigInt' | 'Float' | 'Decimal' | 'Boolean' | 'DateTime' | 'Json' | 'Bytes';

/** One column of a target table, described in both Prisma's and the database's words. */
export interface ColumnSpec {
  field: string;
  column: string;
  type: ScalarType;
  enumName?: string;
  /** The enum's values as the database stores them (the `@map` label, else the name). */
  enumValues?: readonly string[];
  /**
   * Spellings a source may use for each value, folded (lower case, no `_`, `-` or spaces), from
   * both the Prisma name and the `@map` label → the stored label. A fold two values share is left out.
   */
  enumAliases?: ReadonlyMap<string, string>;
  isList: boolean;
  required: boolean;
  isId: boolean;
  /** A literal default the transformer can fill in when the source lacks the field (a Json column's: the parsed JSON). */
  literalDefault?: string | number | boolean | JsonValue;
  /** A default the database computes (now(), uuid(), ...): a migration cannot reproduce it. */
  computedDefault?: string;
  native?: { name: string; args: readonly string[] };
  /** Set on foreign-key columns. */
  references?: { model: string; relation: string };
  /** Prisma's `@updatedAt`: the time the row last changed (baseline's --since reads it). */
  isUpdatedAt?: true;
}

/** A to-one relation whose foreign key lives on this model. */
export interface RelationSpec {
  name: string;
  field: string;
  target: string;
  fromFields: readonly string[];
  fromColumns: readonly string[];
  toColumns: readonly string[];
  required: boolean;
}

/** One end of a many-to-many: the model, its list field, and the junction column pointing at it. */
export interface JunctionSide {
  model: string;
  field: string;
  column: string;
}

/**
 * A many-to-many table. Implicit: Prisma's `_Name` with columns A and B. Explicit: a model
 * whose key is two required relations (`@@id([companyId, contactId])`), written as m:n by
 * many Prisma apps; `relation` and `model` are then that model's name.
 */
export interface JunctionSpec {
  relation: string;
  table: string;
  /** Implicit: column A points at the model whose name sorts first, as Prisma defines it. */
  a: JunctionSide;
  b: JunctionSide;
  /** Set for an explicit junction model. */
  model?: string;
  /** `@updatedAt` columns of an explicit junction: Prisma sets them, not the database, so the load writes its time. */
  stamps?: readonly string[];
}

export interface ModelSpec {
  name: string;
  table: string;
  columns: readonly ColumnSpec[];
  /** The primary key: one column, or several for a composite key (kept ids only). */
  key: readonly ColumnSpec[];
  /** The first key column: the id a UUID goes into. */
  id: ColumnSpec;
  relations: readonly RelationSpec[];
  junctions: readonly JunctionSpec[];
  uniques: readonly (readonly string[])[];
  documentation?: string;
}

export interface ModelGraph {
  models: ReadonlyMap<string, ModelSpec>;
  /** Implicit many-to-many tables (the models do not list them). */
  junctions: readonly JunctionSpec[];
  /** Explicit junction models, also in `models`; filled from arrays of ids, never from a collection. */
  explicitJunctions?: readonly JunctionSpec[];
  enums: ReadonlyMap<string, readonly string[]>;
}

const scalarTypes = new Set<string>(['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes']);

/**
 * Turns Prisma's DMMF into the tables, columns and relations the migrator needs.
 * Only models with a single-column id are supported: that id is where source ids become UUIDs.
 */
export function buildModelGraph(dmmf: Dmmf): ModelGraph {
  const enums = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.values.map((v) => v.dbName ?? v.name)] as const));
  const aliases = new Map(dmmf.datamodel.enums.map((e) => [e.name, enumAliases(e.values)] as const));
  const junctions = collectJunctions(dmmf.datamodel.models);
  const models = new Map<string, ModelSpec>();
  for (const model of dmmf.datamodel.models) {
    models.set(model.name, buildModel(model, enums, aliases, junctions));
  }
  return { models, junctions, explicitJunctions: collectExplicitJunctions(dmmf.datamodel.models, models), enums };
}

function buildModel(model: DmmfModel, enums: ReadonlyMap<string, readonly string[]>, aliases: ReadonlyMap<string, ReadonlyMap<string, string>>, junctions: readonly JunctionSpec[]): ModelSpec {
  const fieldsByName = new Map(model.fields.map((f) => [f.name, f]));
  const columnOf = (fieldName: string): string => {
    const f = fieldsByName.get(fieldName);
    if (!f) throw new Error(`model ${model.name} has no field ${fieldName}`);
    return f.dbName ?? f.name;
  };
  const relations: RelationSpec[] = model.fields
    .filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0)
    .map((f) => ({
      name: f.relationName ?? f.name,
      field: f.name,
      target: f.type,
      fromFields: f.relationFromFields ?? [],
      fromColumns: (f.relationFromFields ?? []).map(columnOf),
      toColumns: f.relationToFields ?? [],
      required: f.isRequired,
    }));
  const fkTarget = new Map<string, RelationSpec>();
  for (const r of relations) for (const from of r.fromFields) fkTarget.set(from, r);

  const columns = model.fields
    .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
    .map((f) => buildColumn(model.name, f, enums, aliases, fkTarget.get(f.name)));
  const keyFields = model.primaryKey?.fields ?? columns.filter((c) => c.isId).map((c) => c.field);
  const key = keyFields.map((f) => columns.find((c) => c.field === f)).filter((c): c is ColumnSpec => c !== undefined);
  const id = key[0];
  if (!id || key.length !== keyFields.length) throw new Error(`model ${model.name} has no @id or @@id`);
  const uniques = [
    ...columns.filter((c) => fieldsByName.get(c.field)?.isUnique).map((c) => [c.column]),
    ...model.uniqueIndexes.map((u) => u.fields.map(columnOf)),
  ];
  const spec: ModelSpec = {
    name: model.name,
    table: model.dbName ?? model.name,
    columns,
    key,
    id,
    relations,
    junctions: junctions.filter((j) => j.a.model === model.name || j.b.model === model.name),
    uniques,
  };
  return model.documentation === undefined ? spec : { ...spec, documentation: model.documentation };
}

function buildColumn(
  modelName: string,
  f: DmmfField,
  enums: ReadonlyMap<string, readonly string[]>,
  aliases: ReadonlyMap<string, ReadonlyMap<string, string>>,
  relation: RelationSpec | undefined,
): ColumnSpec {
  const isEnum = f.kind === 'enum';
  if (!isEnum && !scalarTypes.has(f.type)) {
    throw new Error(`${modelName}.${f.name}: unsupported Prisma type ${f.type}`);
  }
  const column: ColumnSpec = {
    field: f.name,
    column: f.dbName ?? f.name,
    type: isEnum ? 'String' : (f.type as ScalarType),
    isList: f.isList,
    required: f.isRequired,
    isId: f.isId,
  };
  if (isEnum) {
    column.enumName = f.type;
    column.enumValues = enums.get(f.type) ?? [];
    const known = aliases.get(f.type);
    if (known) column.enumAliases = known;
  }
  if (f.nativeType) column.native = { name: f.nativeType[0], args: f.nativeType[1] };
  if (f.isUpdatedAt === true) column.isUpdatedAt = true;
  if (relation) column.references = { model: relation.target, relation: relation.name };
  const def = f.default;
  if (typeof def === 'string' && column.type === 'Json') {
    // Prisma writes a Json default as JSON text (`@default("[]")`): the value is what it says.
    column.literalDefault = jsonDefault(def);
  } else if (typeof def === 'string' || typeof def === 'number' || typeof def === 'boolean') {
    column.literalDefault = def;
  } else if (def && typeof def === 'object' && 'name' in def) {
    column.computedDefault = String(def.name);
  }
  return column;
}

function jsonDefault(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** How an enum value is compared with free text: `closed_won`, `Closed Won` and `closedWon` fold alike. */
export function foldEnumText(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, '');
}

function enumAliases(values: readonly { name: string; dbName?: string | null | undefined }[]): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  const shared = new Set<string>();
  for (const v of values) {
    const label = v.dbName ?? v.name;
    for (const spelling of [v.name, label]) {
      const fold = foldEnumText(spelling);
      if (out.has(fold) && out.get(fold) !== label) shared.add(fold);
      else out.set(fold, label);
    }
  }
  for (const fold of shared) out.delete(fold);
  return out;
}

function collectJunctions(models: readonly DmmfModel[]): JunctionSpec[] {
  const byRelation = new Map<string, { model: string; field: string }[]>();
  for (const model of models) {
    for (const f of model.fields) {
      const implicit = f.kind === 'object' && f.isList && (f.relationFromFields?.length ?? 0) === 0;
      if (!implicit || !f.relationName) continue;
      const other = models.find((m) => m.name === f.type);
      const back = other?.fields.find((g) => g.relationName === f.relationName && g.kind === 'object' && g !== f);
      // A list whose other side is a to-one is a plain one-to-many, not a junction.
      if (!back?.isList) continue;
      const sides = byRelation.get(f.relationName) ?? [];
      sides.push({ model: model.name, field: f.name });
      byRelation.set(f.relationName, sides);
    }
  }
  return [...byRelation.entries()].map(([relation, sides]) => {
    const sorted = [...sides].sort((x, y) => (x.model < y.model ? -1 : x.model > y.model ? 1 : x.field < y.field ? -1 : 1));
    const [a, b] = sorted;
    if (!a || !b) throw new Error(`many-to-many relation ${relation} has one side only`);
    return { relation, table: `_${relation}`, a: { ...a, column: 'A' }, b: { ...b, column: 'B' } };
  });
}

/**
 * Models that are only a link: the key is exactly two required single-column relations to two
 * different models, each listing the junction model back, and every other column can be left
 * to its default or NULL (a required column without default would need a source).
 */
function collectExplicitJunctions(dmmf: readonly DmmfModel[], models: ReadonlyMap<string, ModelSpec>): JunctionSpec[] {
  const out: JunctionSpec[] = [];
  for (const model of models.values()) {
    if (model.key.length !== 2) continue;
    const sides = model.key.map((k) => model.relations.find((r) => r.required && r.fromFields.length === 1 && r.fromFields[0] === k.field));
    const [ra, rb] = sides;
    if (!ra || !rb || ra.target === rb.target) continue;
    const fields = dmmf.find((m) => m.name === model.name)?.fields ?? [];
    const stamps = model.columns.filter((c) => fields.find((f) => f.name === c.field)?.isUpdatedAt === true && c.computedDefault === undefined).map((c) => c.column);
    const fillable = model.columns.every(
      (c) => c.isId || c.references !== undefined || !c.required || c.isList || c.literalDefault !== undefined || c.computedDefault !== undefined || stamps.includes(c.column),
    );
    if (!fillable) continue;
    const end = (r: RelationSpec): JunctionSide | undefined => {
      const back = dmmf.find((m) => m.name === r.target)?.fields.find((f) => f.kind === 'object' && f.isList && f.type === model.name && f.relationName === r.name);
      const column = r.fromColumns[0];
      return back && column ? { model: r.target, field: back.name, column } : undefined;
    };
    const a = end(ra);
    const b = end(rb);
    if (a && b) out.push({ relation: model.name, table: model.table, a, b, model: model.name, ...(stamps.length > 0 ? { stamps } : {}) });
  }
  return out;
}

export function getModel(graph: ModelGraph, name: string): ModelSpec {
  const model = graph.models.get(name);
  if (!model) throw new Error(`the Prisma schema has no model ${name}`);
  return model;
}

/** SQL text of a row's key, `alias."id"::text` or `concat_ws('|', ...)` for a composite key. */
export function keySql(model: ModelSpec, alias: string): string {
  const parts = model.key.map((c) => `${alias}.${quoteIdent(c.column)}::text`);
  return parts.length === 1 ? (parts[0] ?? '') : `concat_ws('|', ${parts.join(', ')})`;
}

/** The same key text from a row in Prisma field names, as the database will print it. */
export function keyText(model: ModelSpec, row: Readonly<Record<string, unknown>>): string {
  return model.key.map((c) => String(row[c.field])).join('|');
}
