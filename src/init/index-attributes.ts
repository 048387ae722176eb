import type { IndexSpec } from './document-sampler.ts';
import type { DraftColumn, DraftModel } from './draft-schema.ts';

/**
 * The collection's MongoDB indexes as Prisma attributes: a unique index on one field is
 * `@unique`, on several `@@unique`, any other ascending/descending index `@@index`. What has no
 * PostgreSQL equivalent here (text, 2dsphere, hashed, partial, on a path inside a sub-document
 * or on a Json column) is named in a TODO instead of being dropped in silence.
 */
export function indexAttributes(indexes: readonly IndexSpec[]) {
  const plain = indexes.filter((i) => !isIdIndex(i));
  const uniqueFields = new Set(plain.filter((i) => i.unique && Object.keys(i.key).length === 1 && carried(i)).map((i) => Object.keys(i.key)[0] ?? ''));
  return {
    uniqueFields,
    apply(model: DraftModel, columnOf: (key: string) => string | undefined, todos: string[]): void {
      for (const index of plain) {
        const keys = Object.keys(index.key);
        const columns = keys.map(columnOf);
        const fields = columns.map((c) => model.fields.find((f): f is DraftColumn => f.kind === 'column' && f.name === c));
        const usable = carried(index) && fields.every((f) => f !== undefined && f.type !== 'Json' && !f.list);
        if (!usable) {
          todos.push(`${model.name}: MongoDB index ${index.name ?? JSON.stringify(index.key)} (${JSON.stringify(index.key)}${index.unique ? ', unique' : ''}) is not carried: ${carried(index) ? 'it is on a path that is no plain column' : 'its kind has no Prisma equivalent here'}`);
          continue;
        }
        const names = columns as string[];
        const [only] = fields;
        if (index.unique && names.length === 1 && only) only.unique = true;
        else if (index.unique) model.uniques.push(names);
        else if (!model.indexes.some((i) => i.join() === names.join())) model.indexes.push(names);
      }
    },
  };
}

function isIdIndex(index: IndexSpec): boolean {
  const keys = Object.keys(index.key);
  return keys.length === 1 && keys[0] === '_id';
}

/** Ascending or descending keys, not partial: what a PostgreSQL B-tree index or unique constraint says alike. */
function carried(index: IndexSpec): boolean {
  const raw = index as IndexSpec & { partialFilterExpression?: unknown; sparse?: unknown };
  return Object.values(index.key).every((v) => v === 1 || v === -1 || (typeof v === 'object' && v !== null && Number(v) !== 0 && Math.abs(Number(v)) === 1)) && raw.partialFilterExpression === undefined;
}
