import { cursorText } from './status-checkpoint.ts';
import type { StatusReport } from './status-report.ts';

const STATE_TEXT: Record<StatusReport['run']['state'], string> = {
  done: 'done',
  running: 'running',
  paused: 'paused (run the same migrate command again to resume)',
  failed: 'failed (fix the cause, run the same migrate command again)',
  stopped: 'stopped: marked running but no process holds the run lock (killed or lost its server); run the same migrate command again to resume',
};

/** The report as `migration:status` prints it without --json. */
export function formatStatus(r: StatusReport): string {
  const lines: string[] = [];
  const chosen = r.chosenBy === 'run-id' ? '--run-id' : r.chosenBy === 'flags' ? 'the run of these flags' : 'the latest run';
  lines.push(`run ${r.run.runId} (${chosen}) in database ${r.database}`);
  lines.push(`  state     ${STATE_TEXT[r.run.state]}`);
  lines.push(`  status    ${r.run.status}, phase ${r.run.phase}`);
  lines.push(`  started   ${r.run.startedAt}${r.run.finishedAt ? `, finished ${r.run.finishedAt}` : `, last update ${r.run.updatedAt}`}`);
  lines.push(`  source    ${r.run.source}`);
  lines.push(`  config    ${r.run.configHash}`);
  lines.push(`  lock      ${r.lock.held ? `held by ${r.lock.holder ?? '?'}${r.lock.byThisRun ? '' : ' (not this run)'}` : 'free'}`);
  lines.push('');
  const header = ['model', 'status', 'source', 'written', 'rejected', 'skipped', 'rows/s', 'eta', 'cursor'];
  const rows = r.models.map((m) => [
    m.model,
    m.status,
    m.sourceCount === null ? '?' : n(m.sourceCount),
    n(m.written),
    n(m.rejected),
    n(m.skipped),
    m.rowsPerSecond === null ? '' : n(Math.round(m.rowsPerSecond)),
    m.etaSeconds === null ? '' : duration(m.etaSeconds),
    m.status === 'loading' ? cursorText(m.cursor) : '',
  ]);
  const t = r.totals;
  rows.push(['TOTAL', `${t.loaded} loaded, ${t.loading} loading, ${t.pending} pending`, t.sourceCount === null ? '?' : n(t.sourceCount), n(t.written), n(t.rejected), n(t.skipped), '', '', '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of [header, ...rows]) lines.push(row.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  lines.push('  rows/s: rows read ÷ seconds of committed batches (progress.seconds); eta: rows left ÷ that rate, for a model loading');
  lines.push('');
  lines.push(`open rejections: ${r.openRejections.total}${r.openRejections.byModel.length ? ` (${r.openRejections.byModel.map((b) => `${b.model} ${n(b.count)}`).join(', ')})` : ''}${r.openRejections.total ? ' — npm run migration:errors' : ''}`);
  lines.push(`repairs: ${r.repairs.total}${r.repairs.byAction.length ? ` (${r.repairs.byAction.map((b) => `${b.action} ${n(b.count)}`).join(', ')})` : ''}`);
  if (r.checkpoint) {
    const c = r.checkpoint;
    const agreement = c.agreement === 'behind' ? 'behind the target (rewritten at most once a second; the target is authoritative)' : c.agreement === 'agrees' ? 'agrees with the target' : 'DISAGREES with the target';
    lines.push(`checkpoint file: ${c.path}${c.kind === 'archived' ? ' (archived)' : ''}: ${agreement}`);
    for (const d of c.differences) lines.push(`  ${d}`);
  } else lines.push('checkpoint file: none in the checkpoint folder');
  const sync = r.lastSync;
  if (!sync) lines.push('last sync: none (npm run migration:sync brings the target up to date with the source)');
  else {
    const a = sync.applied;
    lines.push(
      `last sync: ${sync.syncId} ${sync.state}, started ${sync.startedAt}${sync.finishedAt ? `, finished ${sync.finishedAt}` : ''}; ${sync.since ? `compared what changed after ${sync.since}` : 'every document compared'}`,
      `  applied: ${n(a.inserted)} inserted, ${n(a.updated)} updated, ${n(a.deleted)} deleted, ${n(a.rejected)} rejected, ${n(a.resolved)} resolved, ${n(a.dependents)} dependents; models ${sync.modelsApplied} of ${sync.models} compared${sync.queued ? `, ${n(sync.queued)} row(s) still to remove` : ''}`,
      `  watermark: ${sync.watermark} (migration:sync --since last compares what changed after it)`,
    );
    if (sync.state === 'stopped' || sync.state === 'paused' || sync.state === 'failed') lines.push('  not finished: run migration:sync again; it goes on from what committed');
  }
  if (r.otherRuns.length) lines.push(`other runs: ${r.otherRuns.map((o) => `${o.runId} ${o.status}`).join(', ')}`);
  return lines.join('\n');
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
