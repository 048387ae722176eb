import { ConfigError } from '../config/config-error.ts';
import type { InitDraft, InitOutput } from './init-draft.ts';

// Placeholder while the conversion is being written in its own branch (replaced there).
export async function draftFromSqlite(file: string, _output: InitOutput): Promise<InitDraft> {
  throw new ConfigError(`--sqlite ${file}: not available in this build`);
}
