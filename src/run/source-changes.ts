import type { MigrationConfig } from '../config/config-schema.ts';
import type { Logger } from '../log/logger.ts';
import type { ModelPlan } from '../plan/plan.ts';
import { compareFingerprints, type SourceFingerprint } from '../sources/source-fingerprint.ts';
import type { Source } from '../sources/source.ts';
import { retryTransient } from '../target/retry.ts';
import type { RunState } from './run-state.ts';

/** The collections a run reads: what its fingerprints cover. */
export function sourceCollections(plans: readonly ModelPlan[]): string[] {
  return [...new Set(plans.map((p) => p.collection))];
}

export interface ChangesDuringRunInput {
  source: Source;
  plans: readonly ModelPlan[];
  /** The fingerprint this session started from. */
  since: SourceFingerprint;
  state: RunState;
  retry: MigrationConfig['retry'];
  logger: Logger;
  serverOf: (error: unknown) => string;
}

/**
 * Takes the fingerprint again once everything is read. A live source written to meanwhile has
 * documents past a cursor or gone behind one that the target does not reflect, while the counts
 * taken at the start may still balance: the changes are logged and recorded for the summary.
 */
export async function recordChangesDuringRun(input: ChangesDuringRunInput): Promise<string[]> {
  const { logger } = input;
  const now = await retryTransient(() => input.source.fingerprint(sourceCollections(input.plans)), {
    retries: input.retry.retries,
    minTimeout: input.retry.minDelayMs,
    maxTimeout: input.retry.maxDelayMs,
    onFailedAttempt: ({ error, retriesLeft }) => {
      logger.warn(`        ${input.serverOf(error)}: ${error.message}; taking the fingerprint again (${retriesLeft} retries left)`);
    },
  });
  const changes = compareFingerprints(input.since, now);
  if (changes.length === 0) return [];
  logger.warn(`        the source changed while the run read it (since ${input.since.takenAt}):${changes.map((c) => `\n    ${c}`).join('')}`);
  const recorded = changes.map((c) => `during the run: ${c}`);
  await input.state.recordSource(now, recorded);
  return recorded;
}
