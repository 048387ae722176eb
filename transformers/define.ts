import type { Prisma } from '../src/generated/prisma/client.ts';
import { reject } from '../src/transform/reject.ts';
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

/** The scalar fields of a model, as `ctx.convert` accepts them. */
export type FieldOf<N extends Prisma.ModelName> = keyof RowOf<N> & string;

/**
 * The context, typed against the schema: the default row is the model's createMany input, and
 * `convert`/`ref` take only model and field names the schema has, so `ctx.convert('Post',
 * 'viewz', v)` is a compile error instead of a run that rejects every Post.
 */
export type TypedContext<M extends Prisma.ModelName> = Omit<TransformContext, 'defaultRow' | 'convert' | 'ref'> & {
  defaultRow(doc: SourceDoc): RowOf<M>;
  convert<N extends Prisma.ModelName>(model: N, field: FieldOf<N>, value: unknown): unknown;
  ref(model: Prisma.ModelName, value: unknown, label: string): string | null;
};

/** An embedded array as a list of plain objects (missing or null is empty; anything else rejects the document). */
export function embeddedList(doc: SourceDoc, field: string): Record<string, unknown>[] {
  const value = doc[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
    return reject(`${field}: expected an array of embedded documents`);
  }
  return value as Record<string, unknown>[];
}

export function embeddedDoc(doc: SourceDoc, field: string): Record<string, unknown> | undefined {
  const value = doc[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return reject(`${field}: expected an embedded document`);
  return value as Record<string, unknown>;
}
