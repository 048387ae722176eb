import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import type { InitDraft, InitOutput } from '../init/init-draft.ts';
import { parseSampleSize, type SampleSize } from '../init/sample-size.ts';
import { createLogger, flushLogger } from '../log/logger.ts';
import { reportFailure } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';

/** migration:init's flags, as commander parses them. */
export interface InitFlags {
  dump?: string;
  mongoUrl?: string;
  mongoDb?: string;
  sqlite?: string;
  prismaMongo?: string;
  out?: string;
  sample: string;
  enums?: boolean;
  compositeTypes: 'json' | 'models';
  force?: boolean;
  verbose?: boolean;
}

/** Drafts the files from the one source given and writes them, refusing to overwrite without --force. */
export async function runInit(flags: InitFlags): Promise<number> {
  const logger = createLogger({ verbose: flags.verbose === true });
  try {
    const mongoUrl = flags.mongoUrl ?? (flags.dump || flags.sqlite || flags.prismaMongo ? undefined : process.env['MONGO_URL']);
    const given = [flags.dump && '--dump', mongoUrl && '--mongo-url', flags.sqlite && '--sqlite', flags.prismaMongo && '--prisma-mongo'].filter(Boolean);
    if (given.length !== 1) throw new ConfigError(given.length === 0 ? 'migration:init needs one of --dump, --mongo-url, --sqlite, --prisma-mongo' : `migration:init takes one source, got ${given.join(' and ')}`);
    if (!flags.out) throw new ConfigError('migration:init needs --out <dir>: the folder for schema.prisma, migration.yaml and the field report');
    const sample: SampleSize = parseSampleSize(flags.sample);
    const output = outputOf(flags.out);
    refuseOverwrite(output, flags.force === true);
    let draft: InitDraft;
    if (flags.prismaMongo) {
      const { draftFromPrismaMongo } = await import('../init/from-prisma-mongo.ts');
      draft = await draftFromPrismaMongo(flags.prismaMongo, output, { compositeTypes: flags.compositeTypes });
    } else if (flags.sqlite) {
      const { draftFromSqlite } = await import('../init/from-sqlite.ts');
      draft = await draftFromSqlite(flags.sqlite, output, { sample });
    } else {
      const { draftFromDocuments } = await import('../init/from-documents.ts');
      const source = flags.dump ? ({ kind: 'mongodump', path: flags.dump } as const) : ({ kind: 'mongodb', url: mongoUrl ?? '', database: flags.mongoDb } as const);
      draft = await draftFromDocuments(source, output, { sample, enums: flags.enums === true, logger });
    }
    mkdirSync(output.dir, { recursive: true });
    writeFileSync(output.schemaPath, draft.schema);
    writeFileSync(output.configPath, draft.config);
    for (const [name, text] of Object.entries(draft.files)) writeFileSync(join(output.dir, name), text);
    const written = [output.schemaPath, output.configPath, ...Object.keys(draft.files).map((n) => join(output.dir, n))];
    process.stdout.write(`${[...draft.summary, '', 'written:', ...written.map((f) => `  ${f}`), '', `next: migrate with -c ${output.configPath} --dry-run, then without --dry-run, then validate:migration -c ${output.configPath}`].join('\n')}\n`);
    return ExitCode.ok;
  } catch (error) {
    return reportFailure(error, logger, flags.verbose === true);
  } finally {
    await flushLogger(logger);
  }
}

function outputOf(dir: string): InitOutput {
  // The config names the schema relative to where the tool runs, as every other path in it.
  const rel = relative(process.cwd(), dir) || '.';
  return { dir, schemaPath: join(rel, 'schema.prisma'), configPath: join(rel, 'migration.yaml') };
}

function refuseOverwrite(output: InitOutput, force: boolean): void {
  if (force) return;
  const present = [output.schemaPath, output.configPath].filter((f) => existsSync(f));
  if (present.length > 0) throw new ConfigError(`${present.join(' and ')} already exist: init does not overwrite a schema or config (yours may hold edits); choose another --out or add --force`);
}
