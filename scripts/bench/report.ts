import type { BenchFamily, RunOutcome } from './bench-mode.ts';

/** Everything a run records in the JSON report. */
export interface RunRecord {
  round: number;
  wallSeconds: number;
  targetRows: number;
  sourceRecords: number;
  rowsPerSecond: number;
  sourcePerSecond: number;
  cpuSeconds: number;
  /** The backends of the run's database. */
  postgresCpuSeconds: number;
  /** The whole server, every client's work included. */
  postgresServerCpuSeconds: number;
  /** The bench's own polling during the run. */
  samplerCpuSeconds: number;
  peakTreeRssMiB: number;
  peakProcessRssMiB: number;
  exitCode: number;
  failed?: string;
  notes: string[];
}

export interface ModeReport {
  mode: string;
  label: string;
  family: BenchFamily;
  unavailable?: string;
  runs: RunRecord[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median (the mean of the two middle values for an even count) with the range. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number };
}

const MiB = 2 ** 20;

export function runRecord(round: number, o: RunOutcome): RunRecord {
  const m = o.measured;
  return {
    round,
    wallSeconds: m.wallSeconds,
    targetRows: o.targetRows,
    sourceRecords: o.sourceRecords,
    rowsPerSecond: m.wallSeconds > 0 ? o.targetRows / m.wallSeconds : 0,
    sourcePerSecond: m.wallSeconds > 0 ? o.sourceRecords / m.wallSeconds : 0,
    cpuSeconds: m.cpuSeconds,
    postgresCpuSeconds: m.postgresCpuSeconds,
    postgresServerCpuSeconds: m.postgresServerCpuSeconds,
    samplerCpuSeconds: m.samplerCpuSeconds,
    peakTreeRssMiB: m.peakTreeRss / MiB,
    peakProcessRssMiB: m.peakProcessRss / MiB,
    exitCode: m.exitCode,
    ...(o.failed === undefined ? {} : { failed: o.failed }),
    notes: o.notes,
  };
}

/** The figures of a mode's row: medians over the runs that moved every row; failed runs are counted apart. */
export interface ModeSummary {
  mode: string;
  label: string;
  family: BenchFamily;
  runs: number;
  failed: string[];
  unavailable?: string;
  wall?: Spread;
  rowsPerSecond?: number;
  sourcePerSecond?: number;
  targetRows?: number;
  /** The highest peaks of any run: memory limits are about the worst case. */
  peakTreeRssMiB?: number;
  peakProcessRssMiB?: number;
  cpuSeconds?: number;
  postgresCpuSeconds?: number;
  postgresServerCpuSeconds?: number;
  xPgloader?: number;
  xShell?: number;
}

export function summarise(modes: readonly ModeReport[]): ModeSummary[] {
  const base = modes.map((m): ModeSummary => {
    const good = m.runs.filter((r) => r.failed === undefined);
    const failed = m.runs.filter((r) => r.failed !== undefined).map((r) => `round ${r.round}: ${r.failed}`);
    const summary: ModeSummary = { mode: m.mode, label: m.label, family: m.family, runs: m.runs.length, failed, ...(m.unavailable ? { unavailable: m.unavailable } : {}) };
    if (good.length === 0) return summary;
    return {
      ...summary,
      wall: spread(good.map((r) => r.wallSeconds)),
      rowsPerSecond: spread(good.map((r) => r.rowsPerSecond))?.median,
      sourcePerSecond: spread(good.map((r) => r.sourcePerSecond))?.median,
      targetRows: spread(good.map((r) => r.targetRows))?.median,
      peakTreeRssMiB: Math.max(...good.map((r) => r.peakTreeRssMiB)),
      peakProcessRssMiB: Math.max(...good.map((r) => r.peakProcessRssMiB)),
      cpuSeconds: spread(good.map((r) => r.cpuSeconds))?.median,
      postgresCpuSeconds: spread(good.map((r) => r.postgresCpuSeconds))?.median,
      postgresServerCpuSeconds: spread(good.map((r) => r.postgresServerCpuSeconds))?.median,
    };
  });
  // Ratios of rows/s on the same SQLite file; the mongo sample is other data, so it gets none.
  const rate = (name: string) => base.find((s) => s.mode === name)?.rowsPerSecond;
  const pgl = rate('pgloader');
  const shell = rate('shell');
  return base.map((s) =>
    s.family !== 'sqlite' || s.rowsPerSecond === undefined
      ? s
      : { ...s, ...(pgl ? { xPgloader: s.rowsPerSecond / pgl } : {}), ...(shell ? { xShell: s.rowsPerSecond / shell } : {}) },
  );
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** The side-by-side table: one row per mode (the sync rows have a table of their own, sync-report.ts). */
export function markdownTable(rows: readonly ModeSummary[]): string {
  const lines = [
    '| path | wall median (min–max) | rows/s | × pgloader | × shell | peak RSS | CPU node | CPU postgres |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    if (r.family === 'sync') continue;
    if (r.runs === 0 && !r.unavailable) continue; // --repeat 0
    if (r.unavailable) {
      lines.push(`| ${r.label} | ${r.unavailable} | | | | | | |`);
      continue;
    }
    const fail = r.failed.length > 0 ? ` **FAILED ${r.failed.length} of ${r.runs}**` : '';
    if (!r.wall) {
      lines.push(`| ${r.label} | **FAILED** (${r.failed.join('; ')}) | | | | | | |`);
      continue;
    }
    const range = r.wall.min === r.wall.max ? `${sec(r.wall.median)} s` : `${sec(r.wall.median)} s (${sec(r.wall.min)}–${sec(r.wall.max)})`;
    const rate = r.family === 'mongo' && r.sourcePerSecond !== undefined ? `${int(r.rowsPerSecond ?? 0)} (${int(r.sourcePerSecond)} docs/s)` : int(r.rowsPerSecond ?? 0);
    const x = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(2)}×`);
    const tree = r.peakTreeRssMiB ?? 0;
    const one = r.peakProcessRssMiB ?? 0;
    const rss = tree - one < 1 ? `${int(one)} MiB` : `${int(one)} MiB (tree ${int(tree)})`;
    lines.push(`| ${r.label}${fail} | ${range} | ${rate} | ${x(r.xPgloader)} | ${x(r.xShell)} | ${rss} | ${sec(r.cpuSeconds ?? 0)} s | ${sec(r.postgresCpuSeconds ?? 0)} s |`);
  }
  return lines.join('\n');
}
