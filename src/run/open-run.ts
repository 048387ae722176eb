import type { Logger } from '../log/logger.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { Source } from '../sources/source.ts';
import type { CheckpointFile } from './checkpoint-file.ts';
import { RunState, type ProgressRow } from './run-state.ts';

export interface OpenRunInput {
  state: RunState;
  configHash: string;
  source: Source;
  target: string;
  plans: readonly ModelPlan[];
  force: boolean;
  /** The checkpoint file named with --resume, if any. */
  resumeFile: CheckpointFile | undefined;
  /** Collection → record count, taken before the target was touched (STEP 1). */
  counts: ReadonlyMap<string, number>;
  logger: Logger;
}

export type OpenRun = { kind: 'new' | 'resumed' | 'completed' } | { kind: 'refused'; message: string };

/**
 * Finds the run in the target (the authoritative checkpoint) or starts it. A resume is
 * refused when the config, schema, source or target changed, unless forced. A checkpoint
 * file that disagrees with the database loses: it is rewritten from the database afterwards.
 */
export async function openRun(input: OpenRunInput): Promise<OpenRun> {
  const { state, logger } = input;
  const existing = await state.get();
  const file = input.resumeFile;
  if (file) {
    const moved = [file.source !== input.source.identity ? `source was ${file.source}, now ${input.source.identity}` : '', file.target !== input.target ? `target was ${file.target}, now ${input.target}` : ''].filter(Boolean);
    if (moved.length > 0 && !input.force) return { kind: 'refused', message: `checkpoint ${file.runId} belongs to another ${moved.join('; ')}; pass --force to resume anyway` };
    if (!existing) return { kind: 'refused', message: `the target holds no run ${file.runId}: the checkpoint file is from another database (or the run was restarted)` };
  }
  if (existing) {
    if (existing.config_hash !== input.configHash && !input.force) {
      return { kind: 'refused', message: `run ${state.runId} was started with another configuration, schema, source or target; resume with --force, or start over with --restart` };
    }
    if (file) reportDisagreement(file, await state.progress(), logger);
    if (existing.status === 'completed') return { kind: 'completed' };
    logger.info(`        resuming run ${state.runId} (${existing.status} in phase ${existing.phase})`);
    return { kind: 'resumed' };
  }
  const counts = await Promise.all(input.plans.map(async (p) => ({ model: p.model, collection: p.collection, count: input.counts.get(p.collection) ?? (await input.source.count(p.collection)) })));
  await state.create(input.configHash, input.source.identity, input.target, counts);
  return { kind: 'new' };
}

function reportDisagreement(file: CheckpointFile, progress: readonly ProgressRow[], logger: Logger): void {
  for (const row of progress) {
    const mirrored = file.models[row.model];
    const same = mirrored && JSON.stringify(mirrored.cursor) === JSON.stringify(row.cursor) && mirrored.written === row.written && mirrored.rejected === row.rejected;
    if (!same) {
      logger.warn(`        ${row.model}: the checkpoint file says ${mirrored ? `${mirrored.written} written at ${JSON.stringify(mirrored.cursor)}` : 'nothing'}, the database says ${row.written} at ${JSON.stringify(row.cursor)}; the database wins and the file is rewritten`);
    }
  }
}
