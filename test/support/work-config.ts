import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A config file keeping every file the CLI writes (checkpoints, logs) in a test's own temp folder `work`. */
export function workConfigFile(work: string, name: string, settings: Record<string, unknown> = {}): string {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify({ checkpointDir: join(work, name, 'checkpoints'), logDir: join(work, name, 'logs'), ...settings }));
  return file;
}
