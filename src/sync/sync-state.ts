import type pg from 'pg';
import { compareFingerprints, sourceFingerprintSchema, type SourceFingerprint } from '../sources/source-fingerprint.ts';
import type { WriteTx } from '../target/writer.ts';

/** What one model's pass of a sync did, as `_migration.sync_progress` adds it up batch by batch. */
export interface SyncCounts {
  /** Source records read (set once the model's source is read to the end). */
  source: number;
  /** New documents written (new in the source, or rejected before and accepted now). */
  inserted: number;
  /** Documents whose rows were replaced because what they become changed. */
  updated: number;
  /** Documents removed because the source no longer has them. */
  deleted: number;
  /** Documents the source no longer has whose rows were kept and marked (config deletedMark). */
  marked: number;
  /** Documents rejected by this sync (now refused by the transformer, a check, the database or a dangling reference). */
  rejected: number;
  /** Rejections of earlier runs resolved by this sync (the document lands now). */
  resolved: number;
  /** Documents of this model removed or repaired because a document they reference was deleted or rejected. */
  dependents: number;
  /** Documents found equal (or not compared under --since). */
  unchanged: number;
  batches: number;
  seconds: number;
}

/** The queue stage (`_migration.sync_removals.stage`) of a document held back until every model's pass 1 is done. */
export const DEFER = 'defer';

/** --since last looks back this much further, for clocks that disagree between the app's servers and the target's. */
export const WATERMARK_MARGIN_MS = 5 * 60_000;

export const NO_COUNTS: SyncCounts = { source: 0, inserted: 0, updated: 0, deleted: 0, marked: 0, rejected: 0, resolved: 0, dependents: 0, unchanged: 0, batches: 0, seconds: 0 };
const COUNTED = ['inserted', 'updated', 'deleted', 'marked', 'rejected', 'resolved', 'dependents', 'batches', 'seconds'] as const;

export interface SyncRow {
  syncId: string;
  status: 'running' | 'paused' | 'failed' | 'done' | 'abandoned';
  since: Date | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * A sync's own rows in the target. The sync that is not done is resumed by the next
 * `migration:sync` (after kill -9, a pause or a failure); its committed batches stay applied.
 */
export class SyncState {
  constructor(
    private readonly pool: pg.Pool,
    readonly runId: string,
    readonly syncId: string,
  ) {}

  /** The unfinished sync of the run to resume, else a new one. */
  /**
   * The unfinished sync of the run to resume, else a new one. A resumed sync whose source
   * changed since it was interrupted (a newer dump, a live server that kept going) compares
   * every model again: the models it had finished were read from the source as it was, and
   * mixing the two would miss what arrived in between. What it committed stays; found equal.
   */
  static async open(pool: pg.Pool, runId: string, since: Date | undefined, fingerprint: SourceFingerprint, restart = false): Promise<{ state: SyncState; resumed: boolean; since: Date | null; sourceChanged: string[] }> {
    // --restart: the unfinished sync is given up. What it committed stays applied; its queues are found again from the source.
    if (restart) await pool.query(`UPDATE _migration.syncs SET status = 'abandoned', finished_at = now() WHERE run_id = $1 AND status NOT IN ('done', 'abandoned')`, [runId]);
    const { rows } = await pool.query<{ sync_id: string; since: Date | null; fingerprint: unknown }>(
      `SELECT sync_id::text, since, fingerprint FROM _migration.syncs WHERE run_id = $1 AND status NOT IN ('done', 'abandoned') ORDER BY sync_id DESC LIMIT 1`,
      [runId],
    );
    const open = rows[0];
    if (open) {
      const before = sourceFingerprintSchema.safeParse(open.fingerprint);
      const sourceChanged = before.success ? compareFingerprints(before.data, fingerprint) : ['no fingerprint of the source was kept'];
      if (sourceChanged.length > 0) await pool.query(`UPDATE _migration.sync_progress SET applied = false WHERE sync_id = $1`, [open.sync_id]);
      await pool.query(`UPDATE _migration.syncs SET status = 'running', fingerprint = $2 WHERE sync_id = $1`, [open.sync_id, JSON.stringify(fingerprint)]);
      return { state: new SyncState(pool, runId, open.sync_id), resumed: true, since: open.since, sourceChanged };
    }
    const made = await pool.query<{ sync_id: string }>(`INSERT INTO _migration.syncs (run_id, status, since, fingerprint) VALUES ($1, 'running', $2, $3) RETURNING sync_id::text`, [
      runId,
      since ?? null,
      JSON.stringify(fingerprint),
    ]);
    return { state: new SyncState(pool, runId, made.rows[0]?.sync_id ?? ''), resumed: false, since: since ?? null, sourceChanged: [] };
  }

  /** What changed in the source since this sync started reading it (a live source the app still writes). */
  async sourceChangedSince(now: SourceFingerprint): Promise<string[]> {
    const { rows } = await this.pool.query<{ fingerprint: unknown }>(`SELECT fingerprint FROM _migration.syncs WHERE sync_id = $1`, [this.syncId]);
    const before = sourceFingerprintSchema.safeParse(rows[0]?.fingerprint);
    return before.success ? compareFingerprints(before.data, now) : [];
  }

  /** Where --since last starts: the last finished sync's start, else the migration's start (what it read after that may have changed). */
  static async lastWatermark(pool: pg.Pool, runId: string): Promise<Date | undefined> {
    const { rows } = await pool.query<{ at: Date | null }>(
      `SELECT coalesce((SELECT max(started_at) FROM _migration.syncs WHERE run_id = $1 AND status = 'done'), (SELECT started_at FROM _migration.runs WHERE run_id = $1)) AS at`,
      [runId],
    );
    return rows[0]?.at ?? undefined;
  }

  /** The model's counts so far, and whether its pass 1 is done (a resumed sync skips it then). */
  async model(model: string): Promise<{ applied: boolean; counts: SyncCounts; skipped: number }> {
    await this.pool.query(`INSERT INTO _migration.sync_progress (sync_id, model) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [this.syncId, model]);
    const { rows } = await this.pool.query<Record<string, string | boolean | number>>(`SELECT * FROM _migration.sync_progress WHERE sync_id = $1 AND model = $2`, [this.syncId, model]);
    const row = rows[0] ?? {};
    const counts = Object.fromEntries(Object.keys(NO_COUNTS).map((k) => [k, Number(row[k] ?? 0)])) as unknown as SyncCounts;
    return { applied: row['applied'] === true, counts, skipped: Number(row['skipped'] ?? 0) };
  }

  /** Adds a batch's counts, in the batch's own transaction: the counts are exactly what committed. */
  async add(tx: WriteTx, model: string, counts: Partial<SyncCounts>): Promise<void> {
    await tx.query(
      `UPDATE _migration.sync_progress SET ${COUNTED.map((k, i) => `${k} = ${k} + $${i + 3}`).join(', ')} WHERE sync_id = $1 AND model = $2`,
      [this.syncId, model, ...COUNTED.map((k) => counts[k] ?? 0)],
    );
  }

  /** Pass 1 of the model is done: what its full read counted, with the last batch. */
  async applied(tx: WriteTx, model: string, read: { source: number; unchanged: number; skipped: number }): Promise<void> {
    await tx.query(`UPDATE _migration.sync_progress SET applied = true, source = $3, unchanged = $4, skipped = $5 WHERE sync_id = $1 AND model = $2`, [
      this.syncId,
      model,
      read.source,
      read.unchanged,
      read.skipped,
    ]);
  }

  async setStatus(status: SyncRow['status'], report?: unknown): Promise<void> {
    await this.pool.query(
      `UPDATE _migration.syncs SET status = $2, finished_at = CASE WHEN $2 = 'done' THEN now() ELSE finished_at END, report = coalesce($3::jsonb, report) WHERE sync_id = $1`,
      [this.syncId, status, report === undefined ? null : JSON.stringify(report)],
    );
  }

  async row(): Promise<SyncRow | undefined> {
    return (await readSyncs(this.pool, this.runId)).find((s) => s.syncId === this.syncId);
  }
}

/** Every sync of a run, newest first (status reads them too). */
export async function readSyncs(db: Pick<pg.Pool, 'query'>, runId: string): Promise<SyncRow[]> {
  const { rows } = await db.query<{ sync_id: string; status: SyncRow['status']; since: Date | null; started_at: Date; finished_at: Date | null }>(
    `SELECT sync_id::text, status, since, started_at, finished_at FROM _migration.syncs WHERE run_id = $1 ORDER BY sync_id DESC`,
    [runId],
  );
  return rows.map((r) => ({ syncId: r.sync_id, status: r.status, since: r.since, startedAt: r.started_at, finishedAt: r.finished_at }));
}
