import type pg from 'pg';
import { objectIdFromUuidV7 } from '../ids/uuid.ts';
import type { Logger } from '../log/logger.ts';

/** References repaired or kept by policy in one run, by field and action: the run's report of them. */
export interface RepairCount {
  field: string;
  targetModel: string;
  action: 'nulled' | 'dropped' | 'kept';
  count: number;
}

/**
 * The models any of whose documents this run rejected (at any stage) or whose references it
 * repaired or kept: where a source's own reference check can still say something the sweep
 * did not (session.ts, sourceReferenceCheck).
 */
export async function modelsWithFindings(pool: pg.Pool, runId: string): Promise<Set<string>> {
  const { rows } = await pool.query<{ model: string }>(
    `SELECT model FROM _migration.rejected WHERE run_id = $1 AND resolved_at IS NULL UNION SELECT model FROM _migration.repairs WHERE run_id = $1`,
    [runId],
  );
  return new Set(rows.map((r) => r.model));
}

export async function repairCounts(pool: pg.Pool, runId: string): Promise<RepairCount[]> {
  const { rows } = await pool.query<{ field: string; target_model: string; action: RepairCount['action']; n: string }>(
    `SELECT field, target_model, action, count(*) AS n FROM _migration.repairs WHERE run_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 3`,
    [runId],
  );
  return rows.map((r) => ({ field: r.field, targetModel: r.target_model, action: r.action, count: Number(r.n) }));
}

const VERB: Record<RepairCount['action'], string> = {
  nulled: 'set NULL (optional; the document loaded)',
  dropped: 'link(s) not written (the document and its other links loaded)',
  kept: 'kept as they are (no such row; not checked by a foreign key)',
};

/** `  Contact.companyId → Company: 2 set NULL …` lines for the summary. */
export function formatRepairs(repairs: readonly RepairCount[]): string[] {
  if (repairs.length === 0) return [];
  return ['', 'references to rows that are not in the target (_migration.repairs; npm run migration:errors lists them):', ...repairs.map((r) => `  ${r.field} → ${r.targetModel}: ${r.count.toLocaleString('en-US')} ${VERB[r.action]}`)];
}

/** The missing id as the source named it: the ObjectId inside a UUIDv7, else the UUID. */
export function missingIdText(uuid: string): string {
  try {
    return objectIdFromUuidV7(uuid)?.toHexString() ?? uuid;
  } catch {
    return uuid;
  }
}

/** One log line per repair (debug: the log file has them all, the terminal the counts). */
export async function logRepairs(pool: pg.Pool, runId: string, logger: Logger, limit = 100_000): Promise<void> {
  const { rows } = await pool.query<{ model: string; source_id: string | null; field: string; target_model: string; missing_id: string; action: string }>(
    `SELECT model, source_id, field, target_model, missing_id, action FROM _migration.repairs WHERE run_id = $1 ORDER BY id LIMIT ${limit}`,
    [runId],
  );
  for (const r of rows) {
    const missing = missingIdText(r.missing_id);
    logger.debug(`reference ${r.action}: ${r.model} ${r.source_id ?? '(unmapped)'} ${r.field} → ${r.target_model} ${missing}: not in the target`, {
      repair: r.action, model: r.model, sourceId: r.source_id, field: r.field, targetModel: r.target_model, missingId: missing,
    });
  }
}
