import type { Logger } from '../log/logger.ts';
import type { DocumentSampler } from './document-sampler.ts';
import { emptyConfig, printConfig } from './draft-config.ts';
import { gatherFacts } from './field-facts.ts';
import { profileDocuments } from './field-profile.ts';
import { fieldReport } from './field-report.ts';
import { inferSchema } from './infer-schema.ts';
import type { InitDraft, InitOutput } from './init-draft.ts';
import { printSchema } from './print-schema.ts';
import type { SampledCollection } from './sampled-collection.ts';
import { describeSample, type SampleSize } from './sample-size.ts';

export type DocumentSourceSpec = { kind: 'mongodump'; path: string } | { kind: 'mongodb'; url: string; database?: string | undefined };

/**
 * `init --dump` / `--mongo-url`: samples every collection, profiles the fields with
 * mongodb-schema, drafts the schema and the config that runs it, and the field report.
 */
export async function draftFromDocuments(source: DocumentSourceSpec, output: InitOutput, options: { sample: SampleSize; enums: boolean; logger: Logger }): Promise<InitDraft> {
  const started = Date.now();
  const sampler = await openSampler(source);
  try {
    const collections: SampledCollection[] = [];
    for (const collection of await sampler.collections()) {
      const sample = await sampler.sample(collection, options.sample);
      const profile = await profileDocuments(sample.docs);
      collections.push({ collection, total: sample.total, sampled: sample.docs.length, how: sample.how, fields: profile.fields, facts: gatherFacts(sample.docs), indexes: await sampler.indexes(collection) });
      options.logger.info(`${collection}: ${describeSample(sample.docs.length, sample.total)} sampled (${sample.how})`);
    }
    const inference = await inferSchema(collections, (c, ids) => sampler.idsFound(c, ids), { enums: options.enums });
    const when = new Date().toISOString().slice(0, 10);
    const sampled = collections.reduce((n, c) => n + c.sampled, 0);
    const total = collections.reduce((n, c) => n + c.total, 0);
    inference.schema.header = [
      `Drafted by migration:init on ${when} from ${sampler.describe}: ${collections.length} collection(s), ${describeSample(sampled, total)} sampled.`,
      'Review it with fields.md (what was seen) and migration.yaml (what was decided, and the TODOs), then migrate.',
      'Every field comment says what the sample held; the rules are in MIGRATION_README.md, "Starting from a MongoDB database".',
    ];
    const config = emptyConfig(output.schemaPath, sourceBlock(source));
    config.header = [
      `Drafted by migration:init on ${when} from ${sampler.describe}.`,
      `Sampled: ${collections.map((c) => `${c.collection} ${describeSample(c.sampled, c.total)}`).join('; ')}.`,
      'Paths are relative to the folder the tool runs from. Run: migrate -c <this file> --dry-run, then without --dry-run, then validate:migration -c <this file>.',
      "What the sample held is in fields.md and in schema.prisma's comment on each field.",
    ];
    if (source.kind === 'mongodb') config.sourceComment = ['The password is never written here: give the URL with it in MONGO_URL or --mongo-url.'];
    config.models = inference.models;
    config.junctions = inference.junctions;
    config.references = inference.references;
    const notSampled = await sampler.notSampled();
    config.todos = [...inference.todos, ...notSampled.map((n) => `${n.name}: not in the draft: ${n.reason}`)];
    config.settings.push({ key: 'unmappedFields', value: 'warn', comment: 'A source field no column reads is listed at the end of the run (fail: exit 3 instead).' });
    const report = fieldReport(sampler.describe, collections, inference.decisions, notSampled);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    return {
      schema: printSchema(inference.schema),
      config: printConfig(config),
      files: { 'fields.md': report.markdown, 'fields.json': report.json },
      summary: [
        `sampled ${collections.length} collection(s) of ${sampler.describe} in ${seconds} s: ${describeSample(sampled, total)}`,
        `drafted ${inference.schema.models.length} model(s), ${inference.schema.enums.length} enum(s), ${Object.keys(inference.junctions).length} many-to-many table(s)`,
        ...(config.todos.length > 0 ? [`${config.todos.length} TODO(s) to review in migration.yaml:`, ...config.todos.map((t) => `  - ${t}`)] : ['nothing left to decide']),
      ],
    };
  } finally {
    await sampler.close();
  }
}

async function openSampler(source: DocumentSourceSpec): Promise<DocumentSampler> {
  if (source.kind === 'mongodump') return (await import('./dump-sampler.ts')).openDumpSampler(source.path);
  return (await import('./mongo-sampler.ts')).openMongoSampler(source.url, source.database);
}

function sourceBlock(source: DocumentSourceSpec): Record<string, string> {
  if (source.kind === 'mongodump') return { kind: 'mongodump', path: source.path };
  // The URL without its password: masking leaves `****`, which no server accepts, so it is dropped instead.
  const url = new URL(source.url);
  url.password = '';
  return { kind: 'mongodb', url: url.toString(), ...(source.database ? { database: source.database } : {}) };
}

