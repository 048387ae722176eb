#!/usr/bin/env node
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, type ConfigLayer } from '../config/load-config.ts';
import { createLogger, flushLogger } from '../log/logger.ts';
import { migrate } from '../run/migrate.ts';
import { ExitCode } from './exit-codes.ts';

/** The bundled sample: a mongodump folder made by `npm run sample:generate`. */
const SAMPLE_DUMP = 'sample/mongodump';

const program = new Command()
  .name('migrate')
  .description('Migrate MongoDB (live or a mongodump folder) into PostgreSQL through the Prisma schema.')
  .addOption(new Option('--from <kind>', 'source kind').choices(['mongo', 'sqlite']).default('mongo'))
  .option('-c, --config <file>', 'config file (YAML, JSON or TypeScript)')
  .option('--mongo-url <url>', 'live MongoDB to read (env MONGO_URL)')
  .option('--mongo-db <name>', 'database on that server (env MONGO_DB; default: the one in the URL)')
  .option('--dump <dir>', `mongodump folder to read (default with no MONGO_URL: ${SAMPLE_DUMP})`)
  .option('--target-url <url>', 'PostgreSQL to write (env DATABASE_URL; default: embedded PostgreSQL)')
  .option('--dry-run', 'print the plan and the DDL; touch nothing')
  .option('--models <list>', 'only these models, comma-separated', (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--batch-size <n>', 'documents per batch and transaction (default 1000)', positiveInt)
  .option('--parallelism <n>', 'models loading at once inside a phase (default 2)', positiveInt)
  .addOption(new Option('--writer <name>', 'how rows are written').choices(['copy', 'prisma']))
  .option('--run-id <name>', 'name of the run (default: derived from source and target)')
  .option('--force', 'resume even if the config, schema, source or target changed')
  .option('-v, --verbose', 'debug logging on the console')
  .addHelpText(
    'after',
    `
Environment: DATABASE_URL, MONGO_URL, MONGO_DB (flags win over the environment, the environment over the config file).
Exit codes: 0 done, 1 failed (checkpoint kept), 2 bad usage/config, 3 counts do not add up, 4 paused, 5 resume refused.
Ctrl-C finishes the batch in flight and pauses; run the same command again to resume.`,
  );

interface Flags {
  from: 'mongo' | 'sqlite';
  config?: string;
  mongoUrl?: string;
  mongoDb?: string;
  dump?: string;
  targetUrl?: string;
  dryRun?: boolean;
  models?: string[];
  batchSize?: number;
  parallelism?: number;
  writer?: 'copy' | 'prisma';
  runId?: string;
  force?: boolean;
  verbose?: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<Flags>();
  const env = process.env;
  const mongoUrl = flags.mongoUrl ?? env['MONGO_URL'];
  const sourceLayer: ConfigLayer = flags.dump
    ? { source: { kind: 'mongodump', path: flags.dump } }
    : mongoUrl
      ? { source: { kind: 'mongodb', url: mongoUrl, database: flags.mongoDb ?? env['MONGO_DB'] } }
      : {};
  const defaults: ConfigLayer = { source: { kind: 'mongodump', path: SAMPLE_DUMP } };
  const flagLayer: ConfigLayer = {
    target: { url: flags.targetUrl ?? env['DATABASE_URL'] },
    batchSize: flags.batchSize,
    parallelism: flags.parallelism,
    writer: flags.writer,
    only: flags.models,
    runId: flags.runId,
  };
  let config;
  try {
    config = await loadConfig(flags.config, { defaults, overrides: [sourceLayer, flagLayer] });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return ExitCode.usage;
    }
    throw error;
  }

  const logFile = join(config.logDir, `migrate-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  const logger = createLogger({ verbose: flags.verbose === true, file: flags.dryRun ? undefined : logFile });
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      // Safe: the open batch transaction dies with the connection and rolls back.
      process.stderr.write(`\n${signal} again: exiting now; the last committed batch is the checkpoint\n`);
      process.exit(ExitCode.paused);
    }
    logger.warn(`${signal}: finishing the batch in flight, then pausing (press Ctrl-C again to exit at once; that is safe too)`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const script = env['npm_lifecycle_event'];
  const args = process.argv.slice(2).join(' ');
  const resumeCommand = script ? `npm run ${script}${args ? ` -- ${args}` : ''}` : `migrate ${args}`;
  try {
    const result = await migrate({ config, dryRun: flags.dryRun === true, force: flags.force === true, signal: controller.signal, logger, print: (t) => process.stdout.write(`${t}\n`), resumeCommand });
    if (!flags.dryRun) logger.info(`log: ${logFile}`);
    switch (result.status) {
      case 'planned':
        return ExitCode.ok;
      case 'paused':
        return ExitCode.paused;
      case 'refused':
        logger.error(result.message ?? 'refused');
        return ExitCode.refused;
      case 'completed':
        if (result.summary && !result.summary.balanced) {
          logger.error('some counts do not add up: see the MISMATCH rows above');
          return ExitCode.mismatch;
        }
        return ExitCode.ok;
    }
  } catch (error) {
    logger.error(error instanceof Error ? (flags.verbose ? (error.stack ?? error.message) : error.message) : String(error));
    return ExitCode.failed;
  } finally {
    await flushLogger(logger);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(ExitCode.failed);
  },
);
