import type { MigrationConfig } from '../config/config-schema.ts';
import { createLogger, flushLogger } from '../log/logger.ts';
import { buildErrorReport, formatErrorReport } from '../run/error-report.ts';
import { exportRejected } from '../run/export-rejected.ts';
import { retryFailed } from '../run/retry-failed.ts';
import { formatSummary } from '../run/summary.ts';
import { connectTarget } from '../target/connection.ts';
import { heldWarning, readRunLockHolder } from '../target/run-lock.ts';
import { ensureWritableDir } from '../run/writable-dir.ts';
import { reportFailure, type ConnectionFlags } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';

/** migration:errors' flags, as commander parses them. */
export interface ErrorsFlags extends ConnectionFlags {
  model?: string;
  ids?: boolean;
  json?: boolean;
  retryFailed?: boolean;
}

/** Reports (and with --retry-failed first retries) the rejected records; returns the exit code. */
export async function runErrors(flags: ErrorsFlags, config: MigrationConfig): Promise<number> {
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
