import type { DumpChanges } from './change-dump.ts';
import { SILENT_EVERY } from './change-recipe.ts';
import { spread, summarise, type ModeReport, type ModeSummary, type Spread } from './report.ts';
import { changedRecords } from './sync-checks.ts';

/** A sync row: the bench's figures, the costs per unit of work, and the ratio to a full re-migration. */
export interface SyncRow extends ModeSummary {
  /** Median wall seconds per million documents read (the changed dump's). */
  secondsPerMillionDocuments?: number;
  /** The syncs only: median wall milliseconds per changed record (new + changed + deleted, as made: the silent updates included). */
  msPerChangedRecord?: number;
  /** The syncs only: (sync − its baseline, --since alike) per changed record, round by round, in milliseconds. */
  msOverBaselinePerChangedRecord?: Spread;
  /** wall ÷ the full re-migration's wall of the same round. */
  xFullRemigration?: Spread;
}

export interface SyncSummary {
  /** Documents of the changed dump: what each of the three reads. */
  documents: number;
  /** new + changed + deleted: what a sync writes. */
  changedRecords: number;
  changes: DumpChanges['totals'];
  seed: number;
  /** The untimed migration of the sample into the template database. */
  templateSeconds: number;
  /** The --since rows: the time given, the stamp field, which collections carry it, and the silent updates (stamp kept). */
  since?: { at: string; field: string; stamped: string[]; unstamped: string[]; silent: number };
  rows: SyncRow[];
}

/** Wall seconds of a mode's good runs, by round. */
const wallByRound = (m: ModeReport | undefined) => new Map((m?.runs ?? []).filter((r) => r.failed === undefined).map((r) => [r.round, r.wallSeconds]));

/** Ratios of the same round only: the machine is shared, neighbouring runs see the same load. */
function perRound(a: Map<number, number>, b: Map<number, number>, f: (x: number, y: number) => number): Spread | undefined {
  return spread([...a].flatMap(([round, x]) => (b.has(round) ? [f(x, b.get(round) as number)] : [])));
}

/** Each sync row and the baseline its extra cost is measured against. */
const BASELINE_OF: Readonly<Record<string, string>> = { sync: 'baseline', 'sync-since': 'baseline-since' };

export function summariseSync(reports: readonly ModeReport[], changes: DumpChanges, templateSeconds: number, since?: Date): SyncSummary {
  const mine = reports.filter((r) => r.family === 'sync');
  const changed = changedRecords(changes);
  const documents = changes.changedDocuments;
  const full = wallByRound(mine.find((r) => r.mode === 'remigrate'));
  const rows = summarise(mine).map((s): SyncRow => {
    const walls = wallByRound(mine.find((r) => r.mode === s.mode));
    const median = s.wall?.median;
    const baselineMode = BASELINE_OF[s.mode];
    const over = baselineMode ? perRound(walls, wallByRound(mine.find((r) => r.mode === baselineMode)), (x, y) => ((x - y) / changed) * 1000) : undefined;
    const x = perRound(walls, full, (a, b) => a / b);
    return {
      ...s,
      ...(median === undefined ? {} : { secondsPerMillionDocuments: median / (documents / 1e6) }),
      ...(median === undefined || !baselineMode ? {} : { msPerChangedRecord: (median / changed) * 1000 }),
      ...(over ? { msOverBaselinePerChangedRecord: over } : {}),
      ...(x ? { xFullRemigration: x } : {}),
    };
  });
  const stamp = changes.stamp;
  const sinceFacts =
    since && stamp
      ? {
          at: since.toISOString(),
          field: stamp.field,
          stamped: changes.collections.filter((c) => c.stamped).map((c) => c.collection),
          unstamped: changes.collections.filter((c) => !c.stamped).map((c) => c.collection),
          silent: stamp.silent,
        }
      : undefined;
  return { documents, changedRecords: changed, changes: changes.totals, seed: changes.seed, templateSeconds, ...(sinceFacts ? { since: sinceFacts } : {}), rows };
}

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const sec = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const ms = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(2));
const range = (s: Spread, f: (v: number) => string, unit = '') => (s.min === s.max ? `${f(s.median)}${unit}` : `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`);

export function syncMarkdown(summary: SyncSummary): string {
  const c = summary.changes;
  const lines = [
    `The changed dump: ${int(summary.documents)} documents after ${int(c.mapped)} mapped-field updates, ${int(c.unmapped)} unmapped-field updates, ` +
      `${int(c.inserted)} inserts and ${int(c.deleted)} deletes of leaf documents (seed ${summary.seed}; per collection in report.json), ` +
      `so ${int(summary.changedRecords)} changed records (new + changed + deleted; the unmapped updates change nothing in the target). ` +
      `The template was migrated once in ${sec(summary.templateSeconds)} s (not timed); each baseline and sync run starts from a CREATE DATABASE … TEMPLATE copy of it.`,
    '',
    '| path | wall median (min–max) | per million documents | per changed record | × full re-migration | peak RSS | CPU node | CPU postgres |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const since = summary.since;
  if (since) {
    lines.splice(
      2,
      0,
      `The --since rows give the template migration’s start (${since.at}). The sample has no “last changed” field, so the changed dump gives one, ` +
        `\`${since.field}\` (no model maps it; --since reads it as a source field), to every clean document of ${since.stamped.join(', ')}: a day before that start, ` +
        `and the time the dump was made (after the template migration) on every edit and copy, but for ${int(since.silent)} silent updates (every ${SILENT_EVERY}th mapped update of those ` +
        `keeps its old stamp, as a fix made by hand would). ${since.unstamped.length > 0 ? `${since.unstamped.join(', ')} (append-only) get no stamp: --since compares them in full. ` : ''}` +
        `By design --since misses the silent updates: a --since baseline counts them unchanged, and the full baseline after a --since sync must find exactly them.`,
      '',
    );
  }
  for (const r of summary.rows) {
    if (r.unavailable) {
      lines.push(`| ${r.label} | ${r.unavailable} | | | | | | |`);
      continue;
    }
    if (!r.wall) {
      lines.push(`| ${r.label} | **FAILED** (${r.failed.join('; ') || 'not run'}) | | | | | | |`);
      continue;
    }
    const fail = r.failed.length > 0 ? ` **FAILED ${r.failed.length} of ${r.runs}**` : '';
    const perChange = r.msPerChangedRecord === undefined ? '' : `${ms(r.msPerChangedRecord)} ms${r.msOverBaselinePerChangedRecord ? ` (${range(r.msOverBaselinePerChangedRecord, ms, ' ms')} over the baseline)` : ''}`;
    const tree = r.peakTreeRssMiB ?? 0;
    const one = r.peakProcessRssMiB ?? 0;
    const rss = tree - one < 1 ? `${int(one)} MiB` : `${int(one)} MiB (tree ${int(tree)})`;
    lines.push(
      `| ${r.label}${fail} | ${range(r.wall, sec, ' s')} | ${r.secondsPerMillionDocuments === undefined ? '' : `${sec(r.secondsPerMillionDocuments)} s`} | ${perChange} | ` +
        `${r.xFullRemigration ? range(r.xFullRemigration, (v) => v.toFixed(2), '×') : '–'} | ${rss} | ${sec(r.cpuSeconds ?? 0)} s | ${sec(r.postgresCpuSeconds ?? 0)} s |`,
    );
  }
  lines.push(
    '',
    'per million documents: median wall ÷ the documents read (every row reads the whole changed dump). per changed record (the syncs only): median wall ÷ the changed records made, ' +
      'and (sync − baseline, the --since sync with the --since baseline) ÷ changed records round by round: the cost of applying beyond the comparison. ' +
      '× full re-migration: wall ÷ the full re-migration’s wall in the same round (median and range over the rounds). ' +
      'A baseline counts only when it exits 3 with exactly the changes made (under --since, the silent updates unchanged); a sync only when it exits 0 and a full baseline afterwards (not timed) ' +
      'exits 0, or, after a --since sync, exits 3 with exactly the silent updates as changed.',
  );
  return lines.join('\n');
}
