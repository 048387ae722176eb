import type { ConversionNotes } from './conversion-notes.ts';
import type { DraftModel } from './draft-schema.ts';
import type { MongoIndex } from './mongo-dmmf.ts';
import type { ChildModel } from './composite-fields.ts';

/** What a field of the source model became, for the indexes that name it. */
export type FieldFate = { kind: 'column' } | { kind: 'json'; type: string } | { kind: 'child'; child: ChildModel } | { kind: 'link' } | { kind: 'gone' };

/**
 * `@@index`, `@@unique` and `@@fulltext` of one model: kept on the columns they name (with
 * `sort: Desc`), moved to the child model when every path is inside one composite field that
 * became a model (`@@index([addresses.city])` → `@@index([city])` on UserAddress), else dropped
 * with the reason. Index names (`map:`) are not kept: PostgreSQL index names are shared by the
 * whole schema, so Prisma's own table-based names avoid clashes.
 */
export function convertIndexes(model: DraftModel, indexes: readonly MongoIndex[], fates: ReadonlyMap<string, FieldFate>, notes: ConversionNotes): void {
  for (const index of indexes) {
    if (index.isDefinedOnField || index.type === 'id') continue;
    const attribute = `@@${index.type === 'normal' ? 'index' : index.type}([${index.fields.map((f) => `${f.name}${f.sortOrder === 'desc' ? '(sort: Desc)' : ''}`).join(', ')}])`;
    const drop = (why: string) => notes.add(model.name, attribute, 'dropped', why);
    if (index.type === 'fulltext') {
      drop('PostgreSQL\'s Prisma has no @@fulltext: a full-text search there is a tsvector column or expression with a GIN index, made by hand (a migration of your own)');
      continue;
    }
    const target = placeOf(model, index, fates);
    if (typeof target === 'string') {
      drop(target);
      continue;
    }
    const list = index.type === 'unique' ? target.model.uniques : target.model.indexes;
    list.push(target.fields);
    const named = index.dbName ?? index.name;
    if (target.model !== model || named) {
      notes.add(
        model.name,
        attribute,
        `\`@@${index.type === 'unique' ? 'unique' : 'index'}([${target.fields.join(', ')}])\`${target.model !== model ? ` on ${target.model.name}` : ''}`,
        [target.model !== model ? 'the paths are columns of the child model now' : '', named ? `the name ${named} is not kept: PostgreSQL index names are shared by the whole schema, Prisma names it after its table` : ''].filter(Boolean).join('; '),
      );
    }
  }
}

function placeOf(model: DraftModel, index: MongoIndex, fates: ReadonlyMap<string, FieldFate>): { model: DraftModel; fields: string[] } | string {
  const fields: string[] = [];
  let owner: DraftModel | undefined;
  for (const f of index.fields) {
    const [head = '', ...rest] = f.name.split('.');
    const fate = fates.get(head) ?? { kind: 'gone' };
    const sort = f.sortOrder === 'desc' ? '(sort: Desc)' : '';
    if (rest.length === 0 && fate.kind === 'column') {
      if (owner && owner !== model) return 'it mixes a child model\'s columns with the parent\'s';
      owner = model;
      fields.push(`${head}${sort}`);
      continue;
    }
    if (fate.kind === 'json') return `${head} is a Json column now (composite type ${fate.type}); index a path of it with a migration of your own (a GIN or expression index), or use --composite-types models`;
    if (fate.kind === 'link') return `${head} is a many-to-many table now, which has its own index`;
    if (fate.kind !== 'child' || rest.length !== 1) return `${f.name} is no column of the converted model`;
    const column = fate.child.columns.get(rest[0] ?? '');
    if (!column) return `${f.name}: a path inside a composite type nested in another (a Json column of the child model)`;
    if (owner && owner !== fate.child.model) return 'it spans several tables now';
    owner = fate.child.model;
    fields.push(`${column}${sort}`);
  }
  return owner ? { model: owner, fields } : 'it names no field';
}
