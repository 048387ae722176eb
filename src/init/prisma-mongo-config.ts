import { selfLinkSide } from '../plan/link-sources.ts';
import { planReferences } from '../plan/references.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import type { ConversionNotes } from './conversion-notes.ts';
import { emptyConfig, type DraftConfig } from './draft-config.ts';
import type { ConvertedSchema } from './convert-mongo-schema.ts';
import type { DatasourceUrl } from './mongo-schema-input.ts';

export interface MongoConfigInput {
  label: string;
  url: DatasourceUrl;
  schemaPath: string;
  compositeTypes: 'json' | 'models';
  converted: ConvertedSchema;
  /** The printed PostgreSQL schema, read back: the names the run itself will use (`_UserFollows`, id columns). */
  graph: ModelGraph;
}

/**
 * The config of the first run of a converted schema: a source to fill in, the schema, which
 * arrays fill each many-to-many table (keyed by the relation's name, as the run looks it up),
 * whose ids each id column holds, the child models' `embeddedIn`, and the defaults spelled out.
 */
export function draftMongoConfig(input: MongoConfigInput): DraftConfig {
  const { converted, graph } = input;
  const database = input.url.kind === 'literal' ? input.url.database : undefined;
  const config = emptyConfig(input.schemaPath, { kind: 'mongodb', url: 'mongodb://localhost:27017', ...(database ? { database } : {}) });
  config.header = [
    `Drafted by migration:init --prisma-mongo ${input.label} (--composite-types ${input.compositeTypes}).`,
    'Every choice has its comment; the reasons for the schema are in conversion.md next to this file.',
  ];
  const where =
    input.url.kind === 'literal'
      ? `database from the datasource url of ${input.label}${database ? '' : ' (it names none)'}; the URL itself is not copied: it may hold a password`
      : input.url.kind === 'env'
        ? `the schema read its URL from env("${input.url.variable}"): give that URL as MONGO_URL (and MONGO_DB) when you run, rather than here`
        : 'the schema names no URL (Prisma 7 keeps it in prisma.config.ts)';
  config.sourceComment = [
    'TODO: point this at the data: the server that holds it (a password goes in MONGO_URL, not in this file),',
    'or a mongodump folder: { kind: mongodump, path: dump/<database> }. A config source with --dump or --mongo-url given wins for that run.',
    where,
  ];
  converted.notes.todo('', 'source', 'mongodb://localhost:27017 in migration.yaml', `the converter cannot know where the data is: set the server (url, database) or a mongodump folder (kind: mongodump, path)${database ? '' : '; the schema names no database'}`);

  for (const link of junctionsOf(converted, graph)) config.junctions[link.key] = { from: link.from, comment: link.comment };
  for (const e of converted.embedded) {
    config.models[e.child] = { embeddedIn: e.embeddedIn, comment: [`composite type ${e.type}: rows made from ${e.embeddedIn} of each document (--composite-types models)`] };
  }
  // Before the TODOs are listed: an id column no name explains is one.
  addReferences(config, graph, converted);
  for (const t of converted.notes.todos) config.todos.push(`${t.subject}: ${t.why}`);

  config.settings.push({
    key: 'ids',
    value: { strategy: 'v7-objectid' },
    comment: 'The default, spelled out: each ObjectId becomes a UUIDv7 carrying it (time-ordered, reversible); other ids UUIDv5. v5 needs ids.namespace.',
  });
  config.settings.push({ key: 'unmappedFields', value: 'warn', comment: 'A source field no column reads is listed at the end of the run (fail: exit 3). Documents written before a field was added to the schema often hold others.' });
  return config;
}

/** One junction per implicit many-to-many of the printed schema that an array fills, with every array that fills it. */
function junctionsOf(converted: ConvertedSchema, graph: ModelGraph): { key: string; from: string[]; comment: string }[] {
  const out = new Map<string, { key: string; from: string[]; comment: string }>();
  for (const side of converted.links) {
    const junction = graph.junctions.find((j) => [j.a, j.b].some((s) => s.model === side.model && s.field === side.relationField));
    if (!junction) throw new Error(`init: the many-to-many of ${side.model}.${side.relationField} is not in the printed schema (a bug in init; please report it)`);
    if (junction.a.model === junction.b.model) {
      const mine = junction.a.field === side.relationField ? 'A' : 'B';
      if (selfLinkSide(junction, side.sourceField) !== mine) {
        converted.notes.todo(
          side.model,
          `junctions.${junction.relation}: ${side.model}.${side.sourceField}`,
          `fills \`${side.relationField}\``,
          `a self many-to-many: the run tells which list an array fills by its name, and \`${side.sourceField}\` does not say \`${side.relationField}\`; rename the list field here to match the array (or the array in the source), else the pairs of this array are reversed or refused`,
        );
      }
    }
    const entry = out.get(junction.relation) ?? { key: junction.relation, from: [], comment: '' };
    entry.from.push(`${side.model}.${side.sourceField}`);
    entry.comment =
      entry.from.length > 1
        ? `table ${junction.table}: the arrays of both sides, their union (each pair once)`
        : `table ${junction.table}: only ${side.model} holds the ids`;
    out.set(junction.relation, entry);
  }
  return [...out.values()];
}

/**
 * Each id column (an ObjectId without a relation) with whose ids it holds: the tool's own
 * convention where the name tells (`createdById` → User), written out so it is visible; a
 * TODO where it does not (ObjectIds still convert under v7-objectid; integers and strings need it).
 */
function addReferences(config: DraftConfig, graph: ModelGraph, converted: ConvertedSchema): void {
  const derived = new Set(converted.embedded.map((e) => e.child));
  const policies = planReferences(graph, { references: {}, ids: { strategy: 'v7-objectid' } }, derived);
  for (const [model, columns] of policies.idColumns) {
    for (const c of columns.values()) {
      const key = `${model}.${c.field}`;
      if (c.target) {
        config.references[key] = { model: c.target, comment: `by the tool's convention (${c.decidedBy}); change it if the ids are another model's` };
      } else {
        config.references[key] = { comment: `TODO: whose ids? The name does not say. ObjectIds convert anyway (v7-objectid); set { model: X } if some are not ObjectIds, or if they all point into one model` };
        noteReference(converted.notes, model, key);
      }
    }
  }
}

function noteReference(notes: ConversionNotes, model: string, key: string): void {
  notes.todo(model, `references.${key}`, 'an entry without a model in migration.yaml', 'an id column whose name says no model: ObjectIds become their UUIDv7 anyway; name the model if any value is not an ObjectId (or to document whose they are)');
}
