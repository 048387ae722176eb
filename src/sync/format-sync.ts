import { textTable } from '../log/text-table.ts';
import type { SyncReport } from './sync.ts';

/** The readable report: one line per model of what the sync applied, then the balance after it. */
export function formatSync(report: SyncReport): string {
  const header = ['model', 'source', 'inserted', 'updated', 'deleted', 'rejected', 'resolved', 'dependents', 'unchanged', 'written', 'open rej.', 'seconds'];
  const fmt = (n: number) => n.toLocaleString('en-US');
  const rows = report.models.map((m) => [m.model, fmt(m.source), fmt(m.inserted), fmt(m.updated), fmt(m.deleted), fmt(m.rejected), fmt(m.resolved), fmt(m.dependents), fmt(m.unchanged), fmt(m.written), fmt(m.openRejections), m.seconds.toFixed(1)]);
  const t = report.totals;
  const written = report.models.reduce((n, m) => n + m.written, 0);
  const open = report.models.reduce((n, m) => n + m.openRejections, 0);
  rows.push(['total', fmt(t.source), fmt(t.inserted), fmt(t.updated), fmt(t.deleted), fmt(t.rejected), fmt(t.resolved), fmt(t.dependents), fmt(t.unchanged), fmt(written), fmt(open), report.seconds.toFixed(1)]);
  const lines = textTable(header, rows);
  lines.splice(-1, 0, lines[1] ?? '');
  lines.push(
    '',
    'resolved = rejected before, in the target now; dependents = documents rejected or repaired because a document they reference was deleted or rejected (migration:errors and _migration.repairs name them)',
    `sync ${report.syncId} of run ${report.runId}${report.resumed ? ' (resumed)' : ''}; ${report.since ? `content compared for documents changed after ${report.since}` : 'every document compared'}; watermark for --since last: ${report.watermark}`,
  );
  if (report.sourceChanged.length > 0) lines.push(`the source changed while the sync read it: ${report.sourceChanged.join('; ')} (run migration:sync again)`);
  const unbalanced = report.models.filter((m) => !m.balanced);
  lines.push(
    unbalanced.length === 0
      ? 'SYNCED: every source record is in the target, rejected (migration:errors) or skipped'
      : `NOT BALANCED: ${unbalanced.map((m) => `${m.model} source ${m.source} ≠ written ${m.written} + rejected ${m.openRejections} + skipped ${m.skipped}`).join('; ')}`,
  );
  lines.push(report.rejectedLimit.exceeded ? `${report.rejectedLimit.message}: every record is in the target or the error log, but the tool cannot vouch for the result` : report.rejectedLimit.message);
  return lines.join('\n');
}
