import type { Logger } from '../log/logger.ts';
import type { ModelPlan } from '../plan/plan.ts';
import { compareFingerprints, sourceFingerprintSchema, type SourceFingerprint } from '../sources/source-fingerprint.ts';
import type { Source } from '../sources/source.ts';
import type { CheckpointFile } from './checkpoint-file.ts';
import { RunState, type ProgressRow } from './run-state.ts';
import { sourceCollections } from './source-changes.ts';

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

/** `fingerprint` is the source as this session found it: the end of the run compares with it. */
export type OpenRun = { kind: 'new' | 'resumed' | 'completed'; fingerprint: SourceFingerprint } | { kind: 'refused'; message: string };

/**
 * Finds the run in the target (the authoritative checkpoint) or starts it. A resume is
 * refused when the config, schema, source or target changed, unless forced; so is a resume
 * (or a re-run of a completed run) on a source whose content changed since it was read: the
 * cursors and counts of such a run no longer describe it. A checkpoint file that disagrees
 * with the database loses: it is rewritten from the database afterwards.
 */
export async function openRun(input: OpenRunInput): Promise<OpenRun> {
  const { state, logger } = input;
  const collections = sourceCollections(input.plans);
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
    const fingerprint = await input.source.fingerprint(collections);
    const refusal = await checkSource(input, existing.source_fingerprint, fingerprint, existing.status === 'completed');
    if (refusal) return { kind: 'refused', message: refusal };
    if (file) reportDisagreement(file, await state.progress(), logger);
    if (existing.status === 'completed') return { kind: 'completed', fingerprint };
    logger.info(`        resuming run ${state.runId} (${existing.status} in phase ${existing.phase})`);
    return { kind: 'resumed', fingerprint };
  }
  // The counts were taken in STEP 1, before the target was touched; a write since then shows
  // in the counts (read ≠ source) or as a change at the end of the run.
  const fingerprint = await input.source.fingerprint(collections);
  const counts = await Promise.all(input.plans.map(async (p) => ({ model: p.model, collection: p.collection, count: input.counts.get(p.collection) ?? (await input.source.count(p.collection)) })));
  await state.create(input.configHash, input.source.identity, input.target, fingerprint, counts);
  return { kind: 'new', fingerprint };
}

/**
 * Compares the source now with the fingerprint the run stored, and returns the refusal, if
 * any. Forced, the changes are recorded for the summary and the new fingerprint becomes the
 * one the next resume compares with (so `--force` is needed once per change, not every time).
 */
async function checkSource(input: OpenRunInput, storedJson: unknown, now: SourceFingerprint, completed: boolean): Promise<string | undefined> {
  const { state, logger } = input;
  if (storedJson === null || storedJson === undefined) {
    logger.warn(`        run ${state.runId} was started by a version that kept no source fingerprint: changes to the source before now cannot be seen`);
    await state.recordSource(now, []);
    return undefined;
  }
  const stored = sourceFingerprintSchema.parse(storedJson);
  const changes = compareFingerprints(stored, now);
  if (changes.length === 0) return undefined;
  const list = changes.map((c) => `\n    ${c}`).join('');
  if (!input.force) {
    const what = completed ? `run ${state.runId} already completed, but the source changed since it was read (${stored.takenAt}):` : `the source changed since run ${state.runId} read it (${stored.takenAt}):`;
    const options = completed ? 'pass --force to accept it (nothing is read again) or --restart to load it again' : 'pass --force to resume anyway (rows already loaded stay as they were read), or --restart to start over';
    return `${what}${list}\n${options}`;
  }
  logger.warn(`        the source changed since run ${state.runId} read it (${stored.takenAt}); going on because of --force:${list}`);
  await state.recordSource(now, changes.map((c) => `accepted with --force: ${c}`));
  return undefined;
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
