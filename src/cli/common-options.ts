import { Command, InvalidArgumentError, Option } from 'commander';
import { guardOutput } from '../log/guard-output.ts';
import { ConfigError, loadConfig, type ConfigLayer } from '../config/load-config.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import { ExitCode } from './exit-codes.ts';

/** The bundled sample: a mongodump folder made by `npm run sample:generate`. */
export const SAMPLE_DUMP = 'sample/mongodump';

/** Flags every command shares: where the source and target are, and the config file. */
export interface ConnectionFlags {
  from?: 'mongo' | 'sqlite';
  sqlite?: string;
  mode?: 'direct' | 'schema';
  schema?: string;
  timeZone?: string;
  emitPrisma?: string;
  emitZero?: string;
  forceRead?: boolean;
  config?: string;
  mongoUrl?: string;
  mongoDb?: string;
  dump?: string;
  targetUrl?: string;
  runId?: string;
  verbose?: boolean;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--from <kind>', 'source kind').choices(['mongo', 'sqlite']).default('mongo'))
    .option('-c, --config <file>', 'config file (YAML, JSON or TypeScript)')
    .option('--mongo-url <url>', 'live MongoDB to read (env MONGO_URL)')
    .option('--mongo-db <name>', 'database on that server (env MONGO_DB; default: the one in the URL)')
    .option('--dump <dir>', `mongodump folder to read (default with no MONGO_URL: ${SAMPLE_DUMP})`)
    .option('--sqlite <file>', 'SQLite file to read (with --from sqlite)')
    .addOption(new Option('--mode <mode>', 'SQLite: direct (tables from the SQLite schema, keys kept) or schema (onto the Prisma schema, UUIDs)').choices(['direct', 'schema']))
    .option('--schema <file>', 'the target Prisma schema (default prisma/schema.prisma)')
    .option('--time-zone <zone>', 'SQLite: read zone-less date-times in this IANA zone (default UTC)')
    .option('--emit-prisma <file>', 'SQLite direct copy: write the Prisma schema of the result here')
    .option('--emit-zero <file>', 'SQLite direct copy: write a Zero schema of the result here')
    .option('--target-url <url>', 'PostgreSQL to write (env DATABASE_URL; default: embedded PostgreSQL)')
    .option('--run-id <name>', 'name of the run (default: derived from source and target)')
    .option('-v, --verbose', 'debug logging on the console');
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export { Option };

/**
 * Resolves the configuration: built-in defaults, then the config file, then the environment,
 * then flags. Throws ConfigError with every problem named.
 */
export async function resolveConfig(flags: ConnectionFlags, extra: ConfigLayer = {}): Promise<MigrationConfig> {
  const env = process.env;
  const mongoUrl = flags.mongoUrl ?? env['MONGO_URL'];
  const sqlite = flags.from === 'sqlite';
  const sourceLayer: ConfigLayer = sqlite
    ? flags.sqlite
      ? { source: { kind: 'sqlite', path: flags.sqlite, mode: flags.mode, timeZone: flags.timeZone, emitPrisma: flags.emitPrisma, emitZero: flags.emitZero, force: flags.forceRead } }
      : {}
    : flags.dump
      ? { source: { kind: 'mongodump', path: flags.dump } }
      : mongoUrl
        ? { source: { kind: 'mongodb', url: mongoUrl, database: flags.mongoDb ?? env['MONGO_DB'] } }
        : {};
  const defaults: ConfigLayer = sqlite ? {} : { source: { kind: 'mongodump', path: SAMPLE_DUMP } };
  const flagLayer: ConfigLayer = { target: { url: flags.targetUrl ?? env['DATABASE_URL'] }, runId: flags.runId, schema: flags.schema, ...extra };
  return loadConfig(flags.config, { defaults, overrides: [sourceLayer, flagLayer] });
}

export { ConfigError };

/** The configuration, or the usage exit code after printing what is wrong with it. */
export async function configOrUsage(flags: ConnectionFlags, extra: ConfigLayer = {}): Promise<MigrationConfig | number> {
  try {
    return await resolveConfig(flags, extra);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return ExitCode.usage;
  }
}

/**
 * Runs a command's main and exits with its code; the library never calls process.exit.
 * Everything the command prints from here on has its passwords masked.
 */
export function runMain(main: () => Promise<number>): void {
  guardOutput();
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(ExitCode.failed);
    },
  );
}
