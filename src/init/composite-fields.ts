import { column, type DraftColumn, type DraftField, type DraftModel, type DraftRelation } from './draft-schema.ts';
import type { MongoField, MongoType } from './mongo-dmmf.ts';
import { scalarColumn, type FieldPlace } from './mongo-fields.ts';
import { freeName, lowerFirst, singular, capital } from './names.ts';
import { quote } from './print-schema.ts';

/**
 * A field of a composite type (`addresses Address[]`, `profile Profile?`) as one Json column:
 * the sub-document (or the array of them) as the document holds it. A list is one `Json`
 * holding the array, defaulting to `[]` so a document without it loads, rather than `Json[]`:
 * that would be a PostgreSQL array of separate jsonb values, which JSON path queries cannot
 * treat as one array, and which Prisma reads as a list that can never be absent.
 */
export function compositeAsJson(f: MongoField, type: MongoType, at: FieldPlace): DraftColumn {
  const map = f.dbName && f.dbName !== f.name ? { map: f.dbName } : {};
  const caveats = jsonCaveats(type);
  if (f.isList) {
    at.notes.add(
      at.model,
      `${at.subject} ${type.name}[]`,
      '`Json @default("[]")`, holding the array',
      `a list of the composite type ${type.name}: one JSON array in one jsonb column, in the array's order; not \`Json[]\`, a PostgreSQL array of separate jsonb values that JSON path queries cannot treat as one array and Prisma reads as a list that is never absent; a document without it loads \`[]\`${caveats}`,
    );
    return column(f.name, 'Json', { ...map, default: quote('[]'), comment: `${type.name}[] (composite type), as a JSON array` });
  }
  at.notes.add(at.model, `${at.subject} ${type.name}${f.isRequired ? '' : '?'}`, `\`Json${f.isRequired ? '' : '?'}\``, `the composite type ${type.name}: the sub-document as JSON (jsonb)${caveats}`);
  return column(f.name, 'Json', { ...map, optional: !f.isRequired, comment: `${type.name} (composite type), as JSON` });
}

/** What a Json column of this type does not give the app that the composite type did. */
function jsonCaveats(type: MongoType): string {
  const out: string[] = [];
  const mapped = type.fields.filter((f) => f.dbName && f.dbName !== f.name).map((f) => `${f.name} is stored as ${f.dbName}`);
  if (mapped.length > 0) out.push(`the JSON keeps the stored names (${mapped.join(', ')}): code reading the old names needs --composite-types models or a transformer`);
  const ids = type.fields.filter((f) => f.nativeType?.[0] === 'ObjectId').map((f) => f.name);
  if (ids.length > 0) out.push(`ObjectIds inside (${ids.join(', ')}) stay their hex text, not the UUIDs their documents got`);
  const defaults = type.fields.filter((f) => f.default !== undefined).map((f) => f.name);
  if (defaults.length > 0) out.push(`the type's defaults (${defaults.join(', ')}) are not applied inside JSON`);
  return out.length > 0 ? `; ${out.join('; ')}` : '';
}

export interface ChildModel {
  /** The parent's field, now a relation to the child. */
  field: DraftRelation;
  model: DraftModel;
  /** `models.<Child>.embeddedIn` of the config: the parent and the stored path. */
  embeddedIn: string;
  /** The composite type it was. */
  type: string;
  /** The type's scalar fields by name → the child's column (for indexes on `addresses.city`). */
  columns: ReadonlyMap<string, string>;
}

/**
 * `--composite-types models`: a composite field becomes a child model of its own, one per
 * (parent, field): an id the tool derives, the owner's foreign key with its relation
 * (onDelete: Cascade: the rows live and die with their document), `position` for a list (the
 * array index), and the type's fields; a composite inside it stays Json (one level of tables).
 */
export function compositeAsModel(parent: string, f: MongoField, type: MongoType, types: ReadonlyMap<string, MongoType>, taken: Set<string>, at: FieldPlace): ChildModel {
  const name = freeName([`${parent}${capital(f.isList ? singular(f.name) : f.name)}`, `${parent}${capital(f.name)}`, `${parent}${type.name}`], taken);
  taken.add(name);
  const own = new Set(type.fields.map((t) => t.name));
  const id = freeName(['id', 'rowId', 'uuid'], own);
  const ownerField = freeName([lowerFirst(parent), 'owner'], own);
  const ownerKey = freeName([`${lowerFirst(parent)}Id`, 'ownerId'], own);
  const position = f.isList ? freeName(['position', 'index', 'ordinal'], own) : undefined;
  const path = f.dbName ?? f.name;
  const place: FieldPlace = { model: name, subject: '', notes: at.notes };
  const fields: DraftField[] = [
    column(id, 'String', { id: true, native: 'Uuid', comment: `derived from the ${parent} document and the path ${path}${f.isList ? '/<index>' : ''}` }),
    column(ownerKey, 'String', { native: 'Uuid', ...(f.isList ? {} : { unique: true }) }),
    { kind: 'relation', name: ownerField, model: parent, list: false, optional: false, fields: [ownerKey], references: ['id'], onDelete: 'Cascade' },
    ...(position ? [column(position, 'Int', { comment: 'the index in the array' })] : []),
  ];
  const columns = new Map<string, string>();
  for (const t of type.fields) {
    const sub = types.get(t.type);
    const here = { ...place, subject: `${name}.${t.name}` };
    if (t.kind === 'object' && sub) {
      fields.push(compositeAsJson(t, sub, here));
    } else {
      fields.push(scalarColumn(t, here));
      columns.set(t.name, t.name);
    }
  }
  at.notes.add(
    at.model,
    `${at.subject} ${type.name}${f.isList ? '[]' : f.isRequired ? '' : '?'}`,
    `the model ${name} (\`${f.name} ${name}${f.isList ? '[]' : '?'}\`)`,
    `composite type ${type.name} as a child model: ${f.isList ? `one row per element, \`${position ?? ''}\` keeps the array's order (order by it when you read them)` : `one row per document holding it${f.isRequired ? ' (the relation is optional here: Prisma puts the foreign key on the child, so the parent cannot require it)' : ''}`}; rows made by the default transformer from models.${name}.embeddedIn: ${parent}.${path}; ${id} derived (the same on every run), ${ownerKey} → ${parent} with onDelete: Cascade`,
  );
  const model: DraftModel = {
    name,
    doc: [`${type.name} sub-documents of ${parent}.${path}${f.isList ? ', one row per element' : ''} (migration:init --composite-types models).`],
    fields,
    uniques: position ? [[ownerKey, position]] : [],
    indexes: [],
  };
  const field: DraftRelation = { kind: 'relation', name: f.name, model: name, list: f.isList, optional: !f.isList, ...(f.documentation ? { doc: f.documentation.split('\n') } : {}) };
  return { field, model, embeddedIn: `${parent}.${path}`, type: type.name, columns };
}
