import type { ConversionNotes } from './conversion-notes.ts';
import type { DraftModel } from './draft-schema.ts';
import type { MongoField, MongoModel } from './mongo-dmmf.ts';
import { freeName, idArrayStem, lowerFirst, plural } from './names.ts';

/** One side of a many-to-many filled from an array of ids: the model, its list field here, the stored array's name. */
export interface LinkSide {
  model: string;
  relationField: string;
  sourceField: string;
}

/** An array of ObjectIds without a relation whose name says which model's ids it holds (`productIds` → Product). */
export interface BareArray {
  holder: string;
  field: MongoField;
  target: string;
  /** Where the array was among the holder's fields: the list field takes its place. */
  position: number;
}

/** The model an array of ObjectIds without a relation names (`productIds`, `product_ids`, `products`), other than its own. */
export function bareIdArrayTarget(f: MongoField, holder: string, models: ReadonlyMap<string, MongoModel>): string | undefined {
  if (f.kind !== 'scalar' || !f.isList || f.nativeType?.[0] !== 'ObjectId' || f.relationName) return undefined;
  const stem = idArrayStem(f.name);
  const found = [...models.keys()].find((m) => m.toLowerCase() === stem);
  // A model's array of its own kind's ids (`blockedUserIds`) would need two list fields of its own, named by whoever knows what they mean.
  return found === holder ? undefined : found;
}

/**
 * Arrays of ids only one side holds, with no relation at all in the MongoDB schema (Prisma on
 * MongoDB wants both sides to declare the arrays for a relation, so apps often keep a bare
 * `productIds String[] @db.ObjectId`): on PostgreSQL their ids change to UUIDs, so a list of
 * the old hex strings would point nowhere. Each becomes an implicit many-to-many: a list field
 * on the holder named for the target (`products`), a back-relation list on the target
 * (`wishlists`), filled from the array through `junctions`.
 */
export function linkBareArrays(bare: readonly BareArray[], models: DraftModel[], notes: ConversionNotes): LinkSide[] {
  const out: LinkSide[] = [];
  // From the last: a field put in place does not move the places of those before it.
  for (const b of [...bare].sort((x, y) => y.position - x.position)) {
    const holder = models.find((m) => m.name === b.holder);
    const target = models.find((m) => m.name === b.target);
    if (!holder || !target) continue;
    const namesOf = (m: DraftModel) => new Set(m.fields.map((f) => f.name));
    const field = freeName([lowerFirst(plural(b.target)), b.field.name], namesOf(holder));
    const back = freeName([lowerFirst(plural(b.holder)), `${lowerFirst(plural(b.holder))}By${b.field.name.charAt(0).toUpperCase()}${b.field.name.slice(1)}`], namesOf(target));
    // Another relation between the two models: Prisma then needs every one of them named.
    const related = holder.fields.some((f) => f.kind === 'relation' && f.model === b.target) || target.fields.some((f) => f.kind === 'relation' && f.model === b.holder);
    const relationName = related ? { relationName: `${b.holder}${field.charAt(0).toUpperCase()}${field.slice(1)}` } : {};
    holder.fields.splice(b.position, 0, { kind: 'relation', name: field, model: b.target, list: true, optional: false, ...relationName, comment: `from the array ${b.field.dbName ?? b.field.name}` });
    target.fields.push({ kind: 'relation', name: back, model: b.holder, list: true, optional: false, ...relationName });
    const sourceField = b.field.dbName ?? b.field.name;
    out.push({ model: b.holder, relationField: field, sourceField });
    notes.add(
      b.holder,
      `${b.holder}.${b.field.name} String[] @db.ObjectId`,
      `\`${field} ${b.target}[]\` (and \`${back} ${b.holder}[]\` on ${b.target}), an implicit many-to-many`,
      `an array of ${b.target} ids without a relation (its name says whose): their ids become UUIDs, so a list of the old hex strings would point nowhere; the table is filled from \`${sourceField}\` (junctions in migration.yaml); code reading \`${b.field.name}\` reads \`${field}\` (their ids) now`,
    );
  }
  return out.reverse();
}
