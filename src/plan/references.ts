import { ConfigError } from '../config/load-config.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import type { ColumnSpec, ModelGraph, ModelSpec } from '../schema/model-graph.ts';

/** What the orphan sweep does with a reference that points at no row. */
export type OnMissing = 'reject' | 'null' | 'keep';

/**
 * An id column without a relation (`createdBy String? @db.Uuid`, `assignedToId`, `actorId`):
 * its ObjectIds, integers or id strings become the UUIDs the ids of `target` get, by
 * convention, without a lookup. A value that already is a UUID stays as it is.
 */
export interface IdColumn {
  model: string;
  field: string;
  column: string;
  /** Whose id space the values are in; undefined when neither the name nor config says (ObjectIds still convert). */
  target: string | undefined;
  /** How `target` was decided, for the plan: "config", "name `createdBy`", … */
  decidedBy: string;
  onMissing: OnMissing;
  /** With the `v7-objectid` strategy an ObjectId's UUID is the same in every model. */
  objectIdsNeedNoModel: boolean;
  /** The summary's label per kind of value, made once: `Deal.createdBy: ObjectId → User`. */
  labels: Readonly<Record<IdValueKind, string>>;
}

export type IdValueKind = 'ObjectId' | 'integer id' | 'string id';

export interface ReferencePolicies {
  /** Id columns by model, then field: looked up once per column, never per value. */
  idColumns: ReadonlyMap<string, ReadonlyMap<string, IdColumn>>;
  /** `Model.field` of a relation (its object field or its FK field) → the policy. */
  onMissing(model: string, relationField: string, fkField: string | undefined, required: boolean): OnMissing;
  /**
   * The same for one id of a many-to-many array (`Post.tags`): `null` drops that link. Default
   * `reject`, as before: the first sample's planted dangling tag rejects its product, and a
   * dropped link changes what the document says; configure `null` to keep the document.
   */
  onMissingLink(model: string, field: string): OnMissing;
  /** Whether config set that policy (else it is the documented default), for the plan. */
  configured(model: string, relationField: string, fkField: string | undefined): boolean;
  /** Columns config leaves as text on purpose (`{ model: 'text' }`), for the plan. */
  keptAsText: readonly string[];
}

/** Names that mean "a person did this": they point at the User model when the schema has one. */
const PERSON_NAMES = new Set(['createdby', 'updatedby', 'deletedby', 'ownerid', 'owner', 'authorid', 'actorid', 'assignedtoid', 'assignedto', 'userid']);

/**
 * Decides once per schema which columns are id columns without a relation and what every
 * relation does with a dangling reference, from the conventions and `config.references`.
 * Bad entries (an unknown model or field, `text` on a uuid column, `null` on a required
 * relation of a model that is not derived from another's documents) are a ConfigError: nothing has been touched yet.
 */
export function planReferences(graph: ModelGraph, config: Pick<MigrationConfig, 'references' | 'ids'>, derivedModels: ReadonlySet<string> = new Set()): ReferencePolicies {
  const entries = config.references;
  const byLowerName = new Map([...graph.models.keys()].map((m) => [m.toLowerCase(), m]));
  const user = byLowerName.get('user');
  const idColumns = new Map<string, Map<string, IdColumn>>();
  const keptAsText: string[] = [];
  const relationFields = new Map<string, { required: boolean }>();
  for (const model of graph.models.values()) {
    for (const r of model.relations) {
      relationFields.set(`${model.name}.${r.field}`, { required: r.required });
      for (const f of r.fromFields) relationFields.set(`${model.name}.${f}`, { required: r.required });
    }
    for (const j of model.junctions) relationFields.set(`${model.name}.${(j.a.model === model.name ? j.a : j.b).field}`, { required: false });
  }
  // An explicit junction model's sides: `Company.contacts` (a CompanyContact[] list filled from an array of ids).
  for (const j of graph.explicitJunctions ?? []) for (const side of [j.a, j.b]) relationFields.set(`${side.model}.${side.field}`, { required: false });

  for (const [key, entry] of Object.entries(entries)) {
    const [modelName = '', field = ''] = key.split('.');
    const model = graph.models.get(modelName);
    if (!model) throw new ConfigError(`references.${key}: the Prisma schema has no model ${modelName}`);
    const column = model.columns.find((c) => c.field === field);
    const relation = relationFields.get(key);
    if (!column && !relation) throw new ConfigError(`references.${key}: model ${modelName} has no field ${field}`);
    const candidate = column !== undefined && isIdColumnCandidate(model, column, entry.model !== undefined);
    if (!relation && !candidate) {
      throw new ConfigError(`references.${key}: ${key} is neither a relation nor an id column (a String @db.Uuid, or a String column with a model named here)`);
    }
    if (entry.model !== undefined) {
      if (relation || column?.references) throw new ConfigError(`references.${key}.model: ${key} is a relation; its target comes from the schema`);
      if (entry.model !== 'text' && !graph.models.has(entry.model)) throw new ConfigError(`references.${key}.model: the Prisma schema has no model ${entry.model} (or say 'text' to leave the column as it is)`);
      if (entry.model === 'text' && column?.native?.name === 'Uuid') throw new ConfigError(`references.${key}: model 'text' leaves the values as they are, but the column is @db.Uuid: make it a text column or name the model its ids belong to`);
    }
    // On a row derived from a document (an embedded line, a junction row), `null` drops that one row instead.
    if (entry.onMissing === 'null' && relation?.required && !derivedModels.has(modelName)) throw new ConfigError(`references.${key}.onMissing: null is impossible on a required relation (the column is NOT NULL); use reject or keep`);
  }

  for (const model of graph.models.values()) {
    const fields = new Map<string, IdColumn>();
    for (const column of model.columns) {
      const entry = entries[`${model.name}.${column.field}`];
      if (!isIdColumnCandidate(model, column, entry?.model !== undefined)) continue;
      if (entry?.model === 'text') {
        keptAsText.push(`${model.name}.${column.field}`);
        continue;
      }
      const guessed = entry?.model ? { target: entry.model, decidedBy: 'config' } : targetByName(`${model.name}.${column.field}`, column.field, byLowerName, user);
      const label = (kind: IdValueKind) => `${model.name}.${column.field}: ${kind} → ${guessed.target ?? 'UUIDv7 of the ObjectId'}`;
      fields.set(column.field, {
        model: model.name, field: column.field, column: column.column, ...guessed, onMissing: entry?.onMissing ?? 'keep', objectIdsNeedNoModel: config.ids.strategy === 'v7-objectid',
        labels: { ObjectId: label('ObjectId'), 'integer id': label('integer id'), 'string id': label('string id') },
      });
    }
    if (fields.size > 0) idColumns.set(model.name, fields);
  }

  const entryOf = (model: string, relationField: string, fkField: string | undefined) => entries[`${model}.${relationField}`] ?? (fkField ? entries[`${model}.${fkField}`] : undefined);
  return {
    idColumns,
    keptAsText,
    onMissing(model, relationField, fkField, required) {
      return entryOf(model, relationField, fkField)?.onMissing ?? (required ? 'reject' : 'null');
    },
    onMissingLink: (model, field) => entries[`${model}.${field}`]?.onMissing ?? 'reject',
    configured: (model, relationField, fkField) => entryOf(model, relationField, fkField)?.onMissing !== undefined,
  };
}

/** A String `@db.Uuid` column that is neither the id nor a relation's key, or any String column config names a model for. */
function isIdColumnCandidate(model: ModelSpec, column: ColumnSpec, named: boolean): boolean {
  if (column.type !== 'String' || column.isList || column.enumName || column.references) return false;
  if (model.key.some((k) => k.field === column.field)) return false;
  return named || column.native?.name === 'Uuid';
}

/** `authorId` → Author, `created_by` → User, `assignedToId` → User: the convention, case-insensitive on model names. */
function targetByName(key: string, field: string, byLowerName: ReadonlyMap<string, string>, user: string | undefined): { target: string | undefined; decidedBy: string } {
  const lower = field.toLowerCase().replace(/_/g, '');
  if (user && (PERSON_NAMES.has(lower) || /by(id)?$/.test(lower))) return { target: user, decidedBy: `name \`${field}\` (a person)` };
  const stem = lower.replace(/(id|by)$/, '');
  const model = byLowerName.get(stem);
  if (model) return { target: model, decidedBy: `name \`${field}\`` };
  return { target: undefined, decidedBy: `no model named like \`${field}\` (ObjectIds convert; integers and strings need references['${key}'].model)` };
}
