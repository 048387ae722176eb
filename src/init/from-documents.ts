import { ConfigError } from '../config/config-error.ts';
import type { Logger } from '../log/logger.ts';
import type { InitDraft, InitOutput } from './init-draft.ts';
import type { SampleSize } from './sample-size.ts';

export type DocumentSourceSpec = { kind: 'mongodump'; path: string } | { kind: 'mongodb'; url: string; database?: string | undefined };

// Placeholder while the inference is written (replaced in this branch).
export async function draftFromDocuments(source: DocumentSourceSpec, _output: InitOutput, _options: { sample: SampleSize; enums: boolean; logger: Logger }): Promise<InitDraft> {
  throw new ConfigError(`${source.kind}: not available in this build`);
}
