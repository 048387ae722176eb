import type pg from 'pg';
import { missingIdText } from './reference-report.ts';

export interface ErrorReport {
  open: number;
  resolved: number;
  byModel: { model: string; count: number }[];
  byStage: { stage: string; count: number }[];
  topReasons: { pattern: string; count: number; example: string }[];
  ids: { model: string; sourceIds: string[] }[];
  /** References set NULL, links dropped or dangling ids kept instead of rejecting the document (not rejections). */
  repairs: { field: string; targetModel: string; action: string; count: number; examples: string[] }[];
}

/**
 * Groups reasons that differ only in their values, so "rating: expected an integer, got
 * string "five"" and "... got string "4"" count as one kind of problem.
 */
export function reasonPattern(reason: string): string {
  return reason
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\([^()]*\)=\([^()]*\)/g, '(…)=(…)')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b[0-9a-f]{24}\b/gi, '<id>')
    .replace(/\b\d+(\.\d+)?\b/g, '<n>');
}

/** Reads the error log from the target (the authoritative copy), optionally for one model. */
export async function buildErrorReport(pool: pg.Pool, model?: string, limit = 10): Promise<ErrorReport> {
  const filter = model ? 'AND model = $1' : '';
  const params = model ? [model] : [];
  const { rows } = await pool.query<{ model: string; source_id: string | null; stage: string; reason: string }>(
    `SELECT model, source_id, stage, reason FROM _migration.rejected WHERE resolved_at IS NULL ${filter} ORDER BY model, source_id`,
    params,
  );
  const { rows: resolved } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM _migration.rejected WHERE resolved_at IS NOT NULL ${filter}`, params);
  const count = <K extends string>(key: (r: (typeof rows)[number]) => K) => {
    const map = new Map<K, number>();
    for (const r of rows) map.set(key(r), (map.get(key(r)) ?? 0) + 1);
    return [...map.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  };
  const examples = new Map<string, string>();
  for (const r of rows) if (!examples.has(reasonPattern(r.reason))) examples.set(reasonPattern(r.reason), r.reason);
  const { rows: repairRows } = await pool.query<{ model: string; field: string; target_model: string; action: string; n: string; examples: string[] }>(
    `SELECT model, field, target_model, action, count(*) AS n,
            (array_agg(coalesce(source_id, owner_key) || ' → ' || missing_id ORDER BY id))[1:${limit}] AS examples
       FROM _migration.repairs WHERE true ${filter} GROUP BY 1, 2, 3, 4 ORDER BY 2, 4`,
    params,
  );
  const ids = new Map<string, string[]>();
  for (const r of rows) ids.set(r.model, [...(ids.get(r.model) ?? []), r.source_id ?? '(no _id)']);
  return {
    open: rows.length,
    resolved: Number(resolved[0]?.n ?? 0),
    byModel: count((r) => r.model).map(([m, c]) => ({ model: m, count: c })),
    byStage: count((r) => r.stage).map(([s, c]) => ({ stage: s, count: c })),
    topReasons: count((r) => reasonPattern(r.reason))
      .slice(0, limit)
      .map(([p, c]) => ({ pattern: p, count: c, example: examples.get(p) ?? p })),
    ids: [...ids.entries()].map(([m, list]) => ({ model: m, sourceIds: list })),
    repairs: repairRows.map((r) => ({ field: r.field, targetModel: r.target_model, action: r.action, count: Number(r.n), examples: r.examples.map(showMissing) })),
  };
}

/** `<document> → <uuid>` with the missing id shown as the source named it (the ObjectId inside a UUIDv7). */
function showMissing(example: string): string {
  const [owner = '', uuid = ''] = example.split(' → ');
  return `${owner} → ${missingIdText(uuid)}`;
}

export function formatErrorReport(report: ErrorReport, showIds: boolean): string {
  const lines = [`rejected records: ${report.open} open, ${report.resolved} resolved by retries`];
  if (report.repairs.length > 0) {
    lines.push('', 'references to documents that are not in the target, repaired instead of rejecting (_migration.repairs; not rejections):');
    for (const r of report.repairs) lines.push(`  ${String(r.count).padStart(7)}  ${r.field} → ${r.targetModel}: ${r.action}`, `           e.g. ${r.examples.slice(0, 3).join(', ')}`);
  }
  if (report.open === 0) return lines.join('\n');
  lines.push('', 'by model:', ...report.byModel.map((m) => `  ${String(m.count).padStart(7)}  ${m.model}`));
  lines.push('', 'by stage:', ...report.byStage.map((s) => `  ${String(s.count).padStart(7)}  ${s.stage}`));
  lines.push('', `top ${report.topReasons.length} reasons:`);
  for (const r of report.topReasons) lines.push(`  ${String(r.count).padStart(7)}  ${r.pattern}`, `           e.g. ${r.example}`);
  lines.push('', 'failed source ids:');
  for (const m of report.ids) {
    const shown = showIds ? m.sourceIds : m.sourceIds.slice(0, 20);
    lines.push(`  ${m.model}: ${shown.join(', ')}${shown.length < m.sourceIds.length ? `, … (${m.sourceIds.length - shown.length} more; --ids lists all)` : ''}`);
  }
  return lines.join('\n');
}
