#!/usr/bin/env node
import { Command } from 'commander';
import { createLogger, flushLogger } from '../log/logger.ts';
import { buildErrorReport, formatErrorReport } from '../run/error-report.ts';
import { exportRejected } from '../run/export-rejected.ts';
import { retryFailed } from '../run/retry-failed.ts';
import { formatSummary } from '../run/summary.ts';
import { connectTarget } from '../target/connection.ts';
import { heldWarning, readRunLockHolder } from '../target/run-lock.ts';
import { ensureWritableDir } from '../run/writable-dir.ts';
import { addConnectionOptions, reportFailure, resolveConfig, runMain, type ConnectionFlags } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';

const program = addConnectionOptions(
  new Command().name('migration:errors').description('Summarise the error log of a migration; --retry-failed re-processes only the rejected records.'),
)
  .option('--model <name>', 'only this model')
  .option('--ids', 'list every failed source id (default: the first 20 per model)')
  .option('--json', 'print the report as JSON')
  .option('--retry-failed', 'read the rejected records again from the source and migrate them with the current transformers')
  .addHelpText('after', '\nUse the same source, target and config flags as the migration. Exit codes: 0 no open rejections, 1 failed, 2 bad usage or config (nothing touched), 3 rejections remain, 5 --retry-failed refused: another run holds the target.');

interface Flags extends ConnectionFlags {
  model?: string;
  ids?: boolean;
  json?: boolean;
  retryFailed?: boolean;
}

async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<Flags>();
  const config = await resolveConfig(flags);
  // --retry-failed rewrites the error log file there at the end.
  if (flags.retryFailed) ensureWritableDir(config.logDir, 'log folder (logDir)');
  const logger = createLogger({ verbose: flags.verbose === true });
  try {
    let runId: string | undefined;
    if (flags.retryFailed) {
      const result = await retryFailed(config, logger);
      if (result.status === 'refused') {
        logger.error(result.message);
        return ExitCode.refused;
      }
      runId = result.runId;
      logger.info(`retried ${result.retried}: ${result.fixed} now in the target, ${result.stillRejected} rejected again${result.missing ? `, ${result.missing} no longer in the source` : ''}`);
      process.stdout.write(`${formatSummary(result.summary)}\n`);
    }
    const target = await connectTarget(config.target.url);
    try {
      // Reading is allowed while a run writes; the reader is told the numbers are moving.
      const holder = await readRunLockHolder(target.pool);
      if (holder) logger.warn(heldWarning(holder));
      const report = await buildErrorReport(target.pool, flags.model);
      process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatErrorReport(report, flags.ids === true)}\n`);
      if (runId) logger.info(`error log rewritten: ${await exportRejected(target.pool, runId, config.logDir)}`);
      return report.open === 0 ? ExitCode.ok : ExitCode.mismatch;
    } finally {
      await target.close();
    }
  } catch (error) {
    return reportFailure(error, logger, flags.verbose === true);
  } finally {
    await flushLogger(logger);
  }
}

runMain(main);
