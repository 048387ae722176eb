import { buildRowCheck, type RowCheck } from '../check/row-check.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import { createIdMapper } from '../ids/id-mapper.ts';
import { parseSourceId, sourceIdKey } from '../ids/source-id.ts';
import { createPreparer, type PreparedDoc, type RejectedDoc } from '../load/prepare.ts';
import { ID_MAP_COLUMNS, idMapRow, serializeDocument } from '../load/record-batch.ts';
import { writeWithBisect } from '../load/write-batch.ts';
import type { Logger } from '../log/logger.ts';
import { maskSecrets, maskUrl } from '../log/mask.ts';
import { connectTarget } from '../target/connection.ts';
import { createCopyWriter } from '../target/copy-writer.ts';
import { fillIdMap } from '../target/id-identity.ts';
import { stateTable } from '../target/identifiers.ts';
import { createPrismaWriter } from '../target/prisma-writer.ts';
import { acquireRunLock, type RunLock } from '../target/run-lock.ts';
import type { Writer } from '../target/writer.ts';
import { RunState } from './run-state.ts';
import { openSession } from './session.ts';
import { derivedCounts } from './derived-counts.ts';
import { defaultRunId } from './run-identity.ts';
import { summarize, type RunSummary } from './summary.ts';

export interface RetryResult {
  status: 'done';
  runId: string;
  retried: number;
  fixed: number;
  stillRejected: number;
  missing: number;
  summary: RunSummary;
}

/** Another process holds the target's run lock; nothing was changed. */
export interface RetryRefused {
  status: 'refused';
  runId: string;
  message: string;
}

/**
 * Re-processes only the rejected records of a completed run, after a transformer or the data
 * was fixed: each is read again from the source, transformed with the current code, checked
 * and written (foreign keys are in place now, so a reference that still dangles is refused by
 * the database). A record that lands is marked resolved in the error log; one refused again
 * gets a fresh entry with the new reason. Models go in plan order, so a fixed parent lands
 * before the children that were rejected because of it.
 */
export async function retryFailed(config: MigrationConfig, logger: Logger): Promise<RetryResult | RetryRefused> {
  const session = await openSession(config, logger);
  const { graph, source, plan } = session;
  let target: Awaited<ReturnType<typeof connectTarget>> | undefined;
  let writer: Writer | undefined;
  let lock: RunLock | undefined;
  try {
    target = await connectTarget(config.target.url);
    const runId = config.runId ?? defaultRunId(config, source, target.url);
    // It writes rows, the error log and the run's summary: one run per target applies to it too.
    const taken = await acquireRunLock(target.url, { command: 'retry-failed', runId }, { retry: config.retry, warn: (m) => logger.warn(m) });
    if (taken.kind === 'refused') return { status: 'refused', runId, message: taken.message };
    lock = taken.lock;
    writer = config.writer === 'prisma' ? await createPrismaWriter(target.url, config.prismaClient) : createCopyWriter(target.pool);
    const state = new RunState(target.pool, runId);
    const run = await state.get();
    if (!run) throw new Error(`${maskUrl(target.url)} holds no run ${runId}; nothing to retry`);
    if (run.status !== 'completed') throw new Error(`run ${runId} is ${run.status}; finish it first (run the migration again to resume), then retry`);
    // A retried document's row joins the id map: the rows of a direct copy's own keys are written out first.
    await fillIdMap(target.pool);
    const ids = createIdMapper(config.ids.strategy, config.ids.namespace);
    const checks = new Map<string, RowCheck>([...graph.models.values()].map((m) => [m.name, buildRowCheck(m)]));
    let retried = 0, fixed = 0, stillRejected = 0, missing = 0;

    for (const modelPlan of plan.phases.flat()) {
      const { rows } = await target.pool.query<{ id: string; source_id: string; source_kind: 'objectId' | 'int' | 'string' }>(
        `SELECT id::text, source_id, source_kind FROM _migration.rejected WHERE model = $1 AND resolved_at IS NULL AND source_id IS NOT NULL ORDER BY id`,
        [modelPlan.model],
      );
      if (rows.length === 0) continue;
      const docs = await source.fetch(modelPlan.collection, rows.map((r) => parseSourceId(r.source_id, r.source_kind)));
      const found = new Set(docs.map((d) => sourceIdKey(d._id as never)));
      missing += rows.filter((r) => !found.has(r.source_id)).length;
      const preparer = createPreparer(graph, modelPlan, ids, checks, session.fieldsFor(modelPlan));
      const good: PreparedDoc[] = [];
      const refused: RejectedDoc[] = [];
      // A transformer fixed to skip the document: its rejection is resolved and it counts as
      // skipped, or it would stay open for ever and migration:errors would keep exiting 3.
      const skipped: string[] = [];
      for (const doc of docs) {
        const prepared = preparer.prepare(doc);
        if (prepared.ok === true) good.push(prepared.value);
        else if (prepared.ok === false) refused.push(prepared.rejected);
        else skipped.push(sourceIdKey(prepared.sourceId));
      }
      lock.assertHeld();
      const outcome = await writer.transaction(async (tx) => {
        const written = await writeWithBisect(tx, graph, modelPlan, good);
        const again = [...refused, ...written.rejected];
        await tx.query(`UPDATE _migration.rejected SET resolved_at = now() WHERE model = $1 AND resolved_at IS NULL AND source_id = ANY($2::text[])`, [
          modelPlan.model,
          written.written.map((d) => sourceIdKey(d.sourceId)),
        ]);
        await tx.writeRaw(stateTable('id_map'), ID_MAP_COLUMNS, written.written.map((d) => idMapRow(modelPlan.model, d)));
        // Refused again: the entry stays open, with today's reason and document.
        for (const r of again) {
          await tx.query(`UPDATE _migration.rejected SET stage = $3, reason = $4, document = $5, rejected_at = now() WHERE model = $1 AND source_id = $2 AND resolved_at IS NULL`, [
            modelPlan.model,
            r.sourceId === undefined ? null : sourceIdKey(r.sourceId),
            r.stage,
            maskSecrets(r.reason),
            serializeDocument(r.doc),
          ]);
        }
        if (skipped.length > 0) {
          await tx.query(`UPDATE _migration.rejected SET resolved_at = now() WHERE model = $1 AND resolved_at IS NULL AND source_id = ANY($2::text[])`, [modelPlan.model, skipped]);
        }
        await tx.query(`UPDATE _migration.progress SET written = written + $3, skipped = skipped + $4, rejected = rejected - $3 - $4, updated_at = now() WHERE run_id = $1 AND model = $2`, [
          runId,
          modelPlan.model,
          written.written.length,
          skipped.length,
        ]);
        return { fixed: written.written.length + skipped.length, again: again.length };
      });
      logger.info(`  ${modelPlan.model}: ${docs.length} retried, ${outcome.fixed} now in the target, ${outcome.again} rejected again`);
      retried += docs.length;
      fixed += outcome.fixed;
      stillRejected += outcome.again;
    }
    const summary = summarize(await state.progress(), await derivedCounts(target, graph, plan.phases.flat()), 0, await state.sourceChanges());
    lock.assertHeld();
    await state.setStatus('completed', 'done', summary);
    return { status: 'done', runId, retried, fixed, stillRejected, missing, summary };
  } finally {
    await writer?.close();
    await lock?.release();
    await target?.close();
    await source.close();
  }
}
