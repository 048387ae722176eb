import { ConfigError } from '../config/config-error.ts';
import type { InitDraft, InitOutput } from './init-draft.ts';

// Placeholder while the conversion is being written in its own branch (replaced there).
export async function draftFromPrismaMongo(file: string, _output: InitOutput, _options: { compositeTypes: 'json' | 'models' }): Promise<InitDraft> {
  throw new ConfigError(`--prisma-mongo ${file}: not available in this build`);
}
