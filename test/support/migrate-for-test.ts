import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigLayer } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { CheckpointFile } from '../../src/run/checkpoint-file.ts';
import { migrate, type MigrateResult } from '../../src/run/migrate.ts';

export interface TestRun {
  source: ConfigLayer['source'];
  targetUrl: string;
  overrides?: ConfigLayer;
  signal?: AbortSignal;
  force?: boolean;
  dryRun?: boolean;
  restart?: boolean;
  confirm?: boolean;
  resumeFile?: CheckpointFile;
  /** Reuse a work folder (checkpoints, logs) across runs of one scenario. */
  workDir?: string;
  /** Write the run's JSON-lines log here (debug level: coercions included). */
  logFile?: string;
}

/** Runs the real migration in-process, with its checkpoints and logs in a temp folder. */
export async function migrateForTest(run: TestRun): Promise<MigrateResult & { printed: string; workDir: string }> {
  const workDir = run.workDir ?? mkdtempSync(join(tmpdir(), 'migrate-test-'));
  const config = await loadConfig(undefined, {
    overrides: [{ source: run.source, target: { url: run.targetUrl }, checkpointDir: join(workDir, 'checkpoints'), logDir: join(workDir, 'logs') }, run.overrides ?? {}],
  });
  let printed = '';
  const result = await migrate({
    config,
    dryRun: run.dryRun === true,
    force: run.force === true,
    restart: run.restart === true,
    confirm: async () => run.confirm === true,
    ...(run.resumeFile ? { resumeFile: run.resumeFile } : {}),
    signal: run.signal ?? new AbortController().signal,
    logger: createLogger({ quiet: process.env['TEST_VERBOSE'] !== '1', verbose: true, ...(run.logFile ? { file: run.logFile } : {}) }),
    print: (text) => {
      printed += `${text}\n`;
    },
    resumeCommand: 'test',
    interactive: false,
  });
  return { ...result, printed, workDir };
}
