import { dirname, join } from 'node:path';
import type { MigrationConfig } from '../config/config-schema.ts';
import { createLogger, flushLogger } from '../log/logger.ts';
import { formatValidation } from '../validate/format-report.ts';
import { validate } from '../validate/validate.ts';
import { ensureWritableDir } from '../run/writable-dir.ts';
import { reportFailure, type ConnectionFlags } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';

/** validate:migration's flags, as commander parses them. */
export interface ValidateFlags extends ConnectionFlags {
  sample?: number;
  models?: string[];
  report?: string;
}

/** Compares the target with the source and writes the report; returns the exit code. */
export async function runValidate(flags: ValidateFlags, config: MigrationConfig): Promise<number> {
  const reportFile = flags.report ?? join(config.logDir, `validate-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  // Found now, not after the whole comparison ran.
  ensureWritableDir(dirname(reportFile), 'report folder');
  const logger = createLogger({ verbose: flags.verbose === true });
  try {
    const report = await validate({ config, logger, samplePercent: flags.sample ?? 100, reportFile });
    process.stdout.write(`${formatValidation(report)}\n`);
    logger.info(`report: ${reportFile}`);
    if (report.heldBy) logger.warn(report.heldBy);
    return report.ok ? ExitCode.ok : ExitCode.mismatch;
  } catch (error) {
    return reportFailure(error, logger, flags.verbose === true);
  } finally {
    await flushLogger(logger);
  }
}
