import { logAccounting } from '../accounting/log-accounting.ts';
import { runAccounting } from '../accounting/run-accounting.ts';
import { accountObjects, presentObjects, recordedRefusals } from '../accounting/schema-objects.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import type { Logger } from '../log/logger.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { SourceFingerprint } from '../sources/source-fingerprint.ts';
import type { Target } from '../target/connection.ts';
import { archiveCheckpoint } from './checkpoint-file.ts';
import type { CheckpointMirror } from './checkpoint-mirror.ts';
import { derivedCounts } from './derived-counts.ts';
import { exportRejected } from './export-rejected.ts';
import { recountChangedSources } from './recount.ts';
import { logRepairs, repairCounts } from './reference-report.ts';
import { checkRejectedLimit } from './reject-threshold.ts';
import type { RunState } from './run-state.ts';
import { COERCION_EXAMPLES, type Session } from './session.ts';
import { recordChangesDuringRun } from './source-changes.ts';
import { formatSummary, summarize, type RunSummary } from './summary.ts';

export interface FinishRunInput {
  config: MigrationConfig;
  logger: Logger;
  print: (text: string) => void;
  session: Session;
  target: Target;
  state: RunState;
  mirror: CheckpointMirror;
  runId: string;
  plans: readonly ModelPlan[];
  /** The source as this session found it; undefined when the run had already completed (nothing was read). */
  since: SourceFingerprint | undefined;
  /** Schema objects PostgreSQL refused in STEP 4, with its message. */
  refusals: ReadonlyMap<string, string>;
  seconds: number;
  serverOf: (error: unknown) => string;
}

/**
 * STEP 5: everything the run accounts for, in one summary that the run row, the checkpoint
 * archive, stdout and the log all carry: counts (the source counted again where it moved),
 * changes of the source during the run, every source field, id columns converted, references
 * repaired, the rejection limit, schema objects and what was deliberately not copied.
 */
export async function finishRun(input: FinishRunInput): Promise<{ summary: RunSummary; checkpointFile: string; rejectedFile: string }> {
  const { config, logger, session, target, state, mirror, runId } = input;
  const { source, graph, plan } = session;
  if (input.since) await recordChangesDuringRun({ source, plans: input.plans, since: input.since, state, retry: config.retry, logger, serverOf: input.serverOf });
  const progress = await recountChangedSources(await state.progress(), source, state, logger);
  const fields = await runAccounting(target.pool, runId, plan, source, config.unmappedFields);
  const counted = summarize(progress, await derivedCounts(target, graph, input.plans), input.seconds, await state.sourceChanges());
  const summary: RunSummary = {
    ...counted,
    fields,
    idColumns: [...session.idConversions].sort().map(([column, count]) => ({ column, count })),
    repairs: await repairCounts(target.pool, runId),
    rejectedLimit: checkRejectedLimit(config.maxRejected, counted.totals.rejected, counted.totals.source),
    ...(session.schemaObjects
      ? { schemaObjects: accountObjects(session.schemaObjects, await presentObjects(target.pool, session.schemaObjects), new Map([...(await recordedRefusals(target.pool)), ...input.refusals])) }
      : {}),
    ...(session.notCopied.length > 0 ? { notCopied: session.notCopied.map((t) => ({ object: `table ${t.name}`, reason: t.reason })) } : {}),
  };
  await state.setStatus('completed', 'done', summary);
  mirror.setFields(fields);
  mirror.write('completed', 'done', progress);
  const checkpointFile = archiveCheckpoint(config.checkpointDir, runId);
  logger.info(`        checkpoint archived: ${checkpointFile}`);
  const rejectedFile = await exportRejected(target.pool, runId, config.logDir);
  input.print(formatSummary(summary));
  logAccounting(fields, logger);
  if (summary.totals.rejected > 0) logger.info(`rejected records: ${rejectedFile} (npm run migration:errors to review)`);
  await logRepairs(target.pool, runId, logger);
  for (const r of summary.repairs ?? []) logger.info(`reference ${r.field} → ${r.targetModel}: ${r.count} ${r.action}`, { field: r.field, targetModel: r.targetModel, action: r.action, count: r.count });
  if (session.coercions.size > 0) {
    logger.info(`coercions (per rule and column; the first ${COERCION_EXAMPLES} of each are in the log file):`);
    for (const [rule, n] of [...session.coercions].sort()) logger.info(`  ${String(n).padStart(7)}  ${rule}`);
  }
  return { summary, checkpointFile, rejectedFile };
}
