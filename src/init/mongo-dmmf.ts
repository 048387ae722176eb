import { z } from 'zod';
import { ConfigError } from '../config/config-error.ts';
import { dmmfFieldSchema, schemaWasm, wasmMessage } from '../schema/dmmf.ts';

/**
 * The parts of Prisma's DMMF of a MongoDB schema that the conversion reads: models, composite
 * `type`s, enums and indexes (`@@index`, `@@unique`, `@@fulltext`, with composite paths such as
 * `addresses.city`). Checked with zod because it crosses the WASM boundary and its shape moves
 * between Prisma releases.
 */

// The project's DMMF field (src/schema/dmmf.ts) and what a MongoDB schema adds to it.
const fieldSchema = dmmfFieldSchema.extend({
  relationOnUpdate: z.string().nullish(),
  documentation: z.string().optional(),
});

const modelSchema = z.object({
  name: z.string(),
  dbName: z.string().nullish(),
  fields: z.array(fieldSchema),
  documentation: z.string().optional(),
});

const typeSchema = z.object({ name: z.string(), fields: z.array(fieldSchema), documentation: z.string().optional() });

const enumSchema = z.object({
  name: z.string(),
  dbName: z.string().nullish(),
  values: z.array(z.object({ name: z.string(), dbName: z.string().nullish() })),
  documentation: z.string().optional(),
});

const indexSchema = z.object({
  model: z.string(),
  type: z.enum(['id', 'unique', 'normal', 'fulltext']),
  isDefinedOnField: z.boolean(),
  dbName: z.string().nullish(),
  name: z.string().nullish(),
  fields: z.array(z.object({ name: z.string(), sortOrder: z.enum(['asc', 'desc']).nullish(), length: z.number().nullish(), operatorClass: z.string().nullish() })),
});

const dmmfSchema = z.object({
  datamodel: z.object({
    models: z.array(modelSchema),
    types: z.array(typeSchema).default([]),
    enums: z.array(enumSchema),
    indexes: z.array(indexSchema).default([]),
  }),
});

export type MongoField = z.infer<typeof fieldSchema>;
export type MongoModel = z.infer<typeof modelSchema>;
export type MongoType = z.infer<typeof typeSchema>;
export type MongoEnum = z.infer<typeof enumSchema>;
export type MongoIndex = z.infer<typeof indexSchema>;
export type MongoDatamodel = z.infer<typeof dmmfSchema>['datamodel'];

/** The schema files as Prisma's engines take them: `[name, text]` pairs. */
export type SchemaFiles = readonly (readonly [string, string])[];


/**
 * Parses the schema with Prisma's own parser. Errors are Prisma's messages (naming the file and
 * line), as a ConfigError: bad input, exit 2, nothing written.
 */
export function readMongoDatamodel(files: SchemaFiles, label: string): MongoDatamodel {
  let raw: string;
  try {
    raw = schemaWasm().get_dmmf(JSON.stringify({ prismaSchema: files, noColor: true }));
  } catch (error) {
    throw new ConfigError(`--prisma-mongo ${label}: the schema does not parse: ${wasmMessage(error)}`);
  }
  return dmmfSchema.parse(JSON.parse(raw)).datamodel;
}

const configSchema = z.object({
  config: z.object({ datasources: z.array(z.object({ name: z.string(), provider: z.string() })) }),
});

/** The datasource's provider (`mongodb`), read by Prisma's config reader, which answers even for a schema with errors. */
export function datasourceProvider(files: SchemaFiles): string | undefined {
  try {
    const raw = schemaWasm().get_config(JSON.stringify({ prismaSchema: files, datasourceOverrides: {}, ignoreEnvVarErrors: true, env: {} }));
    return configSchema.parse(JSON.parse(raw)).config.datasources[0]?.provider;
  } catch {
    return undefined;
  }
}

const lintSchema = z.array(z.object({ file_name: z.string(), start: z.number().int(), end: z.number().int(), text: z.string(), is_warning: z.boolean() }));

export type LintFinding = z.infer<typeof lintSchema>[number];

/** Prisma's linter: each error and warning with the span it covers in its file. */
export function lintSchemaFiles(files: SchemaFiles): LintFinding[] {
  return lintSchema.parse(JSON.parse(schemaWasm().lint(JSON.stringify(files))));
}

