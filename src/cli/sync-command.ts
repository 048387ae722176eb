import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MigrationConfig } from '../config/config-schema.ts';
import { createLogger, flushLogger } from '../log/logger.ts';
import { maskDeep } from '../log/mask.ts';
import { ensureWritableDir } from '../run/writable-dir.ts';
import { formatSync } from '../sync/format-sync.ts';
import { sync } from '../sync/sync.ts';
import { reportFailure, type ConnectionFlags } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';
import { installPauseSignals } from './signals.ts';

/** migration:sync's flags, as commander parses them. */
export interface SyncFlags extends ConnectionFlags {
  since?: Date | 'last';
  restart?: boolean;
  maxRejected?: string;
  json?: boolean;
  out?: string;
}

/** Applies the difference between source and target; returns the exit code. */
export async function runSync(flags: SyncFlags, config: MigrationConfig): Promise<number> {
  if (flags.out) ensureWritableDir(dirname(flags.out), 'output folder');
  // Found now, not when the error log is written at the end.
  ensureWritableDir(config.logDir, 'log folder (logDir)');
  const logger = createLogger({ verbose: flags.verbose === true, file: join(config.logDir, `sync-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`) });
  const controller = new AbortController();
  installPauseSignals({
    pause(signal) {
      logger.warn(`${signal}: finishing the batch in flight, then pausing (Ctrl-C again exits at once; that is safe too)`);
      controller.abort(new Error(`interrupted by ${signal}`));
    },
    exitNow(signal) {
      // Safe: the open batch's transaction dies with the connection; the next sync goes on from what committed.
      process.stderr.write(`\n${signal} again: exiting now; run the same command to go on\n`);
      process.exit(ExitCode.paused);
    },
    duplicate() {},
  });
  try {
    const result = await sync({ config, logger, ...(flags.since ? { since: flags.since } : {}), restart: flags.restart === true, signal: controller.signal });
    if (result.status !== 'done') {
      logger.warn(result.message);
      return result.status === 'paused' ? ExitCode.paused : ExitCode.refused;
    }
    const { report } = result;
    process.stdout.write(`${flags.json ? JSON.stringify(maskDeep(report), null, 2) : formatSync(report)}\n`);
    if (flags.out) writeFileSync(flags.out, `${JSON.stringify(maskDeep(report), null, 2)}\n`);
    if (report.models.some((m) => m.openRejections > 0)) logger.info(`rejected records: ${report.rejectedFile} (npm run migration:errors to review)`);
    if (report.rejectedLimit.exceeded) logger.error(`${report.rejectedLimit.message}: every record is in the target or the error log, but the tool cannot vouch for the result (npm run migration:errors)`);
    return report.balanced && !report.rejectedLimit.exceeded ? ExitCode.ok : ExitCode.mismatch;
  } catch (error) {
    return reportFailure(error, logger, flags.verbose === true);
  } finally {
    await flushLogger(logger);
  }
}
