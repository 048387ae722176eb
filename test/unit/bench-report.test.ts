import { expect, test } from '@jest/globals';
import { missingRows } from '../../scripts/bench/bench-mode.ts';
import { parseStat } from '../../scripts/bench/proc-stats.ts';
import { markdownTable, spread, summarise, type ModeReport, type RunRecord } from '../../scripts/bench/report.ts';

const run = (round: number, wallSeconds: number, failed?: string): RunRecord => ({
  round,
  wallSeconds,
  targetRows: 1000,
  sourceRecords: 1000,
  rowsPerSecond: 1000 / wallSeconds,
  sourcePerSecond: 1000 / wallSeconds,
  cpuSeconds: 1,
  postgresCpuSeconds: 1,
  postgresServerCpuSeconds: 2,
  samplerCpuSeconds: 0.1,
  peakTreeRssMiB: 100 + round,
  peakProcessRssMiB: 90 + round,
  exitCode: 0,
  ...(failed ? { failed } : {}),
  notes: [],
});

test('median with its range, for odd and even counts', () => {
  expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
  expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  expect(spread([])).toBeUndefined();
});

test('a run that lost rows is FAILED and left out of the medians; ratios are to pgloader and the shell on the same file', () => {
  expect(missingRows(new Map([['users', 10], ['posts', 5]]), new Map([['users', 10], ['posts', 5]]))).toBeUndefined();
  const lost = missingRows(new Map([['users', 10], ['posts', 5], ['tags', 1]]), new Map([['users', 9], ['posts', 5]]));
  expect(lost).toBe('rows lost: users: 9 of 10 rows, tags: no table');

  const modes: ModeReport[] = [
    { mode: 'direct', label: 'tool', family: 'sqlite', runs: [run(1, 10), run(2, 1, lost), run(3, 20)] },
    { mode: 'pgloader', label: 'pgloader', family: 'sqlite', runs: [run(1, 30)] },
    { mode: 'shell', label: 'shell', family: 'sqlite', runs: [run(1, 5)] },
    { mode: 'mongodump', label: 'dump', family: 'mongo', runs: [run(1, 2)] },
  ];
  const [tool, pgl, , dump] = summarise(modes);
  expect(tool?.failed).toEqual([`round 2: ${lost}`]);
  expect(tool?.wall).toEqual({ median: 15, min: 10, max: 20 });
  expect(tool?.rowsPerSecond).toBeCloseTo((100 + 50) / 2, 10);
  expect(tool?.xPgloader).toBeCloseTo(75 / (1000 / 30), 10);
  expect(tool?.xShell).toBeCloseTo(75 / 200, 10);
  expect(tool?.peakTreeRssMiB).toBe(103); // the worst run that counts
  expect(pgl?.xPgloader).toBeCloseTo(1, 10);
  expect(dump?.xPgloader).toBeUndefined(); // other data: no ratio

  const table = markdownTable(summarise(modes)).split('\n');
  expect(table[2]).toMatch(/^\| tool \*\*FAILED 1 of 3\*\* \| 15\.0 s \(10\.0–20\.0\) \| 75 \| 2\.25× \| 0\.38× \| 93 MiB \(tree 103\) \|/);
  expect(markdownTable(summarise([{ mode: 'direct', label: 'tool', family: 'sqlite', runs: [run(1, 10, 'exit code 1')] }]))).toContain('| tool | **FAILED** (round 1: exit code 1) |');
  expect(markdownTable(summarise([{ mode: 'pgloader', label: 'pgloader', family: 'sqlite', unavailable: 'not installed', runs: [] }]))).toContain('| pgloader | not installed |');
});

test('/proc/<pid>/stat: fields counted from the last parenthesis, CPU in seconds, RSS in bytes', () => {
  const fields = ['S', '41', ...Array.from({ length: 9 }, () => '0'), '250', '50', '30', '20', ...Array.from({ length: 6 }, () => '0'), '1000'];
  const stat = parseStat(`1234 (we) (i rd) ${fields.join(' ')} 0 0`);
  expect(stat).toMatchObject({ pid: 1234, comm: 'we) (i rd', ppid: 41 });
  expect(stat?.cpu).toBeCloseTo(3, 5); // (250 + 50) ticks at 100 Hz
  expect(stat?.childCpu).toBeCloseTo(0.5, 5);
  expect(stat?.rss).toBe(1000 * 4096);
});
