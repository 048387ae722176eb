import type { DraftModelConfig } from './draft-config.ts';
import { column, type DraftModel, type DraftRelation, type DraftSchema } from './draft-schema.ts';
import { chooseColumn, describe, type FieldChoice } from './column-type.ts';
import type { PathFacts } from './field-facts.ts';
import type { FieldProfile } from './field-profile.ts';
import { capital, fieldName, lowerFirst, modelName, plural, singular, unique, withoutIdSuffix } from './names.ts';
import { referenceKey, resolveReferences, type ResolvedReference } from './references.ts';
import type { FieldDecision, SampledCollection } from './sampled-collection.ts';
import { proposeEnum } from './propose-enum.ts';
import { indexAttributes } from './index-attributes.ts';

/** The draft and everything said about it: config entries, TODOs, and a decision per field. */
export interface Inference {
  schema: DraftSchema;
  models: Record<string, DraftModelConfig>;
  junctions: Record<string, { from: string[]; comment?: string }>;
  references: Record<string, { onMissing: 'null'; comment: string }>;
  todos: string[];
  decisions: Map<string, FieldDecision[]>;
}

interface Pending {
  model: DraftModel;
  collection: SampledCollection;
  /** Source key → the field name given to it (columns only). */
  taken: Set<string>;
  /** For a child: its parent and the array it comes from. */
  parent?: { model: string; path: string };
  /** Where a field's facts are: `''` for a collection, `lines.` for a child of `lines`. */
  factsPrefix: string;
}

interface PendingRef {
  owner: Pending;
  key: string;
  profile: FieldProfile;
  list: boolean;
  choice: FieldChoice;
}

/**
 * Drafts a PostgreSQL Prisma schema from sampled collections, by the documented rules
 * (MIGRATION_README "Starting from a MongoDB database"): a model per collection, a column per
 * field (column-type.ts), a child model per array of sub-documents, a relation per field of
 * ObjectIds found among another collection's `_id`s, a many-to-many per array of them.
 */
export async function inferSchema(
  collections: readonly SampledCollection[],
  idsFound: (collection: string, ids: readonly string[]) => Promise<Set<string>>,
  options: { enums: boolean },
): Promise<Inference> {
  const out: Inference = { schema: { header: [], enums: [], models: [] }, models: {}, junctions: {}, references: {}, todos: [], decisions: new Map() };
  const modelNames = new Set<string>();
  const modelOf = new Map<string, string>();
  for (const c of collections) modelOf.set(c.collection, unique(modelName(c.collection), modelNames));
  const pendings: Pending[] = [];
  const refs: PendingRef[] = [];
  const decide = (p: Pending, d: FieldDecision) => {
    const list = out.decisions.get(p.collection.collection) ?? [];
    list.push(d);
    out.decisions.set(p.collection.collection, list);
  };
  const todo = (text: string | undefined) => {
    if (text) out.todos.push(text);
  };

  for (const c of collections) {
    const name = modelOf.get(c.collection) ?? modelName(c.collection);
    const model: DraftModel = {
      name,
      ...(name !== c.collection ? { map: c.collection } : {}),
      doc: [`${c.collection}: ${c.total.toLocaleString('en-US')} document(s); ${c.sampled.toLocaleString('en-US')} sampled (${c.how}).`],
      fields: [column('id', 'String', { id: true, native: 'Uuid', comment: idComment(c) })],
      uniques: [],
      indexes: [],
    };
    const pending: Pending = { model, collection: c, taken: new Set(['id']), factsPrefix: '' };
    pendings.push(pending);
    out.schema.models.push(model);
    addFields(pending, c.fields, false);
  }

  /** Columns for one level of fields; refs and children are collected for later. */
  function addFields(p: Pending, fields: readonly FieldProfile[], nested: boolean): void {
    for (const f of fields) if (f.name !== '_id' && f.name !== '__v') p.taken.add(fieldName(f.name));
    for (const f of fields) {
      const facts = p.collection.facts.get(p.factsPrefix + f.name);
      const base = { path: f.display, types: f.types.map((t) => ({ name: t.name, count: t.count })), of: f.of, missing: f.missing, nulls: f.nulls, examples: f.types.flatMap((t) => t.examples).slice(0, 3) };
      if (f.name === '_id' && !nested) {
        decide(p, { ...base, decision: 'the id: a UUID made from it (ids.strategy)' });
        continue;
      }
      if (f.name === '_id') {
        // Mongoose gives every sub-document an ObjectId of its own: kept, as its UUIDv7, beside the row's derived id.
        const name = unique('sourceId', p.taken);
        p.model.fields.push(column(name, 'String', { optional: f.missing > 0 || f.nulls > 0, native: 'Uuid', map: '_id', comment: `the element's own _id (${describe(f.types)}), as a UUID${presence(f)}` }));
        decide(p, { ...base, decision: `${name} String @db.Uuid: the element's own _id` });
        continue;
      }
      if (f.name === '__v') {
        decide(p, { ...base, decision: 'not migrated: Mongoose version key (ignored by the run, and shown as ignored)' });
        continue;
      }
      const choice = chooseColumn(f, facts, nested);
      if (choice.kind !== 'children' && choice.kind !== 'refList' && choice.todo) todo(`${p.collection.collection}.${choice.todo}`);
      if (choice.kind === 'ref' || choice.kind === 'refList') {
        refs.push({ owner: p, key: f.name, profile: f, list: choice.kind === 'refList', choice });
        continue;
      }
      if (choice.kind === 'children' && !nested) {
        if (choice.todo) todo(`${p.collection.collection}.${choice.todo}`);
        addChild(p, f, choice.why, base);
        continue;
      }
      const name = columnName(p, f.name);
      const optional = f.missing > 0 || f.nulls > 0 || (facts?.emptyStrings ?? 0) > 0 || choice.kind === 'json';
      if (choice.kind === 'scalar') {
        const enumDraft = options.enums && !choice.list && choice.type === 'String' ? proposeEnum(p.model.name, name, facts, out.schema.enums) : undefined;
        if (enumDraft) out.schema.enums.push(enumDraft);
        p.model.fields.push(
          column(name, enumDraft?.name ?? choice.type, {
            list: choice.list,
            optional: !choice.list && optional,
            ...(choice.native ? { native: choice.native } : {}),
            ...mapOf(name, f.name),
            comment: `${choice.why}${presence(f)}`,
          }),
        );
        decide(p, { ...base, decision: `${name} ${enumDraft ? `enum ${enumDraft.name} (${enumDraft.values.length} values)` : `${choice.type}`}${choice.list ? '[]' : optional ? '?' : ''}${choice.todo ? ' — TODO' : ''}` });
      } else {
        p.model.fields.push(column(name, 'Json', { optional: true, ...mapOf(name, f.name), comment: `${choice.why}${presence(f)}` }));
        decide(p, { ...base, decision: `${name} Json: ${choice.why}` });
      }
    }
  }

  function columnName(p: Pending, key: string): string {
    const wanted = fieldName(key);
    // A source field named `id` beside `_id` keeps its values under another name (config: fields).
    if (wanted === 'id') {
      const name = unique('legacyId', p.taken);
      (out.models[p.model.name] ??= {}).fields = { ...out.models[p.model.name]?.fields, [name]: key };
      return name;
    }
    return wanted;
  }

  function addChild(parent: Pending, f: FieldProfile, why: string, base: Omit<FieldDecision, 'decision'>): void {
    const name = unique(`${parent.model.name}${capital(singular(fieldName(f.name)))}`, modelNames);
    const ownerName = lowerFirst(parent.model.name);
    const taken = new Set(['id']);
    const elementKeys = new Set((f.elements?.fields ?? []).map((e) => fieldName(e.name)));
    for (const k of elementKeys) taken.add(k);
    const owner = unique(ownerName, taken);
    const ownerId = unique(`${ownerName}Id`, taken);
    const position = ['position', 'index', 'ordinal'].find((n) => !elementKeys.has(n));
    const model: DraftModel = {
      name,
      doc: [`Embedded in ${parent.collection.collection}.${f.name}: one row per element (${f.elements?.count ?? 0} in the sample), made by the run (config: models.${name}.embeddedIn).`],
      fields: [
        column('id', 'String', { id: true, native: 'Uuid', comment: `derived from the ${parent.model.name} id and the element's position` }),
        column(ownerId, 'String', { native: 'Uuid' }),
        { kind: 'relation', name: owner, model: parent.model.name, list: false, optional: false, fields: [ownerId], references: ['id'], onDelete: 'Cascade' },
        ...(position ? [column(position, 'Int', { comment: 'the element\'s place in the array' })] : []),
      ],
      uniques: position ? [[ownerId, position]] : [],
      indexes: [],
    };
    if (!position) out.todos.push(`${name}: its elements hold position, index and ordinal: the array order is not kept`);
    const pending: Pending = { model, collection: parent.collection, taken, parent: { model: parent.model.name, path: f.name }, factsPrefix: `${parent.factsPrefix}${f.name}.` };
    pendings.push(pending);
    out.schema.models.push(model);
    // The array is no column of the parent: its relation field takes the array's name.
    parent.taken.delete(fieldName(f.name));
    parent.taken.delete(fieldName(f.name).toLowerCase());
    parent.model.fields.push({ kind: 'relation', name: unique(fieldName(f.name), parent.taken), model: name, list: true, optional: false, comment: `${why}${presence(f)}` });
    (out.models[name] ??= {}).embeddedIn = `${parent.model.name}.${f.name}`;
    out.models[name].comment = [`${parent.collection.collection}.${f.name}: ${why} → child rows`];
    decide(parent, { ...base, decision: `child model ${name} (${why})` });
    addFields(pending, f.elements?.fields ?? [], true);
  }

  // References: every sampled ObjectId looked up among every collection's _ids, at once.
  const resolved = await resolveReferences(
    collections,
    refs.map((r) => ({ collection: r.owner.collection.collection, factsPath: r.owner.factsPrefix + r.key })),
    idsFound,
  );
  const relationsBetween = new Map<string, number>();
  const pairKey = (a: string, b: string) => [a, b].sort().join('\u0000');
  const targetOf = (r: PendingRef): ResolvedReference | undefined => {
    const hit = resolved.get(referenceKey({ collection: r.owner.collection.collection, factsPath: r.owner.factsPrefix + r.key }));
    return hit?.collection !== undefined ? (hit as ResolvedReference) : undefined;
  };
  const countPair = (a: string, b: string) => relationsBetween.set(pairKey(a, b), (relationsBetween.get(pairKey(a, b)) ?? 0) + 1);
  for (const r of refs) {
    const t = targetOf(r);
    if (t) countPair(r.owner.model.name, modelOf.get(t.collection) ?? '');
  }
  for (const p of pendings) if (p.parent) countPair(p.model.name, p.parent.model);

  const pendingOf = (model: string) => pendings.find((p) => p.model.name === model);
  const manyToMany: { ref: PendingRef; target: Pending; field: string; hit: ResolvedReference }[] = [];
  for (const r of refs) {
    const hit = targetOf(r);
    const f = r.profile;
    const base = { path: f.display, types: f.types.map((t) => ({ name: t.name, count: t.count })), of: f.of, missing: f.missing, nulls: f.nulls, examples: f.types.flatMap((t) => t.examples).slice(0, 3) };
    const target = hit ? pendingOf(modelOf.get(hit.collection) ?? '') : undefined;
    const dangling = hit ? hit.sampled - hit.found : 0;
    const found = hit ? `${hit.found} of ${hit.sampled} sampled ids are ${hit.collection} _ids` : '';
    if (!hit || !target) {
      const sampled = resolved.get(referenceKey({ collection: r.owner.collection.collection, factsPath: r.owner.factsPrefix + r.key }))?.sampled ?? 0;
      const name = columnName(r.owner, r.key);
      // An ObjectId's UUIDv7 does not depend on the model, so the column converts without knowing where it points.
      // A single ObjectId becomes its UUIDv7 (an id column: no model needed); a list of them keeps their hex text,
      // since the run converts id columns, not lists.
      r.owner.model.fields.push(
        column(name, 'String', { list: r.list, optional: !r.list, ...(r.list ? {} : { native: 'Uuid' }), ...mapOf(name, r.key), comment: `ObjectIds found in no collection (${sampled} sampled ids looked up)${r.list ? ': kept as their hex text' : ''}${presence(f)}` }),
      );
      out.todos.push(`${r.owner.model.name}.${name}: its ObjectIds are _ids of no collection in the sample; kept as UUIDs without a relation (say where they point in references, or add a relation)`);
      decide(r.owner, { ...base, decision: `${name} ${r.list ? 'String[] (hex text)' : 'String @db.Uuid'}, no relation: ${sampled} sampled ids found in no collection — TODO` });
      continue;
    }
    if (r.list) {
      manyToMany.push({ ref: r, target, field: r.key, hit });
      continue;
    }
    const named = (relationsBetween.get(pairKey(r.owner.model.name, target.model.name)) ?? 0) > 1 || r.owner === target;
    const stripped = withoutIdSuffix(r.key);
    const fkName = stripped ? columnName(r.owner, r.key) : unique(`${fieldName(r.key)}Id`, r.owner.taken);
    const relName = stripped ? unique(fieldName(stripped), r.owner.taken) : fieldName(r.key);
    const optional = f.missing > 0 || f.nulls > 0 || dangling > 0;
    const relationName = named ? `${r.owner.model.name}${capital(relName)}` : undefined;
    const isUnique = indexAttributes(r.owner.collection.indexes).uniqueFields.has(r.key) && !r.owner.parent;
    r.owner.model.fields.push(
      column(fkName, 'String', { optional, native: 'Uuid', ...mapOf(fkName, r.key), ...(isUnique ? { unique: true } : {}), comment: `${found}${presence(f)}` }),
      { kind: 'relation', name: relName, model: target.model.name, list: false, optional, fields: [fkName], references: ['id'], ...(relationName ? { relationName } : {}) },
    );
    if (!isUnique) r.owner.model.indexes.push([fkName]);
    const ownerWord = isUnique ? lowerFirst(r.owner.model.name) : plural(lowerFirst(r.owner.model.name));
    const back = unique(named ? `${relName}${capital(ownerWord)}` : ownerWord, target.taken);
    target.model.fields.push({ kind: 'relation', name: back, model: r.owner.model.name, list: !isUnique, optional: isUnique, ...(relationName ? { relationName } : {}) });
    if (dangling > 0) {
      out.references[`${r.owner.model.name}.${fkName}`] = { onMissing: 'null', comment: `${dangling} of ${hit.sampled} sampled ids point at no ${hit.collection} document: set NULL (logged in _migration.repairs) instead of rejecting the document` };
      out.todos.push(`${r.owner.model.name}.${fkName}: ${dangling} of ${hit.sampled} sampled ids point at nothing; they load as NULL (references: onMissing) — or use reject to refuse those documents`);
    }
    decide(r.owner, { ...base, decision: `${fkName} → ${target.model.name} (relation ${relName}${optional ? ', optional' : ''}): ${found}` });
  }

  // Many-to-many: an array on one side, or one on each side (their union), per pair of models.
  const usedPairs = new Set<number>();
  manyToMany.forEach((m, i) => {
    if (usedPairs.has(i)) return;
    usedPairs.add(i);
    const mirror = manyToMany.findIndex((o, j) => !usedPairs.has(j) && o.ref.owner === m.target && o.target === m.ref.owner && o.ref.owner !== m.ref.owner);
    const other = mirror >= 0 ? manyToMany[mirror] : undefined;
    if (other) usedPairs.add(mirror);
    const a = m.ref.owner;
    const b = m.target;
    const betweenPair = manyToMany.filter((o) => pairKey(o.ref.owner.model.name, o.target.model.name) === pairKey(a.model.name, b.model.name)).length - (other ? 1 : 0);
    const named = betweenPair > 1 || a === b || (relationsBetween.get(pairKey(a.model.name, b.model.name)) ?? 0) > (other ? 2 : 1);
    a.taken.delete(fieldName(m.field));
    a.taken.delete(fieldName(m.field).toLowerCase());
    const aField = unique(fieldName(plural(withoutIdSuffix(m.field) ?? m.field)), a.taken);
    const bField = other ? unique(fieldName(plural(withoutIdSuffix(other.field) ?? other.field)), b.taken) : unique(named ? `${aField}${capital(plural(lowerFirst(a.model.name)))}` : plural(lowerFirst(a.model.name)), b.taken);
    const relationName = named ? `${a.model.name}${capital(aField)}` : [a.model.name, b.model.name].sort().join('To');
    const rel = (name: string, model: string): DraftRelation => ({ kind: 'relation', name, model, list: true, optional: false, ...(named ? { relationName } : {}) });
    a.model.fields.push({ ...rel(aField, b.model.name), comment: `from ${a.collection.collection}.${m.field}: ${m.hit.found} of ${m.hit.sampled} sampled ids are ${m.hit.collection} _ids` });
    if (a !== b) b.model.fields.push({ ...rel(bField, a.model.name), ...(other ? { comment: `from ${b.collection.collection}.${other.field}: ${other.hit.found} of ${other.hit.sampled} sampled ids are ${other.hit.collection} _ids` } : {}) });
    else a.model.fields.push(rel(unique(`${aField}Of`, a.taken), a.model.name));
    const from = [`${a.model.name}.${m.field}`, ...(other ? [`${b.model.name}.${other.field}`] : [])];
    out.junctions[relationName] = { from, comment: `${a.collection.collection}.${m.field}${other ? ` and ${b.collection.collection}.${other.field} (the union of both sides)` : ''} hold arrays of ${b.collection.collection} ids` };
    for (const side of [m, ...(other ? [other] : [])]) {
      const dangling = side.hit.sampled - side.hit.found;
      const field = side === m ? aField : bField;
      // A link to a rejected or absent document is dropped (and logged), not the document holding the array:
      // one dirty account must not take every team listing it down with it in a first run.
      out.references[`${side.ref.owner.model.name}.${field}`] = {
        onMissing: 'null',
        comment: `${dangling > 0 ? `${dangling} of ${side.hit.sampled} sampled ids point at nothing. ` : ''}A link to a missing or rejected document is dropped and logged in _migration.repairs, instead of rejecting the document that lists it (reject: refuse it)`,
      };
      if (dangling > 0) {
        out.todos.push(`${side.ref.owner.model.name}.${field}: ${dangling} of ${side.hit.sampled} sampled ids in ${side.field} point at nothing; those links are dropped (references: onMissing)`);
      }
      const f = side.ref.profile;
      decide(side.ref.owner, { path: f.display, types: f.types.map((t) => ({ name: t.name, count: t.count })), of: f.of, missing: f.missing, nulls: f.nulls, examples: [], decision: `many-to-many ${relationName} (${side.ref.owner.model.name}.${field} ↔ ${side.target.model.name}): ${side.hit.found} of ${side.hit.sampled} sampled ids found` });
    }
  });

  for (const p of pendings) if (!p.parent) indexAttributes(p.collection.indexes).apply(p.model, (key) => p.model.fields.find((f) => f.kind === 'column' && (f.map ?? f.name) === key)?.name, out.todos);
  out.todos.sort();
  return out;
}

function idComment(c: SampledCollection): string {
  const id = c.fields.find((f) => f.name === '_id');
  const kinds = id ? describe(id.types) : 'none seen';
  return id && id.types.length === 1 && id.types[0]?.name === 'ObjectId' ? `_id: ObjectId → UUIDv7 (ids.strategy v7-objectid)` : `_id: ${kinds} → UUIDv5 of the id`;
}

/**
 * `@map` to the source key when the field is named otherwise, so the table keeps the source's
 * names; not for a field `id` (renamed `legacyId`): its column cannot also be called `id`, and
 * the config's `fields` rename says where it is read from.
 */
function mapOf(name: string, key: string): { map?: string } {
  return name !== key && key !== 'id' ? { map: key } : {};
}

function presence(f: FieldProfile): string {
  const present = f.of - f.missing;
  const parts = [f.missing > 0 ? `in ${present} of ${f.of}` : '', f.nulls > 0 ? `${f.nulls} null` : ''].filter(Boolean);
  return parts.length > 0 ? `; ${parts.join(', ')}` : '';
}

export type { PathFacts };
