import { formatAccounting, type FieldAccounting } from '../accounting/field-accounting.ts';
import { textTable } from '../log/text-table.ts';
import { formatObjects, type SchemaObjectAccount } from '../accounting/schema-objects.ts';
import { formatRepairs, type RepairCount } from './reference-report.ts';
import type { RejectedLimit } from './reject-threshold.ts';
import type { ProgressRow } from './run-state.ts';

export interface ModelSummary {
  model: string;
  source: number;
  written: number;
  rejected: number;
  skipped: number;
  seconds: number;
  /** source = written + rejected + skipped */
  balanced: boolean;
}

export interface DerivedSummary {
  table: string;
  from: string;
  rows: number;
}

export interface RunSummary {
  models: ModelSummary[];
  derived: DerivedSummary[];
  totals: { source: number; written: number; rejected: number; skipped: number; seconds: number };
  balanced: boolean;
  /**
   * How the source changed under the run: accepted with --force on a resume, or written while
   * the run read it. Not empty means the counts may balance and still not describe the source.
   */
  sourceChanged: string[];
  /** How every source field was used: mapped, ignored on purpose, or left behind (with counts). */
  fields?: FieldAccounting;
  /** Id columns without a relation converted to UUIDs: `Deal.createdBy: ObjectId → User` and how many values. */
  idColumns?: { column: string; count: number }[];
  /** References nulled, dropped or kept instead of rejecting their document. */
  repairs?: RepairCount[];
  /** The rejections against --max-rejected; exceeded means exit 3. */
  rejectedLimit?: RejectedLimit;
  /** The source file's schema objects: how many of each kind PostgreSQL has, and each one it has not, with the reason. */
  schemaObjects?: SchemaObjectAccount;
  /** Source objects recognised and deliberately not copied (`_prisma_migrations`), each with the reason. */
  notCopied?: { object: string; reason: string }[];
}

export function summarize(progress: readonly ProgressRow[], derived: readonly DerivedSummary[], wallSeconds: number, sourceChanged: readonly string[] = []): RunSummary {
  const models = progress.map((p) => ({
    model: p.model,
    source: p.source_count,
    written: p.written,
    rejected: p.rejected,
    skipped: p.skipped,
    seconds: p.seconds,
    balanced: p.source_count === p.written + p.rejected + p.skipped,
  }));
  const sum = (f: (m: ModelSummary) => number) => models.reduce((acc, m) => acc + f(m), 0);
  return {
    models,
    derived: [...derived],
    totals: { source: sum((m) => m.source), written: sum((m) => m.written), rejected: sum((m) => m.rejected), skipped: sum((m) => m.skipped), seconds: wallSeconds },
    balanced: models.every((m) => m.balanced),
    sourceChanged: [...sourceChanged],
  };
}

/** The table printed at the end of a run: one line per source model, then the rows derived from them. */
export function formatSummary(summary: RunSummary): string {
  const header = ['model', 'source', 'written', 'rejected', 'skipped', 'seconds', 'rows/s', 'check'];
  const rows = summary.models.map((m) => [
    m.model,
    fmt(m.source),
    fmt(m.written),
    fmt(m.rejected),
    fmt(m.skipped),
    m.seconds.toFixed(2),
    m.seconds > 0 ? fmt(Math.round(m.written / m.seconds)) : '-',
    m.balanced ? 'ok' : 'MISMATCH',
  ]);
  const t = summary.totals;
  const overLimit = summary.rejectedLimit?.exceeded === true;
  rows.push(['TOTAL', fmt(t.source), fmt(t.written), fmt(t.rejected), fmt(t.skipped), t.seconds.toFixed(2), t.seconds > 0 ? fmt(Math.round(t.written / t.seconds)) : '-', summary.balanced ? (overLimit ? 'TOO MANY REJECTED' : 'ok') : 'MISMATCH']);
  const lines = textTable(header, rows);
  if (summary.derived.length > 0) {
    lines.push('', ...textTable(['derived table', 'from', 'rows'], summary.derived.map((d) => [d.table, d.from, fmt(d.rows)])));
  }
  if (summary.fields) lines.push('', ...formatAccounting(summary.fields));
  if (summary.idColumns && summary.idColumns.length > 0) {
    lines.push('', 'id columns without a relation, converted to UUIDs:', ...summary.idColumns.map((c) => `  ${fmt(c.count).padStart(9)}  ${c.column}`));
  }
  lines.push(...formatRepairs(summary.repairs ?? []));
  if (summary.schemaObjects) lines.push('', ...formatObjects(summary.schemaObjects));
  if (summary.notCopied && summary.notCopied.length > 0) lines.push('', 'not copied:', ...summary.notCopied.map((n) => `  ${n.object}: ${n.reason}`));
  if (overLimit && summary.rejectedLimit) lines.push('', `${summary.rejectedLimit.message}: the run finished, but the tool cannot vouch for the result`);
  if (summary.sourceChanged.length > 0) lines.push('', 'SOURCE CHANGED: the tool cannot vouch that the target equals the source', ...summary.sourceChanged.map((c) => `  ${c}`));
  return lines.join('\n');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
