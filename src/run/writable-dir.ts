import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/load-config.ts';

/**
 * Makes sure the run can write into `dir` (creating it), before anything else is touched: a
 * checkpoint or log folder found unwritable only after the tables were created would leave a
 * half-started target behind. A probe file is written and removed, rather than asking
 * access(W_OK), which says yes to root whatever the mode bits and knows nothing of read-only
 * mounts. Throws ConfigError (exit 2) naming the folder and the config key.
 */
export function ensureWritableDir(dir: string, what: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new ConfigError(`${what} ${dir} is not writable (${code})`);
  }
}
