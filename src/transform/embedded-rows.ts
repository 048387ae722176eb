import type { Row } from '../check/row-check.ts';
import { describeType, isSubDocument } from './bson-values.ts';
import type { EmbeddedSource } from './context.ts';
import { defaultRow, readPath } from './default-transformer.ts';
import { reject } from './reject.ts';
import type { SourceDoc, TransformContext } from './types.ts';

/**
 * The rows of the models config embeds in this document (`models.<Child>.embeddedIn`), by
 * model: one per element of the array at the child's path, one for a single sub-document, none
 * when it is missing or null. Each is the default row of the element (same naming rules, same
 * converter, same reasons as a top-level row), given its owner's UUID, its derived id and, when
 * the element does not hold it, its position. Anything else at the path rejects the document.
 */
export function embeddedRows(doc: SourceDoc, ctx: TransformContext, embedded: readonly EmbeddedSource[]): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const source of embedded) out[source.child.model] = rowsOf(doc, ctx, source);
  return out;
}

function rowsOf(doc: SourceDoc, ctx: TransformContext, { child, model, fields }: EmbeddedSource): Row[] {
  const value = readPath(doc, child.path);
  if (value === undefined || value === null) return [];
  const row = (element: Record<string, unknown>, index: number | undefined): Row => {
    const set: Row = { [child.ownerField]: ctx.uuid };
    // The same id on every run and resume: the owner's source id and where the element is.
    if (child.idField !== undefined) set[child.idField] = ctx.derivedId(index === undefined ? child.path : `${child.path}/${index}`);
    return defaultRow(model, element, ctx, fields, {
      set,
      fallback: child.positionField === undefined ? {} : { [child.positionField]: index ?? 0 },
      at: index === undefined ? `${child.path}.` : `${child.path}[${index}].`,
      path: `${child.path}.`,
    });
  };
  if (isSubDocument(value)) return [row(value, undefined)];
  if (!Array.isArray(value)) return reject(`${child.path}: expected an embedded document or an array of them, got ${describeType(value)}`);
  if (child.oneToOne && value.length > 1) {
    return reject(`${child.path}: ${value.length} embedded documents, but a ${child.parent} has at most one ${child.model} (${child.model}.${child.ownerField} is unique)`);
  }
  return value.map((element: unknown, index: number) => (isSubDocument(element) ? row(element, index) : reject(`${child.path}[${index}]: expected an embedded document, got ${describeType(element)}`)));
}
