import { join } from 'node:path';
import type { BenchMode } from './bench-mode.ts';
import { runTool } from './tool-run.ts';

/** The schema-mode target: the bench file's 7 tables with UUID keys, and the config for its id column. */
export const BENCH_PRISMA = 'scripts/bench/bench-sqlite.prisma';
export const BENCH_CONFIG = 'scripts/bench/bench-sqlite.migration.yaml';

/** A direct copy of the bench file (tables made from the SQLite schema, keys kept), with these settings on top. */
function directCopy(name: string, label: string, settings?: Record<string, unknown>): BenchMode {
  return {
    name,
    label,
    family: 'sqlite',
    unavailable: () => undefined,
    run: (ctx, round) => runTool(ctx, { script: 'migrate:sqlite-to-postgres', mode: name, round, args: ['--sqlite', ctx.sqliteFile], ...(settings ? { settings } : {}), check: 'sqlite-rows' }),
  };
}

/** This tool, SQLite direct mode. */
export const directMode = directCopy('direct', 'this tool, SQLite direct');

/** The same in one thread (`workers: off`): what the worker threads add, measured in the same run. */
export const directOneThreadMode = directCopy('direct-1t', 'this tool, SQLite direct, one thread (workers: off)', { workers: 'off' });

/** This tool, SQLite schema mode onto a UUID Prisma schema: integer keys → UUIDv5, foreign keys rewritten, id map kept. */
export const schemaMode: BenchMode = {
  name: 'schema',
  label: 'this tool, SQLite schema (UUID ids)',
  family: 'sqlite',
  unavailable: () => undefined,
  run: (ctx, round) =>
    runTool(ctx, {
      script: 'migrate:sqlite-to-postgres',
      mode: 'schema',
      round,
      args: ['--sqlite', ctx.sqliteFile, '--mode', 'schema', '--schema', join(ctx.root, BENCH_PRISMA)],
      configFile: join(ctx.root, BENCH_CONFIG),
      check: 'sqlite-rows',
    }),
};

/** This tool, the bundled sample app as a mongodump folder at `--scale`, onto prisma/schema.prisma. */
export const mongodumpMode: BenchMode = {
  name: 'mongodump',
  label: 'this tool, mongodump sample',
  family: 'mongo',
  unavailable: () => undefined,
  run: (ctx, round) => runTool(ctx, { script: 'migrate:mongo-to-postgres', mode: 'mongodump', round, args: ['--dump', ctx.dumpDir], check: 'tool-balance' }),
};
