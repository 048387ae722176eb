import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { failsPolicy } from '../accounting/field-accounting.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import { createLogger, flushLogger } from '../log/logger.ts';
import { readCheckpointFile, type CheckpointFile } from '../run/checkpoint-file.ts';
import { migrate } from '../run/migrate.ts';
import { ensureWritableDir } from '../run/writable-dir.ts';
import { reportFailure, type ConnectionFlags } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';
import { resumeCommand } from './resume-command.ts';
import { installPauseSignals } from './signals.ts';

/** migrate's flags, as commander parses them. */
export interface MigrateFlags extends ConnectionFlags {
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

/** Runs the migration the flags and the resolved config describe; returns the exit code. */
export async function runMigrate(flags: MigrateFlags, config: MigrationConfig): Promise<number> {
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
