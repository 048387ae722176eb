import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { missingRows, sum, type BenchContext, type RunOutcome } from './bench-mode.ts';
import { countTargetRows, toolRunTotals } from './databases.ts';
import { measure } from './measure.ts';
import { packageScript } from './package-script.ts';

export interface ToolRun {
  /** The package.json script, e.g. `migrate:sqlite-to-postgres`. */
  script: string;
  /** Names the database and the run folder. */
  mode: string;
  round: number | string;
  /** Source flags; `--target-url` and `--config` are added. */
  args: readonly string[];
  /** A config file (YAML/JSON) whose settings the run's config starts from. */
  configFile?: string;
  /** Settings on top of it (`workers: off`). */
  settings?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** SQLite: every table must arrive whole. MongoDB: the tool's summary must balance. */
  check: 'sqlite-rows' | 'tool-balance';
  /** Keep the run folder (a profile is read from it afterwards). */
  keepDir?: boolean;
  /** Keep the database (a template for later runs): the caller drops it. */
  keepDatabase?: boolean;
}

/**
 * One run of the tool's CLI into a fresh database, as the user runs it (`npm run <script> -- …`,
 * read from package.json), measured from outside. The run's config keeps its checkpoints and logs
 * in the run's own folder (deleted afterwards unless --keep or the run failed); afterwards the
 * target is counted and, for MongoDB sources, the tool's own summary read back.
 */
export async function runTool(ctx: BenchContext, run: ToolRun): Promise<RunOutcome & { dir: string; database: string }> {
  const db = ctx.databases.name(run.mode, run.round);
  const url = await ctx.databases.fresh(db);
  const dir = join(ctx.workDir, `${run.mode}-${run.round}`);
  mkdirSync(dir, { recursive: true });
  const base = run.configFile ? (parseYaml(readFileSync(run.configFile, 'utf8')) as Record<string, unknown>) : {};
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ ...base, ...run.settings, checkpointDir: join(dir, 'checkpoints'), logDir: join(dir, 'logs') }, null, 2));
  const { argv, env } = packageScript(ctx.root, run.script, [...run.args, ...ctx.toolFlags, '--target-url', url, '--config', config]);
  const measured = await measure(argv, { cwd: ctx.root, env: { ...env, ...run.env }, logFile: join(dir, 'output.log'), database: db, timeoutMs: ctx.timeoutMs });
  const counts = await countTargetRows(url);
  const targetRows = sum(counts.values());
  const notes: string[] = [];
  let failed = measured.timedOut ? `killed after ${ctx.timeoutMs / 1000} s` : measured.exitCode !== 0 ? `exit code ${measured.exitCode} (see ${join(dir, 'output.log')})` : undefined;
  let sourceRecords = sum(ctx.sqliteCounts.values());
  if (run.check === 'sqlite-rows') {
    failed ??= missingRows(ctx.sqliteCounts, counts);
  } else {
    const totals = await toolRunTotals(url);
    sourceRecords = totals?.source ?? 0;
    if (!totals) failed ??= 'no run summary in _migration.runs';
    else {
      if (!totals.balanced) failed ??= `counts do not add up: source ${totals.source} ≠ written ${totals.written} + rejected ${totals.rejected} + skipped ${totals.skipped}`;
      notes.push(`${totals.source.toLocaleString('en-US')} documents: ${totals.written.toLocaleString('en-US')} written, ${totals.rejected.toLocaleString('en-US')} rejected (the sample's dirt), ${totals.skipped.toLocaleString('en-US')} skipped`);
    }
  }
  if (!ctx.keep && !run.keepDatabase) await ctx.databases.drop(db);
  if (!ctx.keep && !run.keepDir && failed === undefined) rmSync(dir, { recursive: true, force: true });
  return { measured, targetRows, sourceRecords, failed, notes, dir, database: db };
}
