import { formatProfile, type ProfileSummary } from './profile-summary.ts';
import { markdownTable, type ModeReport, type ModeSummary } from './report.ts';

/** The machine, the versions and the inputs: what a reader needs to trust (or redo) the numbers. */
export interface BenchMeta {
  date: string;
  cores: number;
  cpu: string;
  memoryGiB: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  node: string;
  postgres: string;
  pgloader: string;
  sqlite3: string;
  sqliteFile?: { path: string; rows: number; bytes: number; tables: Record<string, number> };
  mongodump?: { path: string; scale: number; documents: number };
  repeat: number;
  mongoRepeat: number;
  order: string[];
  toolCommands: { sqlite: string; mongo: string };
  toolFlags: string[];
}

export interface BenchExtras {
  profile?: { summary?: ProfileSummary; file?: string; failed?: string };
  /** The sync rows' section (sync-report.ts). */
  sync?: string;
  details?: string;
}

const LEGEND =
  'rows/s: rows counted in the target after the run ÷ wall time (medians over the runs that moved every row). ' +
  'Peak RSS: the largest single process (the tool’s node, pgloader), with the sum over the measured process tree when it differs ' +
  '(sampled every 100 ms from /proc; the worst run). CPU node: user + system CPU of the measured tree (the tool, pgloader, or sqlite3 + psql). ' +
  'CPU postgres: the PostgreSQL backends serving the run’s database, found by process title and sampled every 20 ms, a lower bound ' +
  '(report.json also has the whole server’s CPU during the run, every other client’s included). × pgloader / × shell: rows/s ratios on the same file.';

export function reportMarkdown(meta: BenchMeta, rows: readonly ModeSummary[], reports: readonly ModeReport[], extras: BenchExtras): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const file = meta.sqliteFile
    ? `SQLite file: ${n(meta.sqliteFile.rows)} rows in ${Object.keys(meta.sqliteFile.tables).length} tables, ${(meta.sqliteFile.bytes / 2 ** 20).toFixed(0)} MiB (scripts/bench/make-sqlite.ts). `
    : '';
  const dump = meta.mongodump ? `mongodump sample: scale ${meta.mongodump.scale}, ${n(meta.mongodump.documents)} documents. ` : '';
  const notes = reports.flatMap((r) => [...new Set(r.runs.flatMap((run) => run.notes))].map((note) => `- ${r.label}: ${note}`));
  const failures = rows.flatMap((r) => r.failed.map((f) => `- ${r.label}: FAILED ${f}`));
  const { profile, details, sync } = extras;
  const table = rows.some((r) => r.family !== 'sync');
  return [
    `# Benchmark ${meta.date}`,
    '',
    `${meta.cores} cores (${meta.cpu}), ${meta.memoryGiB} GiB, load average ${meta.loadAverageBefore.join(' ')} before, ${meta.loadAverageAfter.join(' ')} after; ` +
      `PostgreSQL ${meta.postgres}, node ${meta.node}, ${meta.pgloader}, sqlite3 ${meta.sqlite3}.`,
    `${file}${dump}Runs interleaved (${meta.order.join(', ')}), each into a fresh database${sync ? ' (or a copy of the template)' : ''}: ${[meta.sqliteFile ? `SQLite modes ${meta.repeat}×` : '', meta.mongodump ? `MongoDB${sync ? ' and sync' : ''} modes ${meta.mongoRepeat}×` : ''].filter(Boolean).join(', ')}.`,
    `The tool runs as \`${meta.toolCommands.sqlite}\` / \`${meta.toolCommands.mongo}\` (package.json)${meta.toolFlags.length ? ` with ${meta.toolFlags.join(' ')}` : ''}.`,
    ...(table ? ['', markdownTable(rows), '', LEGEND] : []),
    ...(sync ? ['', `## Baseline and sync at ${meta.mongodump ? `scale ${meta.mongodump.scale}` : 'the sample'}, 1% changed, against a full re-migration`, '', sync] : []),
    ...(notes.length ? ['', ...notes] : []),
    ...(failures.length ? ['', ...failures] : []),
    ...(profile
      ? ['', `## Profile of the direct mode${profile.failed ? ` (FAILED: ${profile.failed})` : ''}`, ...(profile.file ? ['', `\`${profile.file}\``] : []), ...(profile.summary ? ['', formatProfile(profile.summary)] : [])]
      : []),
    ...(details ? ['', '## In-process mongodump run', '', '```', details, '```'] : []),
    '',
  ].join('\n');
}
