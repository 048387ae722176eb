import { textTable } from '../log/text-table.ts';
import type { BaselineReport } from './baseline.ts';
import type { DiffKind } from './diff-model.ts';

const KINDS: readonly DiffKind[] = ['new', 'changed', 'deleted', 'was-rejected', 'now-rejects'];

/** The readable table: one line per model, then up to five example ids per kind and model. */
export function formatBaseline(report: BaselineReport): string {
  const header = ['model', 'source', 'target', 'new', 'changed', 'deleted', 'unchanged', 'other', 'seconds'];
  const other = (m: { wasRejected: number; nowRejects: number; stillRejected: number; skipped: number }) => m.wasRejected + m.nowRejects + m.stillRejected + m.skipped;
  const rows = report.models.map((m) => [m.model, fmt(m.source), fmt(m.target), fmt(m.new), fmt(m.changed), fmt(m.deleted), fmt(m.unchanged), fmt(other(m)), m.seconds.toFixed(1)]);
  const t = report.totals;
  rows.push(['total', fmt(t.source), fmt(t.target), fmt(t.new), fmt(t.changed), fmt(t.deleted), fmt(t.unchanged), fmt(other(t)), report.seconds.toFixed(1)]);
  const lines = textTable(header, rows);
  // The rule again above the totals.
  lines.splice(-1, 0, lines[1] ?? '');
  const marked = report.models.filter((m) => m.marked > 0);
  if (marked.length > 0) lines.push('', `kept and marked deleted by an earlier sync (deletedMark), counted in target: ${marked.map((m) => `${m.model} ${fmt(m.marked)}`).join(', ')}`);
  lines.push('', 'other = was-rejected (in the error log, transforms fine now: migration:errors --retry-failed) + now-rejects + still rejected + skipped');
  if (report.since) {
    lines.push('', `--since ${report.since}: content compared only for documents changed after it; new and deleted from every id`);
    for (const m of report.models) lines.push(`  ${m.model}: ${m.since}`);
  }
  const examples = report.models.filter((m) => KINDS.some((k) => (m.examples[k]?.length ?? 0) > 0));
  if (examples.length > 0) {
    lines.push('', 'examples (source ids):');
    for (const m of examples) {
      for (const kind of KINDS) {
        const list = m.examples[kind] ?? [];
        if (list.length === 0) continue;
        const total = kind === 'was-rejected' ? m.wasRejected : kind === 'now-rejects' ? m.nowRejects : m[kind];
        lines.push(`  ${m.model} ${kind} ×${fmt(total)}:`);
        for (const e of list) lines.push(`      ${e.sourceId}${e.detail ? `  ${e.detail}` : ''}`);
        if (total > list.length) lines.push('      …');
      }
    }
  }
  lines.push('', report.same ? 'NO DIFFERENCES: the target holds what the source gives now' : `DIFFERENCES: ${fmt(t.new)} new, ${fmt(t.changed)} changed, ${fmt(t.deleted)} deleted, ${fmt(t.wasRejected)} was-rejected, ${fmt(t.nowRejects)} now-rejects`);
  return lines.join('\n');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
