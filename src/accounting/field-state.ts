import type pg from 'pg';
import type { WriteTx } from '../target/writer.ts';
import type { FieldCount, FieldTally, FieldUse } from './field-accounting.ts';

/**
 * A batch's field counts, added to `_migration.fields` in the batch's own transaction: a
 * pause, a crash or a retry keeps exactly the counts of the committed batches, so a resumed
 * run ends with the counts of an uninterrupted one. One statement per batch (a row per
 * distinct path, tens), passed as JSON so both writers' transactions take it.
 */
export async function recordFields(tx: WriteTx, runId: string, model: string, tally: FieldTally | undefined): Promise<void> {
  if (!tally || tally.size === 0) return;
  const rows = [...tally.values()].map((c) => ({ path: c.path, use: c.use, detail: c.detail, documents: c.documents, example_id: c.example }));
  await tx.query(
    `INSERT INTO _migration.fields (run_id, model, path, use, detail, documents, example_id)
     SELECT $1, $2, t.path, t.use, t.detail, t.documents, t.example_id
       FROM jsonb_to_recordset($3::jsonb) AS t(path text, use text, detail text, documents bigint, example_id text)
     ON CONFLICT (run_id, model, use, path) DO UPDATE
       SET documents = _migration.fields.documents + EXCLUDED.documents,
           example_id = coalesce(_migration.fields.example_id, EXCLUDED.example_id)`,
    [runId, model, JSON.stringify(rows)],
  );
}

/** The run's counts per model, as committed. */
export async function readFields(pool: pg.Pool, runId: string): Promise<Map<string, FieldCount[]>> {
  const { rows } = await pool.query<{ model: string; path: string; use: FieldUse; detail: string; documents: string; example_id: string | null }>(
    `SELECT model, path, use, detail, documents, example_id FROM _migration.fields WHERE run_id = $1 ORDER BY model, path, use`,
    [runId],
  );
  const out = new Map<string, FieldCount[]>();
  for (const r of rows) {
    const list = out.get(r.model) ?? [];
    list.push({ path: r.path, use: r.use, detail: r.detail, documents: Number(r.documents), example: r.example_id });
    out.set(r.model, list);
  }
  return out;
}
