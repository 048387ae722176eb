#!/usr/bin/env node
import { Command, Option } from 'commander';
import { packageVersion, runMain } from './common-options.ts';
import type { InitFlags } from './init-command.ts';

const program = new Command()
  .name('migration:init')
  .description('Draft the PostgreSQL Prisma schema and the config of a first run: from a MongoDB dump or server (sampled), from a Prisma MongoDB schema, or from a SQLite file.')
  .exitOverride()
  .version(packageVersion(), '-V, --version')
  .option('--dump <dir>', 'mongodump folder to sample')
  .option('--mongo-url <url>', 'live MongoDB to sample (env MONGO_URL)')
  .option('--mongo-db <name>', 'database on that server (default: the one in the URL)')
  .option('--sqlite <file>', 'SQLite file: the schema of its direct copy')
  .option('--prisma-mongo <file>', 'a Prisma schema with provider "mongodb": converted to PostgreSQL')
  .option('--out <dir>', 'folder for schema.prisma, migration.yaml and the field report (required)')
  .option('--sample <size>', 'documents sampled per collection: a count (1000) or a share (5%)', '1000')
  .option('--enums', 'propose enums for small closed sets of strings (off by default)')
  .addOption(new Option('--composite-types <as>', '--prisma-mongo: composite types become Json columns or child models').choices(['json', 'models']).default('json'))
  .option('--force', 'overwrite files already in --out')
  .option('-v, --verbose', 'debug logging on the console')
  .addHelpText('after', '\nExactly one of --dump, --mongo-url, --sqlite, --prisma-mongo. Then: migrate with -c <out>/migration.yaml, and validate:migration with the same flags.\nExit codes: 0 written, 1 failed, 2 bad usage or input (nothing written).');

async function main(): Promise<number> {
  program.parse();
  const { runInit } = await import('./init-command.ts');
  return runInit(program.opts<InitFlags>());
}

runMain(main);
