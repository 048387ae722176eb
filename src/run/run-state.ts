import type pg from 'pg';
import { z } from 'zod';
import type { SourceFingerprint } from '../sources/source-fingerprint.ts';
import type { SourceCursor } from '../sources/source.ts';
import { STATE_FORMAT } from '../target/state-schema.ts';
import { withTransaction } from '../target/transaction.ts';
import { maskDeep, maskSecrets } from '../log/mask.ts';

export type RunStatus = 'running' | 'paused' | 'failed' | 'completed';
export type RunPhase = 'prepare' | 'load' | 'complete' | 'done';

export interface RunRow {
  run_id: string;
  config_hash: string;
  source: string;
  target: string;
  status: RunStatus;
  phase: RunPhase;
  /** Null for a run started before fingerprints existed; checked with sourceFingerprintSchema. */
  source_fingerprint: unknown;
}

export interface ProgressRow {
  model: string;
  collection: string;
  status: 'pending' | 'loading' | 'loaded';
  cursor: SourceCursor | null;
  source_count: number;
  read: number;
  written: number;
  rejected: number;
  skipped: number;
  batches: number;
  seconds: number;
}

/** The run's rows in `_migration`: the authoritative checkpoint the JSON file mirrors. */
export class RunState {
  constructor(
    private readonly pool: pg.Pool,
    readonly runId: string,
  ) {}

  async get(): Promise<RunRow | undefined> {
    const { rows } = await this.pool.query<RunRow>(`SELECT run_id, config_hash, source, target, status, phase, source_fingerprint FROM _migration.runs WHERE run_id = $1`, [this.runId]);
    return rows[0];
  }

  async create(configHash: string, source: string, target: string, fingerprint: SourceFingerprint, models: readonly { model: string; collection: string; count: number }[]): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query(`INSERT INTO _migration.runs (run_id, format, config_hash, source, target, status, phase, source_fingerprint) VALUES ($1, $2, $3, $4, $5, 'running', 'prepare', $6)`, [
        this.runId, STATE_FORMAT, configHash, maskSecrets(source), maskSecrets(target), JSON.stringify(fingerprint),
      ]);
      for (const m of models) {
        await client.query(`INSERT INTO _migration.progress (run_id, model, collection, source_count) VALUES ($1, $2, $3, $4)`, [this.runId, m.model, m.collection, m.count]);
      }
    });
  }

  /** The run's options (already masked: run-options.ts), kept from the run's start: a resume does not rewrite them. */
  async recordOptions(options: Record<string, unknown>): Promise<void> {
    await this.pool.query(`UPDATE _migration.runs SET options = coalesce(options, $2::jsonb) WHERE run_id = $1`, [this.runId, JSON.stringify(maskDeep(options))]);
  }

  async setStatus(status: RunStatus, phase?: RunPhase, summary?: unknown): Promise<void> {
    await this.pool.query(
      `UPDATE _migration.runs SET status = $2, phase = coalesce($3, phase), summary = coalesce($4::jsonb, summary), updated_at = now(),
         finished_at = CASE WHEN $2 = 'completed' THEN now() ELSE finished_at END WHERE run_id = $1`,
      [this.runId, status, phase ?? null, summary === undefined ? null : JSON.stringify(maskDeep(summary))],
    );
  }

  /**
   * The source as the run now knows it, and the changes it found on the way there (accepted with
   * --force, or seen during the run): the next resume compares with this fingerprint, the summary
   * lists every change.
   */
  async recordSource(fingerprint: SourceFingerprint, changes: readonly string[]): Promise<void> {
    await this.pool.query(`UPDATE _migration.runs SET source_fingerprint = $2, source_changes = source_changes || $3::jsonb, updated_at = now() WHERE run_id = $1`, [
      this.runId, JSON.stringify(fingerprint), JSON.stringify(changes),
    ]);
  }

  async sourceChanges(): Promise<string[]> {
    const { rows } = await this.pool.query<{ source_changes: unknown }>(`SELECT source_changes FROM _migration.runs WHERE run_id = $1`, [this.runId]);
    return z.array(z.string()).parse(rows[0]?.source_changes ?? []);
  }

  async progress(): Promise<ProgressRow[]> {
    const { rows } = await this.pool.query<ProgressRow>(
      `SELECT model, collection, status, cursor, source_count::float8 AS source_count, read::float8 AS read, written::float8 AS written,
              rejected::float8 AS rejected, skipped::float8 AS skipped, batches::float8 AS batches, seconds
         FROM _migration.progress WHERE run_id = $1 ORDER BY model`,
      [this.runId],
    );
    return rows;
  }

  async checkpoint(model: string): Promise<{ cursor: SourceCursor | undefined; loaded: boolean }> {
    const { rows } = await this.pool.query<{ cursor: SourceCursor | null; status: string }>(`SELECT cursor, status FROM _migration.progress WHERE run_id = $1 AND model = $2`, [this.runId, model]);
    const row = rows[0];
    if (!row) throw new Error(`run ${this.runId} has no progress row for ${model}`);
    return { cursor: row.cursor ?? undefined, loaded: row.status === 'loaded' };
  }

  async markLoaded(model: string): Promise<void> {
    await this.pool.query(`UPDATE _migration.progress SET status = 'loaded', updated_at = now() WHERE run_id = $1 AND model = $2`, [this.runId, model]);
  }

  /** The source's count taken again at the end of a run whose source changed while it was read. */
  async setSourceCount(model: string, count: number): Promise<void> {
    await this.pool.query(`UPDATE _migration.progress SET source_count = $3, updated_at = now() WHERE run_id = $1 AND model = $2`, [this.runId, model, count]);
  }
}
