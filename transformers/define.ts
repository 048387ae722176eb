import type { Prisma } from '../src/generated/prisma/client.ts';
import type { SourceDoc, TransformContext, Transformer } from '../src/transform/types.ts';

/** The createMany input of a model of this app's schema, as the generated client types it. */
export type RowOf<M extends Prisma.ModelName> = Exclude<Prisma.TypeMap['model'][M]['operations']['createMany']['args']['data'], readonly unknown[]>;

export interface TypedOutput<M extends Prisma.ModelName, D extends Prisma.ModelName> {
  rows: { [K in M]: RowOf<K>[] } & { [K in NoInfer<D>]?: RowOf<K>[] };
  links?: Record<string, string[]>;
}

/**
 * Declares a transformer typed against the generated Prisma client: a field renamed or
 * retyped in schema.prisma breaks `npm run typecheck` here, not the migration at 3 a.m.
 */
export function defineTransformer<M extends Prisma.ModelName, D extends Prisma.ModelName = never>(definition: {
  model: M;
  derives?: Record<D, string>;
  transform(doc: SourceDoc, ctx: TypedContext<M>): TypedOutput<M, D>;
}): Transformer {
  return {
    model: definition.model,
    ...(definition.derives ? { derives: definition.derives } : {}),
    transform: (doc, ctx) => definition.transform(doc, ctx as TypedContext<M>),
  };
}

/** The context, with the default row typed as the model's createMany input. */
export type TypedContext<M extends Prisma.ModelName> = Omit<TransformContext, 'defaultRow'> & {
  defaultRow(doc: SourceDoc): RowOf<M>;
};

/** An embedded array as a list of plain objects (missing or null is empty; anything else is the document's fault). */
export function embeddedList(doc: SourceDoc, field: string): Record<string, unknown>[] {
  const value = doc[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
    throw new TypeError(`${field}: expected an array of embedded documents`);
  }
  return value as Record<string, unknown>[];
}

export function embeddedDoc(doc: SourceDoc, field: string): Record<string, unknown> | undefined {
  const value = doc[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${field}: expected an embedded document`);
  return value as Record<string, unknown>;
}
