import { compositeAsJson, compositeAsModel, type ChildModel } from './composite-fields.ts';
import { ConversionNotes } from './conversion-notes.ts';
import type { DraftEnum, DraftField, DraftModel, DraftRelation, DraftSchema, ReferentialAction } from './draft-schema.ts';
import type { MongoDatamodel, MongoField, MongoModel, MongoType } from './mongo-dmmf.ts';
import { foreignKeyColumn, idColumn, scalarColumn, type FieldPlace } from './mongo-fields.ts';
import { convertIndexes, type FieldFate } from './mongo-indexes.ts';
import { bareIdArrayTarget, linkBareArrays, type BareArray, type LinkSide } from './mongo-many-to-many.ts';

export type CompositeTypes = 'json' | 'models';

export interface ConvertedSchema {
  schema: DraftSchema;
  notes: ConversionNotes;
  /** Each array of ids that fills a many-to-many table, by the relation field it fills. */
  links: LinkSide[];
  /** `--composite-types models`: each child model and the parent path its rows come from. */
  embedded: { child: string; embeddedIn: string; type: string }[];
}

interface SchemaIndex {
  models: ReadonlyMap<string, MongoModel>;
  types: ReadonlyMap<string, MongoType>;
  /** Model and enum names of the output: what a new child model must not be called. */
  taken: Set<string>;
  notes: ConversionNotes;
  compositeTypes: CompositeTypes;
}

/**
 * A Prisma MongoDB schema as a PostgreSQL one, keeping the team's model, field, `@map` and
 * `@@map` names so their code keeps working: ids and references become UUIDs, arrays of ids
 * many-to-many tables, composite types Json columns or child models, native types their
 * PostgreSQL meaning. Every change is a line of `notes`.
 */
export function convertMongoSchema(dm: MongoDatamodel, options: { compositeTypes: CompositeTypes; header: string[] }): ConvertedSchema {
  const notes = new ConversionNotes();
  const index: SchemaIndex = {
    models: new Map(dm.models.map((m) => [m.name, m])),
    types: new Map(dm.types.map((t) => [t.name, t])),
    taken: new Set([...dm.models.map((m) => m.name), ...dm.enums.map((e) => e.name)]),
    notes,
    compositeTypes: options.compositeTypes,
  };
  const links: LinkSide[] = [];
  const bare: BareArray[] = [];
  const embedded: ConvertedSchema['embedded'] = [];
  const models: DraftModel[] = [];
  for (const m of dm.models) {
    const { model, children } = convertModel(m, index, links, bare);
    convertIndexes(model, dm.indexes.filter((i) => i.model === m.name), fatesOf(m, index, children), notes);
    models.push(model, ...[...children.values()].map((c) => c.model));
    for (const c of children.values()) embedded.push({ child: c.model.name, embeddedIn: c.embeddedIn, type: c.type });
  }
  links.push(...linkBareArrays(bare, models, notes));
  const enums: DraftEnum[] = dm.enums.map((e) => ({
    name: e.name,
    ...(e.dbName ? { map: e.dbName } : {}),
    doc: e.documentation ? e.documentation.split('\n') : [],
    values: e.values.map((v) => ({ name: v.name, ...(v.dbName ? { map: v.dbName } : {}) })),
  }));
  if (dm.types.length > 0 && options.compositeTypes === 'json') {
    notes.add('', `${dm.types.length} composite type(s)`, 'Json columns', 'each field of a composite type is a jsonb column holding the sub-document as stored (--composite-types models makes child models instead)');
  }
  return { schema: { header: options.header, enums, models }, notes, links, embedded };
}

function convertModel(m: MongoModel, index: SchemaIndex, links: LinkSide[], bare: BareArray[]): { model: DraftModel; children: Map<string, ChildModel> } {
  const { notes } = index;
  const fields: DraftField[] = [];
  const children = new Map<string, ChildModel>();
  // A scalar field → the relation whose foreign key (or array of ids) it is.
  const relationOf = new Map<string, MongoField>();
  for (const r of m.fields) if (r.kind === 'object') for (const fk of r.relationFromFields ?? []) relationOf.set(fk, r);
  for (const f of m.fields) {
    const at: FieldPlace = { model: m.name, subject: `${m.name}.${f.name}`, notes };
    if (f.isId) {
      fields.push(idColumn(f, at));
      continue;
    }
    if (f.kind === 'object') {
      const type = index.types.get(f.type);
      if (type && index.compositeTypes === 'models') {
        const child = compositeAsModel(m.name, f, type, index.types, index.taken, at);
        children.set(f.name, child);
        fields.push(child.field);
      } else if (type) {
        fields.push(compositeAsJson(f, type, at));
      } else {
        fields.push(relationField(m, f, index, links));
      }
      continue;
    }
    const relation = relationOf.get(f.name);
    if (relation && f.isList) {
      notes.add(m.name, at.subject, 'no column', `the array of ids behind \`${relation.name}\` fills its many-to-many table (junctions in migration.yaml)`);
      continue;
    }
    if (relation) {
      const target = index.models.get(relation.type);
      const idField = target?.fields.find((t) => t.isId)?.name;
      const to = relation.relationToFields?.[0] ?? 'id';
      fields.push(foreignKeyColumn(f, { field: relation.name, target: relation.type, toId: to === idField, to }, at));
      continue;
    }
    if (f.kind === 'unsupported') {
      notes.todo(m.name, at.subject, 'dropped', `Unsupported("${f.type}") has no PostgreSQL type here: add the column by hand, or list the field in models.${m.name}.ignore`);
      continue;
    }
    const target = f.isList && f.nativeType?.[0] === 'ObjectId' ? bareIdArrayTarget(f, m.name, index.models) : undefined;
    if (target) {
      bare.push({ holder: m.name, field: f, target, position: fields.length });
      continue;
    }
    fields.push(scalarColumn(f, at));
  }
  const model: DraftModel = {
    name: m.name,
    ...(m.dbName ? { map: m.dbName } : {}),
    doc: m.documentation ? m.documentation.split('\n') : [],
    fields,
    uniques: [],
    indexes: [],
  };
  if (m.dbName) notes.add(m.name, `@@map("${m.dbName}")`, 'kept', 'the table is named like the collection the tool reads');
  return { model, children };
}

/**
 * A relation field. Arrays of ids (`tagIDs`) behind a list become an implicit many-to-many (the
 * list on both sides, no fields); a to-one keeps its fields, references and referential actions,
 * except the `NoAction` Prisma demands on MongoDB self-relations: PostgreSQL enforces the foreign
 * key itself, so Prisma's defaults there (SetNull / Restrict on delete) apply.
 */
function relationField(m: MongoModel, f: MongoField, index: SchemaIndex, links: LinkSide[]): DraftRelation {
  const subject = `${m.name}.${f.name}`;
  const relationName = f.relationName && f.relationName !== defaultRelationName(m.name, f.type) ? { relationName: f.relationName } : {};
  const doc = f.documentation ? { doc: f.documentation.split('\n') } : {};
  const from = f.relationFromFields ?? [];
  const fk = from.length === 1 ? m.fields.find((x) => x.name === from[0]) : undefined;
  if (fk?.isList) {
    links.push({ model: m.name, relationField: f.name, sourceField: fk.dbName ?? fk.name });
    index.notes.add(m.name, subject, `\`${f.type}[]\`, an implicit many-to-many`, `\`fields: [${fk.name}]\` dropped: on PostgreSQL a table holds the pairs, filled from the array \`${fk.dbName ?? fk.name}\``);
    return { kind: 'relation', name: f.name, model: f.type, list: true, optional: false, ...relationName, ...doc };
  }
  if (from.length === 0) return { kind: 'relation', name: f.name, model: f.type, list: f.isList, optional: !f.isRequired && !f.isList, ...relationName, ...doc };
  const actions: { onDelete?: ReferentialAction; onUpdate?: ReferentialAction } = {};
  const onDelete = action(f.relationOnDelete);
  const onUpdate = action(f.relationOnUpdate);
  const selfNoAction = f.type === m.name && (onDelete === 'NoAction' || onUpdate === 'NoAction') && [onDelete, onUpdate].every((a) => a === undefined || a === 'NoAction');
  if (selfNoAction) {
    index.notes.add(
      m.name,
      `${subject} onDelete/onUpdate: NoAction`,
      'dropped',
      `Prisma demands NoAction on self-relations on MongoDB, where it emulates them; PostgreSQL enforces the foreign key itself, so Prisma's defaults apply (${f.isRequired ? 'Restrict' : 'SetNull'} on delete, Cascade on update); write onDelete again if the app wants another`,
    );
  } else {
    if (onDelete) actions.onDelete = onDelete;
    if (onUpdate) actions.onUpdate = onUpdate;
    if (onDelete === 'NoAction' || onUpdate === 'NoAction') {
      index.notes.add(m.name, `${subject} NoAction`, 'kept', 'on PostgreSQL NoAction refuses the change while rows still reference it (checked at the end of the statement), where MongoDB\'s emulation did nothing');
    }
  }
  return {
    kind: 'relation',
    name: f.name,
    model: f.type,
    list: false,
    optional: !f.isRequired,
    ...relationName,
    fields: from,
    references: f.relationToFields ?? ['id'],
    ...actions,
    ...doc,
  };
}

const ACTIONS = new Set<string>(['Cascade', 'SetNull', 'Restrict', 'NoAction', 'SetDefault']);

function action(value: string | null | undefined): ReferentialAction | undefined {
  return value && ACTIONS.has(value) ? (value as ReferentialAction) : undefined;
}

/** Prisma's name for an unnamed relation: the two model names in order, `TagToUser`. */
export function defaultRelationName(a: string, b: string): string {
  return [a, b].sort().join('To');
}

/** What became of each field of the source model, for the indexes that name fields. */
function fatesOf(m: MongoModel, index: SchemaIndex, children: ReadonlyMap<string, ChildModel>): Map<string, FieldFate> {
  const fates = new Map<string, FieldFate>();
  const arrays = new Set(m.fields.flatMap((f) => (f.kind === 'object' ? (f.relationFromFields ?? []) : [])));
  for (const f of m.fields) {
    const child = children.get(f.name);
    const type = index.types.get(f.type);
    if (child) fates.set(f.name, { kind: 'child', child });
    else if (f.kind === 'object' && type) fates.set(f.name, { kind: 'json', type: type.name });
    else if (f.kind === 'object' || f.kind === 'unsupported') fates.set(f.name, { kind: 'gone' });
    else if (f.isList && (arrays.has(f.name) || bareIdArrayTarget(f, m.name, index.models))) fates.set(f.name, { kind: 'link' });
    else fates.set(f.name, { kind: 'column' });
  }
  return fates;
}
