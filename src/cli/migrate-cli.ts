#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { failsPolicy } from '../accounting/field-accounting.ts';
import { createLogger, flushLogger } from '../log/logger.ts';
import { readCheckpointFile, type CheckpointFile } from '../run/checkpoint-file.ts';
import { migrate } from '../run/migrate.ts';
import { ensureWritableDir } from '../run/writable-dir.ts';
import { addConnectionOptions, Option, positiveInt, reportFailure, resolveConfig, runMain, type ConnectionFlags } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';
import { resumeCommand } from './resume-command.ts';
import { installPauseSignals } from './signals.ts';

const program = addConnectionOptions(
  new Command().name('migrate').description('Migrate MongoDB (live or a mongodump folder) or SQLite into PostgreSQL, driven by the Prisma schema.'),
)
  .option('--dry-run', 'print the plan and the DDL; touch nothing')
  .option('--models <list>', 'only these models, comma-separated', (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--batch-size <n>', 'documents per batch and transaction (default 1000)', positiveInt)
  .option('--parallelism <n>', 'models loading at once inside a phase, and index builds at once after the load (default 2)', positiveInt)
  .addOption(new Option('--writer <name>', 'how rows are written (default copy)').choices(['copy', 'prisma']))
  .option('--resume <file>', 'resume the run of this checkpoint file (runs are also found automatically)')
  .addOption(new Option('--restart', 'empty what the migrator loaded and start over (asks first)').conflicts('resume'))
  .option('-y, --yes', 'answer yes to --restart confirmation (for scripts)')
  .option('--max-rejected <n|percent>', 'above this many rejected records (50) or share of the source (1%, the default) the run ends with exit 3')
  .option('--force', 'resume even if the config, schema, source or target changed; read a SQLite file another process is writing')
  .addHelpText(
    'after',
    `
Environment: DATABASE_URL, MONGO_URL, MONGO_DB (flags win over the environment, the environment over the config file).
Exit codes: 0 done, 1 failed (checkpoint kept), 2 bad usage or config (nothing touched),
  3 finished but not vouched for (more rejected than --max-rejected, counts do not add up, the source
  changed under the run, or a field is left behind with unmappedFields: fail), 4 paused,
  5 refused (another run holds the target, or the run or its source changed since it started: see --force).
Ctrl-C, SIGTERM or SIGHUP finishes the batch in flight and pauses (a second Ctrl-C, a second later, exits
at once); run the same command again to resume.`,
  );

interface Flags extends ConnectionFlags {
  dryRun?: boolean;
  models?: string[];
  batchSize?: number;
  parallelism?: number;
  writer?: 'copy' | 'prisma';
  resume?: string;
  restart?: boolean;
  yes?: boolean;
  force?: boolean;
  maxRejected?: string;
}

async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<Flags>();
  if (flags.force) flags.forceRead = true;
  // Bad input throws ConfigError here (runMain exits 2) before a log file or the target exists.
  const config = await resolveConfig(flags, { batchSize: flags.batchSize, parallelism: flags.parallelism, writer: flags.writer, only: flags.models, maxRejected: flags.maxRejected });
  const resumeFile: CheckpointFile | undefined = flags.resume ? readCheckpointFile(flags.resume) : undefined;
  if (!flags.dryRun) ensureWritableDir(config.logDir, 'log folder (logDir)');

  const logFile = join(config.logDir, `migrate-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  const logger = createLogger({ verbose: flags.verbose === true, file: flags.dryRun ? undefined : logFile });
  const controller = new AbortController();
  installPauseSignals({
    pause(signal) {
      logger.warn(`${signal}: finishing the batch in flight, then pausing (press Ctrl-C again to exit at once; that is safe too)`);
      controller.abort(new Error(`interrupted by ${signal}`));
    },
    exitNow(signal) {
      // Safe: the open batch transaction dies with the connection and rolls back.
      process.stderr.write(`\n${signal} again: exiting now; the last committed batch is the checkpoint\n`);
      process.exit(ExitCode.paused);
    },
    duplicate(signal, afterMs) {
      logger.debug(`${signal} again after ${afterMs} ms: the same stop request (npm forwards the terminal's signal), ignored`);
    },
  });

  try {
    const result = await migrate({
      config,
      dryRun: flags.dryRun === true,
      force: flags.force === true,
      restart: flags.restart === true,
      resumeFile,
      confirm: (question) => confirm(question, flags.yes === true),
      signal: controller.signal,
      logger,
      print: (t) => process.stdout.write(`${t}\n`),
      resumeCommand: resumeCommand({ argv: process.argv, env: process.env, cwd: process.cwd(), config }),
    });
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
        if (result.summary && !result.summary.balanced) logger.error('some counts do not add up: see the MISMATCH rows and the reason above; validate:migration names the documents that differ');
        if (result.summary && result.summary.sourceChanged.length > 0) {
          logger.error(`the source changed under this run, so the tool cannot vouch for the result:${result.summary.sourceChanged.map((c) => `\n    ${c}`).join('')}`);
        }
        if (result.summary?.rejectedLimit?.exceeded) logger.error(`${result.summary.rejectedLimit.message}: every record is in the target or the error log, but the tool cannot vouch for the result`);
        // With unmappedFields: fail, a field read by nothing is a result the tool cannot vouch for (logged with the summary).
        const unvouched = result.summary && (!result.summary.balanced || result.summary.sourceChanged.length > 0 || result.summary.rejectedLimit?.exceeded === true || (result.summary.fields !== undefined && failsPolicy(result.summary.fields)));
        return unvouched ? ExitCode.mismatch : ExitCode.ok;
    }
  } catch (error) {
    return reportFailure(error, logger, flags.verbose === true);
  } finally {
    await flushLogger(logger);
  }
}

async function confirm(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    process.stderr.write(`${question}\nno terminal to ask on: pass --yes to confirm\n`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

runMain(main);
