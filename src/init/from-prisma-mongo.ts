import { basename } from 'node:path';
import { readDmmf } from '../schema/dmmf.ts';
import { buildModelGraph } from '../schema/model-graph.ts';
import { printConversion } from './conversion-notes.ts';
import { convertMongoSchema, type CompositeTypes } from './convert-mongo-schema.ts';
import { printConfig } from './draft-config.ts';
import type { InitDraft, InitOutput } from './init-draft.ts';
import { readMongoSchema } from './mongo-schema-input.ts';
import { draftMongoConfig } from './prisma-mongo-config.ts';
import { printSchema } from './print-schema.ts';

/**
 * `migration:init --prisma-mongo schema.prisma`: the team's Prisma MongoDB schema converted to
 * PostgreSQL, keeping their model and field names, with the config of a first run and
 * conversion.md, one line per decision.
 *
 * @example
 *   const draft = await draftFromPrismaMongo('prisma/schema.prisma', output, { compositeTypes: 'json' });
 *   // draft.schema: `model User { id String @id @db.Uuid … }`, validated by Prisma
 */
export async function draftFromPrismaMongo(file: string, output: InitOutput, options: { compositeTypes: CompositeTypes }): Promise<InitDraft> {
  const input = readMongoSchema(file);
  const header = [
    `Converted from the MongoDB schema ${basename(file)} by migration:init --prisma-mongo (--composite-types ${options.compositeTypes}).`,
    'Model, field, @map and @@map names are the team\'s; ids and references are UUIDs; the reasons are in conversion.md.',
  ];
  const converted = convertMongoSchema(input.datamodel, { compositeTypes: options.compositeTypes, header });
  for (const property of input.removed) {
    converted.notes.add('', `datasource ${property}`, 'not carried', 'Prisma 7 keeps connection URLs in prisma.config.ts; the source goes into migration.yaml (only the database name is taken from it)');
  }
  converted.notes.add('', 'every @id', '`String @id @db.Uuid`, no @default', 'the tool makes each UUID from the source _id; rows the app creates after the move need one: add @default(uuid(7)) if the app does not set ids (migrated rows keep the tool\'s UUIDs)');
  const schema = printSchema(converted.schema);
  // The printed schema read back as the run will read it: the junction names, the id columns.
  const graph = buildModelGraph(readDmmf(schema, output.schemaPath));
  const config = printConfig(draftMongoConfig({ label: file, url: input.url, schemaPath: output.schemaPath, compositeTypes: options.compositeTypes, converted, graph }));
  const conversion = printConversion({
    title: `${basename(file)}: MongoDB → PostgreSQL`,
    preamble: [
      `Converted by \`migration:init --prisma-mongo ${file} --composite-types ${options.compositeTypes}\`. One line per decision: what each field became and why,`,
      'and every attribute or native type dropped with the reason. A **TODO** is also in migration.yaml, where its answer goes.',
    ],
    notes: converted.notes,
    models: converted.schema.models.map((m) => m.name),
  });
  const models = converted.schema.models.length;
  const children = converted.embedded.length;
  const todos = converted.notes.todos.length;
  return {
    schema,
    config,
    files: { 'conversion.md': conversion },
    summary: [
      `read ${file}: ${input.datamodel.models.length} model(s), ${input.datamodel.types.length} composite type(s), ${input.datamodel.enums.length} enum(s) (MongoDB)`,
      `wrote a PostgreSQL schema of ${models} model(s)${children > 0 ? ` (${children} child model(s) from composite types)` : ''}, ${graph.junctions.length} many-to-many table(s), ${converted.notes.lines.length} decision(s) in conversion.md`,
      `to decide before the real run: ${todos} TODO(s) in ${output.configPath} (the source first)`,
    ],
  };
}
