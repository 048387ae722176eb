import pg from 'pg';
import { ConfigError } from '../config/config-error.ts';
import { maskUrl } from '../log/mask.ts';
import { describeHolder, readRunLockHolder, type LockHolder } from '../target/run-lock.ts';
import { WATERMARK_MARGIN_MS } from '../sync/sync-state.ts';
import { checkpointStatus } from './status-checkpoint.ts';
import type { LockStatus, ModelStatus, StatusReport } from './status-report.ts';
import type { ProgressRow } from './run-state.ts';

export interface StatusQuery {
  url: string;
  /** Named with --run-id (or runId in the config): a run that is not there is bad usage. */
  runId?: string;
  /** The run these source and target flags make (defaultRunId); the latest run when absent from the target. */
  flagsRunId?: string;
  checkpointDir: string;
}

export type StatusResult = { kind: 'report'; report: StatusReport } | { kind: 'empty'; database: string };

/**
 * Reads where a run stands, from the target only, without disturbing a run in progress: one
 * connection, read-only, a short REPEATABLE READ transaction (one snapshot, so the counts agree
 * with each other) of plain SELECTs, with statement_timeout and lock_timeout small enough that
 * it can never queue behind (or in front of) a run's own DDL. It never asks for the run lock;
 * it reads who holds it from pg_locks.
 *
 * @example
 *   const result = await readRunStatus({ url, checkpointDir: 'checkpoints' });
 *   if (result.kind === 'empty') console.log(`no migration state in ${result.database}`);
 */
export async function readRunStatus(query: StatusQuery): Promise<StatusResult> {
  const client = new pg.Client({
    connectionString: query.url,
    application_name: 'migrator status',
    options: '-c statement_timeout=5000 -c lock_timeout=1000 -c idle_in_transaction_session_timeout=10000 -c default_transaction_read_only=on',
  });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await readInSnapshot(client, query);
    } finally {
      await client.query('COMMIT').catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

interface RunRow {
  run_id: string;
  status: string;
  phase: string;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  source: string;
  config_hash: string;
}

async function readInSnapshot(client: pg.Client, query: StatusQuery): Promise<StatusResult> {
  const { rows: db } = await client.query<{ database: string; present: boolean }>(`SELECT current_database() AS database, to_regclass('_migration.runs') IS NOT NULL AS present`);
  const database = db[0]?.database ?? '';
  if (db[0]?.present !== true) return { kind: 'empty', database };
  const { rows: runs } = await client.query<RunRow>(
    `SELECT run_id, status, phase, started_at, updated_at, finished_at, source, config_hash FROM _migration.runs ORDER BY updated_at DESC, run_id`,
  );
  if (runs.length === 0) return { kind: 'empty', database };
  const named = query.runId === undefined ? undefined : runs.find((r) => r.run_id === query.runId);
  if (query.runId !== undefined && !named) {
    throw new ConfigError(`the target (database ${database}) holds no run ${query.runId}; its runs: ${runs.map((r) => r.run_id).join(', ')}`);
  }
  const fromFlags = runs.find((r) => r.run_id === query.flagsRunId);
  const run = named ?? fromFlags ?? runs[0];
  if (!run) return { kind: 'empty', database };
  const chosenBy = named ? 'run-id' : fromFlags ? 'flags' : 'latest';

  const holder = await readRunLockHolder(client);
  const lock = lockStatus(holder, run.run_id);
  const models = await readModels(client, run.run_id);
  const { rows: open } = await client.query<{ model: string; n: number }>(
    `SELECT model, count(*)::int AS n FROM _migration.rejected WHERE resolved_at IS NULL GROUP BY model ORDER BY model`,
  );
  const { rows: repairs } = await client.query<{ action: string; n: number }>(
    `SELECT action, count(*)::int AS n FROM _migration.repairs WHERE run_id = $1 GROUP BY action ORDER BY action`,
    [run.run_id],
  );
  const sum = (pick: (m: ModelStatus) => number) => models.reduce((n, m) => n + pick(m), 0);
  const report: StatusReport = {
    database,
    target: maskUrl(query.url),
    chosenBy,
    run: {
      runId: run.run_id,
      status: run.status,
      state: stateOf(run, lock),
      phase: run.phase,
      startedAt: run.started_at.toISOString(),
      updatedAt: run.updated_at.toISOString(),
      finishedAt: run.finished_at?.toISOString() ?? null,
      source: run.source,
      configHash: run.config_hash.slice(0, 8),
    },
    lock,
    models,
    totals: {
      sourceCount: models.every((m) => m.sourceCount !== null) ? sum((m) => m.sourceCount ?? 0) : null,
      read: sum((m) => m.read),
      written: sum((m) => m.written),
      rejected: sum((m) => m.rejected),
      skipped: sum((m) => m.skipped),
      loaded: models.filter((m) => m.status === 'loaded').length,
      loading: models.filter((m) => m.status === 'loading').length,
      pending: models.filter((m) => m.status === 'pending').length,
    },
    openRejections: { total: open.reduce((n, r) => n + r.n, 0), byModel: open.map((r) => ({ model: r.model, count: r.n })) },
    repairs: { total: repairs.reduce((n, r) => n + r.n, 0), byAction: repairs.map((r) => ({ action: r.action, count: r.n })) },
    checkpoint: checkpointStatus(query.checkpointDir, run.run_id, run.status, models),
    lastSync: await readLastSync(client, run.run_id, lock),
    otherRuns: runs.filter((r) => r !== run).map((r) => ({ runId: r.run_id, status: r.status, phase: r.phase, updatedAt: r.updated_at.toISOString() })),
  };
  return { kind: 'report', report };
}

/** The run's latest sync, read in the same snapshot; the sync tables exist once a sync ran. */
async function readLastSync(client: pg.Client, runId: string, lock: LockStatus): Promise<StatusReport['lastSync']> {
  const { rows: present } = await client.query<{ ok: boolean }>(`SELECT to_regclass('_migration.syncs') IS NOT NULL AS ok`);
  if (present[0]?.ok !== true) return null;
  const { rows } = await client.query<{ sync_id: string; status: string; started_at: Date; finished_at: Date | null; since: Date | null }>(
    `SELECT sync_id::text, status, started_at, finished_at, since FROM _migration.syncs WHERE run_id = $1 ORDER BY sync_id DESC LIMIT 1`,
    [runId],
  );
  const sync = rows[0];
  if (!sync) return null;
  const { rows: sums } = await client.query<Record<'inserted' | 'updated' | 'deleted' | 'rejected' | 'resolved' | 'dependents' | 'applied' | 'models' | 'queued', number>>(
    `SELECT coalesce(sum(inserted), 0)::float8 AS inserted, coalesce(sum(updated), 0)::float8 AS updated, coalesce(sum(deleted), 0)::float8 AS deleted,
            coalesce(sum(rejected), 0)::float8 AS rejected, coalesce(sum(resolved), 0)::float8 AS resolved, coalesce(sum(dependents), 0)::float8 AS dependents,
            count(*) FILTER (WHERE applied)::float8 AS applied, count(*)::float8 AS models,
            (SELECT count(*) FROM _migration.sync_removals WHERE sync_id = $1)::float8 AS queued
       FROM _migration.sync_progress WHERE sync_id = $1`,
    [sync.sync_id],
  );
  const t = sums[0];
  const states = ['done', 'running', 'paused', 'failed', 'abandoned'] as const;
  const status = states.find((x) => x === sync.status) ?? 'failed';
  return {
    syncId: sync.sync_id,
    state: status === 'running' && !lock.held ? 'stopped' : status,
    startedAt: sync.started_at.toISOString(),
    finishedAt: sync.finished_at?.toISOString() ?? null,
    since: sync.since?.toISOString() ?? null,
    watermark: new Date(sync.started_at.getTime() - WATERMARK_MARGIN_MS).toISOString(),
    applied: { inserted: t?.inserted ?? 0, updated: t?.updated ?? 0, deleted: t?.deleted ?? 0, rejected: t?.rejected ?? 0, resolved: t?.resolved ?? 0, dependents: t?.dependents ?? 0 },
    queued: t?.queued ?? 0,
    modelsApplied: t?.applied ?? 0,
    models: t?.models ?? 0,
  };
}

async function readModels(client: pg.Client, runId: string): Promise<ModelStatus[]> {
  // The progress row as the run keeps it; before its first count the source's is still unknown.
  const { rows } = await client.query<Omit<ProgressRow, 'source_count'> & { source_count: number | null }>(
    `SELECT model, collection, status, cursor, source_count::float8 AS source_count, read::float8 AS read, written::float8 AS written,
            rejected::float8 AS rejected, skipped::float8 AS skipped, batches::float8 AS batches, seconds
       FROM _migration.progress WHERE run_id = $1
      ORDER BY CASE status WHEN 'loaded' THEN 0 WHEN 'loading' THEN 1 ELSE 2 END, model`,
    [runId],
  );
  return rows.map((r) => {
    // Honest only from what the progress row holds: rows read per second of committed batch
    // time. Wall-clock time would count the pauses between runs and the other models' turns.
    const rowsPerSecond = r.batches > 0 && r.seconds > 0 ? r.read / r.seconds : null;
    const left = r.source_count === null ? null : Math.max(r.source_count - r.read, 0);
    const etaSeconds = r.status === 'loading' && rowsPerSecond !== null && left !== null ? left / rowsPerSecond : null;
    return {
      model: r.model,
      collection: r.collection,
      status: r.status,
      cursor: r.cursor,
      sourceCount: r.source_count,
      read: r.read,
      written: r.written,
      rejected: r.rejected,
      skipped: r.skipped,
      batches: r.batches,
      seconds: r.seconds,
      rowsPerSecond,
      etaSeconds,
    };
  });
}

function lockStatus(holder: LockHolder | undefined, runId: string): LockStatus {
  if (!holder) return { held: false, byThisRun: false, holder: null, command: null, pid: null, host: null, runId: null };
  // application_name keeps 63 bytes: a long run id comes back cut, marked with '…'.
  const named = holder.runId ?? '';
  const byThisRun = named === runId || (named.endsWith('…') && runId.startsWith(named.slice(0, -1)));
  return { held: true, byThisRun, holder: describeHolder(holder), command: holder.command ?? null, pid: holder.pid ?? null, host: holder.host ?? null, runId: holder.runId ?? null };
}

function stateOf(run: RunRow, lock: LockStatus): StatusReport['run']['state'] {
  if (run.status === 'completed') return 'done';
  if (run.status === 'paused') return 'paused';
  if (run.status === 'failed') return 'failed';
  // Marked running, but nobody holds the lock: the process was killed or lost its server.
  return lock.byThisRun ? 'running' : 'stopped';
}
