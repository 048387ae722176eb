import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/config-error.ts';
import { guardOutput } from '../log/guard-output.ts';
import type { Logger } from '../log/logger.ts';
import { ExitCode } from './exit-codes.ts';
import { refuseStaleBuild } from './fresh-build.ts';
import { PACKAGE_ROOT } from './package-root.ts';

// This module and the CLI files' own imports are all a command loads before its flags are parsed:
// --help, --version and a usage error answer without the drivers, the WASM engines or winston.

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

/** An ISO time for --since (and, where `also` names it, that word), or commander's usage error. */
export function isoTimeOption<W extends string>(also?: W): (value: string) => Date | W {
  const hint = `must be an ISO time, e.g. 2026-01-31T12:00:00Z${also ? `, or '${also}'` : ''}`;
  return (value) => {
    if (also !== undefined && value === also) return also;
    if (!/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(value)) throw new InvalidArgumentError(hint);
    const time = new Date(value);
    if (Number.isNaN(time.getTime())) throw new InvalidArgumentError(hint);
    return time;
  };
}

/**
 * The shared flags, and commander's own errors (unknown flag, bad value, conflicting flags) made
 * to throw instead of exiting with 1, so runMain exits with the documented usage code.
 */
export function addConnectionOptions(command: Command): Command {
  return command
    .exitOverride()
    .version(packageVersion(), '-V, --version')
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

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name?: string; version?: string };
  return `${pkg.name ?? 'prisma-pg-migrator'} ${pkg.version ?? ''}`.trim();
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export { Option };

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
 * Everything the command prints from here on has its passwords masked. A compiled command whose
 * build is older than its sources refuses to start (fresh-build.ts).
 */
export function runMain(main: () => Promise<number>): void {
  refuseStaleBuild();
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
