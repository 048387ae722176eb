import { createRequire } from 'node:module';
import { stripVTControlCharacters } from 'node:util';
import { ConfigError } from '../config/config-error.ts';
import { z } from 'zod';
import { engineCacheKey, readCached, writeCached } from './engine-cache.ts';

/**
 * The part of Prisma's DMMF that the migrator reads, checked with zod because it crosses
 * a WASM boundary and its shape changes between Prisma releases.
 */
export const dmmfFieldSchema = z.object({
  name: z.string(),
  dbName: z.string().nullish(),
  kind: z.enum(['scalar', 'object', 'enum', 'unsupported']),
  isList: z.boolean(),
  isRequired: z.boolean(),
  isUnique: z.boolean(),
  isId: z.boolean(),
  hasDefaultValue: z.boolean(),
  type: z.string(),
  nativeType: z.tuple([z.string(), z.array(z.string())]).nullish(),
  default: z.unknown().optional(),
  relationName: z.string().nullish(),
  relationFromFields: z.array(z.string()).nullish(),
  relationToFields: z.array(z.string()).nullish(),
  relationOnDelete: z.string().nullish(),
  isUpdatedAt: z.boolean().optional(),
});

const modelSchema = z.object({
  name: z.string(),
  dbName: z.string().nullish(),
  schema: z.string().nullish(),
  fields: z.array(dmmfFieldSchema),
  primaryKey: z.object({ name: z.string().nullish(), fields: z.array(z.string()) }).nullish(),
  uniqueFields: z.array(z.array(z.string())),
  uniqueIndexes: z.array(z.object({ name: z.string().nullish(), fields: z.array(z.string()) })),
  documentation: z.string().optional(),
});

const enumSchema = z.object({
  name: z.string(),
  dbName: z.string().nullish(),
  values: z.array(z.object({ name: z.string(), dbName: z.string().nullish() })),
});

const dmmfSchema = z.object({
  datamodel: z.object({ models: z.array(modelSchema), enums: z.array(enumSchema) }),
});

export type DmmfField = z.infer<typeof dmmfFieldSchema>;
export type DmmfModel = z.infer<typeof modelSchema>;
export type DmmfEnum = z.infer<typeof enumSchema>;
export type Dmmf = z.infer<typeof dmmfSchema>;

/**
 * Parses a Prisma schema offline with Prisma's own parser (the WASM build of prisma-engines).
 * An invalid schema is bad input (ConfigError, exit 2): Prisma's message, which names `file`
 * (the parser says `schema.prisma` unless given the file's name) and has no colour codes.
 */
export function readDmmf(prismaSchema: string, file = 'schema.prisma'): Dmmf {
  const request = dmmfRequest(prismaSchema, file);
  // Kept is the part read here (28 KB for the sample, of Prisma's 1.7 MB), for a valid schema only.
  const key = dmmfCacheKey(prismaSchema, file);
  const cached = dmmfSchema.safeParse(readCached(key));
  if (cached.success) return cached.data;
  let raw: string;
  try {
    raw = schemaWasm().get_dmmf(request);
  } catch (error) {
    // The WASM parser throws a JSON string with Prisma's validation messages.
    throw new ConfigError(`the Prisma schema ${file} is invalid: ${wasmMessage(error)}`);
  }
  const dmmf = dmmfSchema.parse(JSON.parse(raw));
  writeCached(key, dmmf);
  return dmmf;
}

const ENGINE = '@prisma/prisma-schema-wasm';

function dmmfRequest(prismaSchema: string, file: string): string {
  return JSON.stringify({ prismaSchema: [[file, prismaSchema]], noColor: true });
}

/** The engine cache's name for the DMMF of `prismaSchema` read as `file`. */
export function dmmfCacheKey(prismaSchema: string, file = 'schema.prisma'): string {
  return engineCacheKey('dmmf', ENGINE, [dmmfRequest(prismaSchema, file)]);
}

/**
 * Prisma's schema parser, loaded on first use (its WASM is compiled as the package loads): a
 * schema whose DMMF is in the engine cache never loads it. CommonJS, so `require` keeps
 * readDmmf synchronous.
 */
export function schemaWasm(): typeof import('@prisma/prisma-schema-wasm') {
  return createRequire(import.meta.url)(ENGINE) as typeof import('@prisma/prisma-schema-wasm');
}

/** The text of an error the WASM engine threw: JSON with a `message`, or plain text; without colour codes. */
export function wasmMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  let message = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'message' in parsed) message = String(parsed.message);
  } catch {
    // not JSON: the text as it is
  }
  return stripVTControlCharacters(message).trim();
}
