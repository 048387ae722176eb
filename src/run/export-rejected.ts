import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type pg from 'pg';
import { maskSecrets } from '../log/mask.ts';

/**
 * Writes the run's open rejections from `_migration.rejected` (the authoritative log) to
 * `<logDir>/<run>.rejected.jsonl`, one JSON object per line: model, source id, stage, reason,
 * and the original document as canonical Extended JSON.
 */
export async function exportRejected(pool: pg.Pool, runId: string, logDir: string): Promise<string> {
  mkdirSync(logDir, { recursive: true });
  const path = join(logDir, `${runId}.rejected.jsonl`);
  const out = createWriteStream(path);
  const { rows } = await pool.query<{ model: string; source_id: string | null; stage: string; reason: string; document: string | null; rejected_at: Date }>(
    `SELECT model, source_id, stage, reason, document, rejected_at FROM _migration.rejected
      WHERE resolved_at IS NULL ORDER BY model, id`,
  );
  for (const r of rows) {
    const line = JSON.stringify({ model: r.model, sourceId: r.source_id, stage: r.stage, reason: maskSecrets(r.reason), rejectedAt: r.rejected_at, document: r.document ? (JSON.parse(r.document) as unknown) : null });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}
