import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { guardOutput } from '../log/guard-output.ts';
import type { Logger } from '../log/logger.ts';
import { ConfigError, loadConfig, readConfigLayer, type ConfigLayer } from '../config/load-config.ts';
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
  integrityCheck?: 'quick' | 'full' | 'off';
  config?: string;
  mongoUrl?: string;
  mongoDb?: string;
  dump?: string;
  targetUrl?: string;
  runId?: string;
  verbose?: boolean;
}

/**
 * The shared flags, and commander's own errors (unknown flag, bad value, conflicting flags) made
 * to throw instead of exiting with 1, so runMain exits with the documented usage code.
 */
export function addConnectionOptions(command: Command): Command {
  return command
    .exitOverride()
    .addOption(new Option('--from <kind>', 'source kind (default: sqlite with --sqlite, else mongo)').choices(['mongo', 'sqlite']))
    .option('-c, --config <file>', 'config file (YAML, JSON or TypeScript)')
    .option('--mongo-url <url>', 'live MongoDB to read (env MONGO_URL)')
    .option('--mongo-db <name>', 'database on that server (env MONGO_DB; default: the one in the URL)')
    .option('--dump <dir>', `mongodump folder to read (default with no MONGO_URL: ${SAMPLE_DUMP})`)
    .option('--sqlite <file>', 'SQLite file to read (with --from sqlite)')
    .addOption(new Option('--mode <mode>', 'SQLite: direct (tables from the SQLite schema, keys kept) or schema (onto the Prisma schema, UUIDs)').choices(['direct', 'schema']))
    .option('--schema <file>', 'the target Prisma schema (default prisma/schema.prisma)')
    .option('--time-zone <zone>', 'SQLite: read zone-less date-times in this IANA zone (default UTC)')
    .addOption(new Option('--integrity-check <level>', 'SQLite: what is verified before anything is touched (default quick; full also checks every index)').choices(['quick', 'full', 'off']))
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

/** The options of the run recorded in a target, when the user names only the target (validate). */
export type RecordedOptions = (targetUrl: string, runId: string | undefined) => Promise<ConfigLayer | undefined>;

/**
 * Resolves the configuration: built-in defaults, then the config file, then the environment,
 * then flags; each flag overrides only the setting it names. With `recorded`, a command given
 * no source at all (no flag, no MONGO_URL, no `source:` in the config file) reads the source
 * and mapping options of the run recorded in the target, in place of the built-in sample.
 * Throws ConfigError with every problem named, contradictory flags included.
 */
export async function resolveConfig(flags: ConnectionFlags, extra: ConfigLayer = {}, recorded?: RecordedOptions): Promise<MigrationConfig> {
  const env = process.env;
  const kind = sourceKindOf(flags);
  const mongoUrl = flags.mongoUrl ?? (kind === 'mongo' ? env['MONGO_URL'] : undefined);
  const sqliteLayer = { kind: 'sqlite', path: flags.sqlite, mode: flags.mode, timeZone: flags.timeZone, emitPrisma: flags.emitPrisma, emitZero: flags.emitZero, force: flags.forceRead, integrityCheck: flags.integrityCheck };
  const sqliteNamed = Object.entries(sqliteLayer).some(([key, value]) => key !== 'kind' && value !== undefined);
  const sourceLayer: ConfigLayer =
    kind === 'sqlite'
      ? flags.from !== undefined || sqliteNamed
        ? { source: sqliteLayer }
        : {}
      : flags.dump
        ? { source: { kind: 'mongodump', path: flags.dump } }
        : mongoUrl
          ? { source: { kind: 'mongodb', url: mongoUrl, database: flags.mongoDb ?? env['MONGO_DB'] ?? databaseInUrl(mongoUrl) } }
          : {};
  const defaults: ConfigLayer = kind === 'sqlite' ? {} : { source: { kind: 'mongodump', path: SAMPLE_DUMP } };
  const flagLayer: ConfigLayer = { target: { url: flags.targetUrl ?? env['DATABASE_URL'] }, runId: flags.runId, schema: flags.schema, ...extra };
  const overrides = [sourceLayer, flagLayer];
  const config = await loadConfig(flags.config, { defaults, overrides });
  if (!recorded || config.target.url === undefined) return config;
  const sourceNamed = flags.from !== undefined || Object.keys(sourceLayer).length > 0 || (flags.config !== undefined && 'source' in (await readConfigLayer(flags.config)));
  if (sourceNamed) return config;
  const options = await recorded(config.target.url, config.runId);
  return options ? loadConfig(flags.config, { defaults: options, overrides }) : config;
}

/** `app` of `mongodb://host/app?…`: a URL naming its database overrides the config file's `database`. */
function databaseInUrl(url: string): string | undefined {
  const name = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?#]+)/.exec(url)?.[1];
  return name === undefined ? undefined : decodeURIComponent(name);
}

/**
 * The source kind the flags name: `--from`, else `sqlite` when a SQLite-only flag is given (so
 * `--sqlite FILE` alone never reads the bundled MongoDB sample), else `mongo`. Flags naming two
 * sources at once are refused: whichever one won, the other would be ignored in silence.
 */
function sourceKindOf(flags: ConnectionFlags): 'mongo' | 'sqlite' {
  const sqliteFlags = [
    ['--sqlite', flags.sqlite],
    ['--mode', flags.mode],
    ['--time-zone', flags.timeZone],
    ['--integrity-check', flags.integrityCheck],
    ['--emit-prisma', flags.emitPrisma],
    ['--emit-zero', flags.emitZero],
  ].flatMap(([name, value]) => (value === undefined ? [] : [name]));
  const mongoFlags = [
    ['--dump', flags.dump],
    ['--mongo-url', flags.mongoUrl],
    ['--mongo-db', flags.mongoDb],
  ].flatMap(([name, value]) => (value === undefined ? [] : [name]));
  const kind = flags.from ?? (sqliteFlags.length > 0 ? 'sqlite' : 'mongo');
  if (kind === 'mongo' && sqliteFlags.length > 0) throw new ConfigError(`${sqliteFlags.join(', ')} ${sqliteFlags.length > 1 ? 'are' : 'is'} for a SQLite source, but --from mongo was given`);
  if (kind === 'sqlite' && mongoFlags.length > 0) {
    throw new ConfigError(`${mongoFlags.join(', ')} name${mongoFlags.length > 1 ? '' : 's'} a MongoDB source, but ${flags.from === undefined ? sqliteFlags.join(', ') : '--from sqlite'} names a SQLite one: give one source`);
  }
  if (flags.dump !== undefined && flags.mongoUrl !== undefined) throw new ConfigError('--dump and --mongo-url name two sources: give one');
  return kind;
}

export { ConfigError };

/**
 * The exit code for an error that ended a command: bad input (ConfigError, wherever the library
 * threw it, or commander's usage errors) is 2, anything else 1. --help and --version are
 * commander "errors" with exit code 0.
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  if (error instanceof ConfigError) return ExitCode.usage;
  return ExitCode.failed;
}

/** Logs why a command stopped (the stack too with --verbose, for a failure) and returns its exit code. */
export function reportFailure(error: unknown, logger: Logger, verbose = false): number {
  const code = exitCodeFor(error);
  const text = error instanceof Error ? (verbose && code === ExitCode.failed ? (error.stack ?? error.message) : error.message) : String(error);
  logger.error(text);
  return code;
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
      const code = exitCodeFor(error);
      // commander has already printed its message (and --help its text).
      if (!(error instanceof CommanderError)) process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(code);
    },
  );
}
