import type { MigrationConfig } from '../config/config-schema.ts';
import { createLogger, flushLogger } from '../log/logger.ts';
import { flagsRunId } from '../run/flags-run-id.ts';
import { formatStatus } from '../run/format-status.ts';
import { readRunStatus } from '../run/run-status.ts';
import { statusReportSchema } from '../run/status-report.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../target/embedded-postgres.ts';
import { reportFailure, type ConnectionFlags } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';

/** migration:status' flags, as commander parses them. */
export interface StatusFlags extends ConnectionFlags {
  json?: boolean;
}

/**
 * Prints where a run stands, read from the target and the checkpoint folder; returns the exit
 * code: 0 reported, 3 no migration state in the target, 2 bad usage, 1 failure.
 */
export async function runStatus(flags: StatusFlags, config: MigrationConfig): Promise<number> {
  const logger = createLogger({ verbose: flags.verbose === true });
  let embedded: EmbeddedServer | undefined;
  try {
    if (!config.target.url) embedded = await startEmbeddedPostgres();
    const url = config.target.url ?? embedded?.url ?? '';
    const result = await readRunStatus({ url, checkpointDir: config.checkpointDir, ...(config.runId === undefined ? {} : { runId: config.runId }), ...optional(flagsRunId(config, url)) });
    if (result.kind === 'empty') {
      logger.error(`no migration state in this target (database ${result.database}): no run of this tool has started here`);
      return ExitCode.mismatch;
    }
    // The shape --json promises, checked on the way out.
    const report = statusReportSchema.parse(result.report);
    process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatStatus(report)}\n`);
    return ExitCode.ok;
  } catch (error) {
    return reportFailure(error, logger, flags.verbose === true);
  } finally {
    await embedded?.stop();
    await flushLogger(logger);
  }
}

function optional(flagsRun: string | undefined): { flagsRunId?: string } {
  return flagsRun === undefined ? {} : { flagsRunId: flagsRun };
}
