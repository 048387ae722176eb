import type pg from 'pg';
import { buildRowCheck } from '../check/row-check.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import { ConfigError } from '../config/config-error.ts';
import { createIdMapper } from '../ids/id-mapper.ts';
import { listReferences, recordKept } from '../load/orphans.ts';
import { resetSequences } from '../load/complete.ts';
import { createPreparer } from '../load/prepare.ts';
import type { Logger } from '../log/logger.ts';
import { maskUrl } from '../log/mask.ts';
import { derivedCounts } from '../run/derived-counts.ts';
import type { DeletedMark } from '../plan/deleted-mark.ts';
import { defaultRunId } from '../run/run-identity.ts';
import { RunState } from '../run/run-state.ts';
import { openSession } from '../run/session.ts';
import { checkRejectedLimit, type RejectedLimit } from '../run/reject-threshold.ts';
import { summarize } from '../run/summary.ts';
import { exportRejected } from '../run/export-rejected.ts';
import { repairCounts } from '../run/reference-report.ts';
import { connectTarget, type Target } from '../target/connection.ts';
import { createCopyWriter } from '../target/copy-writer.ts';
import { quoteIdent } from '../target/identifiers.ts';
import { acquireRunLock, type RunLock } from '../target/run-lock.ts';
import { fillIdMap } from '../target/id-identity.ts';
import { ensureStateSchema } from '../target/state-schema.ts';
import { validationPool } from '../validate/pg-readers.ts';
import { createSourceIdTable } from '../validate/source-pass.ts';
import { applyDeferred, applyModel, retryRefused } from './apply-model.ts';
import { applyFixups } from './apply-fixups.ts';
import type { Fixup, HeldBack } from './reference-check.ts';
import { addLookupIndexes, dropLookupIndexes } from './lookup-indexes.ts';
import { otherSideLister } from '../validate/other-side.ts';
import { removeQueued } from './remove-queued.ts';
import { DEFER, NO_COUNTS, SyncState, WATERMARK_MARGIN_MS, type SyncCounts } from './sync-state.ts';

export interface SyncOptions {
  config: MigrationConfig;
  logger: Logger;
  /** Compare content only for documents changed after this time; `last`: after the last sync (or the migration) started. */
  since?: Date | 'last';
  /** Give up an unfinished sync and start a new one (what it committed stays applied). */
  restart?: boolean;
  signal: AbortSignal;
}

export interface ModelSync extends SyncCounts {
  model: string;
  /** After the sync, from the target: rows of the model (those marked deleted apart), open rejections, skipped; source = written + rejected + skipped. */
  written: number;
  /** Rows kept and marked deleted (config deletedMark), by this sync and earlier ones. */
  markedRows: number;
  openRejections: number;
  skipped: number;
  balanced: boolean;
}

export interface SyncReport {
  runId: string;
  syncId: string;
  /** It went on from a sync that was interrupted (its committed batches stayed applied). */
  resumed: boolean;
  source: string;
  target: string;
  /** What --since narrowed the content comparison to, or null for the full comparison. */
  since: string | null;
  /** When this sync started reading: the next `--since last` compares what changed after it. */
  watermark: string;
  seconds: number;
  models: ModelSync[];
  totals: SyncCounts;
  balanced: boolean;
  /** The open rejections after the sync against --max-rejected, as the migration checks them (exceeded: exit 3). */
  rejectedLimit: RejectedLimit;
  /** How the source changed while this sync read it (a live source still written to): what the next sync will catch. */
  sourceChanged: string[];
  /** The error log as JSON lines, written afresh (as the migration writes it). */
  rejectedFile: string;
}

export type SyncResult = { status: 'done'; report: SyncReport } | { status: 'refused' | 'paused'; runId: string; message: string };

/**
 * Brings a migrated target up to date with its source as it is now: the difference baseline
 * reports (diff-model.ts), applied. Pass 1 goes through the models in the plan's order, parents
 * first: new documents are written, changed ones replace their rows, and what must leave is
 * queued. Pass 2 goes backwards, children first, removing the queued documents and deciding
 * what still references them. Every batch commits with its counts; an interrupted sync is
 * resumed by the next one. The result is the target a fresh full migration of the source
 * would give, with the same UUIDs, rejections and repairs.
 */
export async function sync(options: SyncOptions): Promise<SyncResult> {
  const { config, logger } = options;
  const started = performance.now();
  const session = await openSession(config, logger);
  const { graph, source, plan } = session;
  let target: Target | undefined;
  let lock: RunLock | undefined;
  let client: pg.PoolClient | undefined;
  let readPool: pg.Pool | undefined;
  try {
    target = await connectTarget(config.target.url);
    const runId = await runToSync(target, config, source.identity, logger);
    const taken = await acquireRunLock(target.url, { command: 'sync', runId }, { retry: config.retry, warn: (m) => logger.warn(m) });
    if (taken.kind === 'refused') return { status: 'refused', runId, message: taken.message };
    lock = taken.lock;
    const state = new RunState(target.pool, runId);
    const run = await state.get();
    if (!run) throw new ConfigError(`${maskUrl(target.url)} holds no migration run ${runId}: migrate first, then sync (same target and config flags)`);
    if (run.status !== 'completed') throw new ConfigError(`run ${runId} is ${run.status}: finish it first (run the migration again to resume it), then sync`);
    await ensureStateSchema(target.pool);
    // Sync reads and rewrites the id map: a direct copy's rows that are their own keys are written out first.
    await fillIdMap(target.pool);
    const since = options.since === 'last' ? await lastWatermark(target, runId) : options.since;
    const collections = plan.phases.flat().map((p) => p.collection);
    const opened = await SyncState.open(target.pool, runId, since, await source.fingerprint(collections), options.restart === true);
    const syncState = opened.state;
    if (opened.resumed) logger.info(`resuming sync ${syncState.syncId} of run ${runId}: what it committed stays applied`);
    if (opened.sourceChanged.length > 0) logger.info(`        the source changed since the sync was interrupted (${opened.sourceChanged.slice(0, 3).join('; ')}${opened.sourceChanged.length > 3 ? '; …' : ''}): every model is compared again`);
    const narrowed = opened.since ?? undefined;
    // The difference is read as validate reads the target (dates as text, timestamps with their microseconds).
    readPool = validationPool(target.url);
    client = await readPool.connect();
    await createSourceIdTable(client);
    const writer = createCopyWriter(target.pool);
    const ids = createIdMapper(config.ids.strategy, config.ids.namespace);
    const checks = new Map([...graph.models.values()].map((m) => [m.name, buildRowCheck(m)]));
    const plans = plan.phases.flat();
    const refs = listReferences(graph, plans, session.references);
    const signal = AbortSignal.any([options.signal, lock.lost]);
    const preparers = new Map(plans.map((p) => [p.model, createPreparer(graph, p, ids, checks, session.fieldsFor(p))]));
    const preparerOf = (p: (typeof plans)[number]) => preparers.get(p.model) ?? createPreparer(graph, p, ids, checks, session.fieldsFor(p));
    const otherSide = otherSideLister(plans, preparerOf, source, target.pool);
    const indexed = await addLookupIndexes(target.pool, graph, plans, refs);
    if (indexed.length > 0) logger.info(`indexed ${indexed.length} column(s) the sync looks rows up by (dropped when it ends)`);
    try {
      logger.info('pass 1: new and changed documents, parents first');
      const fixups: Fixup[] = [];
      const heldBack: HeldBack = async (model, keys) => {
        const { rows } = await (target as Target).pool.query<{ k: string }>(
          `SELECT target_key AS k FROM _migration.sync_removals WHERE sync_id = $1 AND model = $2 AND stage = '${DEFER}' AND target_key = ANY($3::text[])`,
          [syncState.syncId, model, keys],
        );
        return new Set(rows.map((r) => r.k));
      };
      const inputOf = (modelPlan: (typeof plans)[number], pending: ReadonlySet<string>) => ({
        client: client as pg.PoolClient, pool: (target as Target).pool, writer, graph, plan: modelPlan, source, preparer: preparerOf(modelPlan), fields: session.fieldsFor(modelPlan), batchSize: config.batchSize,
        ...(narrowed ? { since: narrowed } : {}), refs, runId, sync: syncState, otherSide, pending, heldBack, fixups, signal, logger,
        ...(session.deletedMarks.has(modelPlan.model) ? { mark: session.deletedMarks.get(modelPlan.model) } : {}),
      });
      for (const [i, modelPlan] of plans.entries()) {
        lock.assertHeld();
        logger.info(`  ${modelPlan.model}: comparing ${modelPlan.collection} with the target`);
        await applyModel(inputOf(modelPlan, new Set(plans.slice(i).map((p) => p.model))));
      }
      // What waited for a model later in the pass: every model is written now.
      for (const modelPlan of plans) await applyDeferred(inputOf(modelPlan, new Set()));
      await applyFixups(writer, graph, fixups);
      logger.info('pass 2: deleted and now rejected documents, children first');
      const removal = { graph, plans, refs, source, pool: target.pool, runId, otherSide, syncId: syncState.syncId };
      for (const modelPlan of [...plans].reverse()) await removeQueued(writer, removal, syncState, modelPlan.model, config.batchSize, signal);
      // A unique value a removed row held is free now: what the database refused for it is written once more.
      for (const modelPlan of plans) await retryRefused(inputOf(modelPlan, new Set()));
    } catch (error) {
      lock.assertHeld();
      if (signal.aborted) {
        await syncState.setStatus('paused');
        return { status: 'paused', runId, message: `sync ${syncState.syncId} paused: every committed batch is applied; run the same command to go on` };
      }
      await syncState.setStatus('failed');
      throw error;
    }

    lock.assertHeld();
    await dropLookupIndexes(target.pool);
    // A live source the application still writes moves under a sync: the next sync picks that up.
    const sourceChanged = await syncState.sourceChangedSince(await source.fingerprint(collections));
    if (sourceChanged.length > 0) logger.warn(`        the source changed while the sync read it (${sourceChanged.slice(0, 3).join('; ')}${sourceChanged.length > 3 ? '; …' : ''}): run migration:sync again; the last one, after writes stop, sees none`);
    // What a full load does at its end: kept references recorded afresh, sequences past the highest id.
    await recordKept(client, refs, runId);
    await resetSequences(target.pool, graph, session.sequenceFloors);
    const models = await recount(target, client, state, syncState, plans.map((p) => p.model), session.deletedMarks);
    // The run's summary with today's counts, repairs and rejection limit; what only a full load
    // measures (field accounting, id columns converted, schema objects) stays as that load left it.
    const counted = summarize(await state.progress(), await derivedCounts(target, graph, plans), 0, await state.sourceChanges());
    const { rows: previous } = await target.pool.query<{ summary: Record<string, unknown> | null }>(`SELECT summary FROM _migration.runs WHERE run_id = $1`, [runId]);
    const rejectedLimit = checkRejectedLimit(config.maxRejected, counted.totals.rejected, counted.totals.source);
    const summary = { ...(previous[0]?.summary ?? {}), ...counted, repairs: await repairCounts(target.pool, runId), rejectedLimit };
    await state.setStatus('completed', 'done', summary);
    const rejectedFile = await exportRejected(target.pool, runId, config.logDir);
    const row = await syncState.row();
    const totals = { ...NO_COUNTS };
    for (const m of models) for (const k of Object.keys(NO_COUNTS) as (keyof SyncCounts)[]) totals[k] += m[k];
    const report: SyncReport = {
      runId,
      syncId: syncState.syncId,
      resumed: opened.resumed,
      source: source.identity,
      target: maskUrl(target.url),
      since: narrowed?.toISOString() ?? null,
      watermark: (row?.startedAt ?? new Date()).toISOString(),
      seconds: (performance.now() - started) / 1000,
      models,
      totals,
      balanced: models.every((m) => m.balanced),
      rejectedLimit,
      sourceChanged,
      rejectedFile,
    };
    await syncState.setStatus('done', report);
    return { status: 'done', report };
  } finally {
    client?.release();
    await readPool?.end();
    await lock?.release();
    await target?.close();
    await source.close();
  }
}

/**
 * The run a sync brings up to date: --run-id, else the one named after this source and target,
 * else the only run the target holds: a new dump or a newer copy of a file is usually at
 * another path, which names another run, yet it is the same database.
 */
async function runToSync(target: Target, config: MigrationConfig, sourceIdentity: string, logger: Logger): Promise<string> {
  if (config.runId) return config.runId;
  const derived = defaultRunId(config, { identity: sourceIdentity }, target.url);
  const { rows: state } = await target.pool.query<{ t: string | null }>(`SELECT to_regclass('_migration.runs')::text AS t`);
  if (!state[0]?.t) throw new ConfigError(`${maskUrl(target.url)} holds no migration state: migrate first, then sync (same target and config flags)`);
  const { rows } = await target.pool.query<{ run_id: string }>(`SELECT run_id FROM _migration.runs ORDER BY started_at`);
  if (rows.some((r) => r.run_id === derived)) return derived;
  const [only] = rows;
  if (only && rows.length === 1) {
    logger.info(`the source is not where the migration read it (${sourceIdentity}): syncing run ${only.run_id}, the only run in this target`);
    return only.run_id;
  }
  throw new ConfigError(
    rows.length === 0
      ? `${maskUrl(target.url)} holds no migration run: migrate first, then sync`
      : `${maskUrl(target.url)} holds ${rows.length} runs and none is named after this source (${rows.map((r) => r.run_id).join(', ')}): pass --run-id`,
  );
}

async function lastWatermark(target: Target, runId: string): Promise<Date | undefined> {
  const at = await SyncState.lastWatermark(target.pool, runId);
  return at ? new Date(at.getTime() - WATERMARK_MARGIN_MS) : undefined;
}

/**
 * The run's counts as a fresh migration of the source now would give them: its source count
 * and skipped from this sync's full read, written from the target, rejected from the error log.
 * The run's summary is made from them, so migration:status and the summary tell the truth.
 */
async function recount(target: Target, reader: pg.PoolClient, state: RunState, sync: SyncState, models: readonly string[], marks: ReadonlyMap<string, DeletedMark>): Promise<ModelSync[]> {
  const out: ModelSync[] = [];
  for (const model of models) {
    const { counts, skipped } = await sync.model(model);
    const mark = marks.get(model);
    // On the reading session: it holds this sync's source ids (validate_source_ids), which tell a kept row from one the app marked.
    const { rows } = await reader.query<{ written: string; rejected: string; marked: string }>(
      `SELECT (SELECT count(*) FROM _migration.id_map WHERE model = $1) AS written, (SELECT count(*) FROM _migration.rejected WHERE model = $1 AND resolved_at IS NULL) AS rejected,
              ${mark ? `(SELECT count(*) FROM ${quoteIdent(mark.table)} t WHERE ${mark.isKept('t')})` : '0'} AS marked`,
      [model],
    );
    const markedRows = Number(rows[0]?.marked ?? 0);
    const written = Number(rows[0]?.written ?? 0) - markedRows;
    const rejected = Number(rows[0]?.rejected ?? 0);
    await target.pool.query(
      `UPDATE _migration.progress SET source_count = $3, read = $3, written = $4, rejected = $5, skipped = $6, updated_at = now() WHERE run_id = $1 AND model = $2`,
      [state.runId, model, counts.source, written, rejected, skipped],
    );
    out.push({ model, ...counts, written, markedRows, openRejections: rejected, skipped, balanced: counts.source === written + rejected + skipped });
  }
  return out;
}
