import { dirname } from 'node:path';
import type { MigrationConfig } from '../config/config-schema.ts';
import { createLogger, flushLogger } from '../log/logger.ts';
import { maskDeep } from '../log/mask.ts';
import { baseline } from '../baseline/baseline.ts';
import { formatBaseline } from '../baseline/format-baseline.ts';
import { ensureWritableDir } from '../run/writable-dir.ts';
import { reportFailure, type ConnectionFlags } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';

/** migration:baseline's flags, as commander parses them. */
export interface BaselineFlags extends ConnectionFlags {
  since?: Date;
  models?: string[];
  json?: boolean;
  out?: string;
}

/** Compares source and target read-only and prints the difference; returns the exit code. */
export async function runBaseline(flags: BaselineFlags, config: MigrationConfig): Promise<number> {
  // Found now, not after the whole comparison ran.
  if (flags.out) ensureWritableDir(dirname(flags.out), 'output folder');
  const logger = createLogger({ verbose: flags.verbose === true });
  try {
    const report = await baseline({ config, logger, ...(flags.since ? { since: flags.since } : {}), ...(flags.out ? { outFile: flags.out } : {}) });
    process.stdout.write(`${flags.json ? JSON.stringify(maskDeep(report), null, 2) : formatBaseline(report)}\n`);
    if (flags.out) logger.info(`report: ${flags.out}`);
    if (report.heldBy) logger.warn(report.heldBy);
    return report.same ? ExitCode.ok : ExitCode.mismatch;
  } catch (error) {
    return reportFailure(error, logger, flags.verbose === true);
  } finally {
    await flushLogger(logger);
  }
}
