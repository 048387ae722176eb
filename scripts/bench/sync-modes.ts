import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, BenchMode, RunOutcome } from './bench-mode.ts';
import { changeDump, type DumpChanges } from './change-dump.ts';
import { BaselineJson, readReport, SyncJson } from './cli-reports.ts';
import { runCommand, type CommandRun } from './command-run.ts';
import type { BenchDatabases } from './databases.ts';
import { baselineProblems, differenceProblems, missedBySince, syncCountProblems } from './sync-checks.ts';
import { runTool } from './tool-run.ts';

/** Where `migration:sync` is compiled to; until it is, its row says "not built". */
export const SYNC_CLI = 'dist/src/cli/sync-cli.js';

/** What the three rows share, made once by the first prepare (not timed). */
export interface SyncSetup {
  /** The changed copy of the `--scale` sample, and what was changed. */
  changedDump: string;
  changes: DumpChanges;
  /** The sample migrated once: every baseline and sync run starts from a copy of it. */
  template: string;
  templateSeconds: number;
  /** When the template migration started: the --since rows' time (the changed dump's edits are stamped later). */
  since: Date;
}

export interface SyncBench {
  /** baseline, baseline --since, sync, sync --since, remigrate: interleaved by the bench's rounds (`--mongo-repeat`). */
  modes: BenchMode[];
  setup(): SyncSetup | undefined;
}

const sinceArgs = (since: Date | undefined) => (since ? ['--since', since.toISOString()] : []);
const baselineRun = (dump: string, name = 'baseline', since?: Date): CommandRun => ({
  script: 'migration:baseline',
  fallback: 'node --enable-source-maps dist/src/cli/baseline-cli.js',
  name,
  args: ['--dump', dump, ...sinceArgs(since)],
});
const syncRun = (dump: string, name = 'sync', since?: Date): CommandRun => ({ script: 'migration:sync', fallback: `node --enable-source-maps ${SYNC_CLI}`, name, args: ['--dump', dump, ...sinceArgs(since)] });
const n = (v: number) => v.toLocaleString('en-US');

/**
 * Issue 13's rows: the `--scale` sample migrated once into a template database, a copy of the
 * dump with 1% of its documents changed (change-dump.ts), and per round (a) migration:baseline of
 * the changed dump against a copy of the template, which must exit 3 with exactly the changes
 * made, (b) migration:sync of it against another copy, which must exit 0 and leave a baseline
 * with nothing to do, (c) a full migration of the changed dump into an empty database; and (a)
 * and (b) again with `--since` the template migration's start (the changed dump stamps its
 * edits later, change-dump.ts DumpStamps), where a sync counts when the baseline after it finds
 * nothing but the silent updates, which --since misses by design. The databases are `bench_sync_<pid>_…`.
 */
export function syncBench(options: { root: string; seed: number }): SyncBench {
  let prepared: Promise<SyncSetup> | undefined;
  let setup: SyncSetup | undefined;
  let databases: BenchDatabases | undefined;
  let changedDump: string | undefined;
  let keep = false;
  const own = (ctx: BenchContext): BenchContext => {
    databases ??= ctx.databases.sibling(`bench_sync_${process.pid}`);
    keep = ctx.keep;
    return { ...ctx, databases };
  };

  const prepare = async (ctx: BenchContext): Promise<SyncSetup> => {
    const sctx = own(ctx);
    console.error('sync: migrating the sample into the template …');
    // The template first: its start is --since, and the changed dump's edits are stamped after it ends.
    const since = new Date();
    const before = await runTool(sctx, { script: 'migrate:mongo-to-postgres', mode: 'template', round: 'before', args: ['--dump', ctx.dumpDir], check: 'tool-balance', keepDatabase: true });
    if (before.failed) throw new Error(`the migration into the template failed: ${before.failed}`);
    const started = performance.now();
    const dir = join(ctx.workDir, 'sync-changed-dump');
    changedDump = dir;
    const changes = changeDump(ctx.dumpDir, dir, { seed: options.seed, stamp: { before: new Date(since.getTime() - 86_400_000), after: new Date() } });
    const t = changes.totals;
    console.error(
      `sync: changed dump of ${n(changes.changedDocuments)} documents in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
        `${n(t.mapped)} mapped (${n(changes.stamp?.silent ?? 0)} of them silent: stamp kept) and ${n(t.unmapped)} unmapped updates, ${n(t.inserted)} inserts, ${n(t.deleted)} deletes`,
    );
    setup = { changedDump: dir, changes, template: before.database, templateSeconds: before.measured.wallSeconds, since };
    return setup;
  };
  const shared = (ctx: BenchContext) => (prepared ??= prepare(ctx));

  /** A copy of the template for one run, dropped afterwards (unless --keep), and the run's folder. */
  const onCopy = async (ctx: BenchContext, mode: string, round: number, f: (s: SyncSetup, sctx: BenchContext, db: string, dir: string) => Promise<RunOutcome>): Promise<RunOutcome> => {
    const s = await shared(ctx);
    const sctx = own(ctx);
    const db = sctx.databases.name(mode, round);
    await sctx.databases.copy(s.template, db);
    const dir = join(ctx.workDir, `sync-${mode}-${round}`);
    const out = await f(s, sctx, db, dir);
    if (!ctx.keep) await sctx.databases.drop(db);
    if (!ctx.keep && out.failed === undefined) rmSync(dir, { recursive: true, force: true });
    return out;
  };

  /** migration:baseline of the changed dump; with `since`, what --since sees (the silent updates unchanged). */
  const baselineMode = (name: string, label: string, since: boolean): BenchMode => ({
    name,
    label,
    family: 'sync',
    unavailable: () => undefined,
    prepare: async (ctx) => void (await shared(ctx)),
    run: (ctx, round) =>
      onCopy(ctx, name, round, async (s, sctx, db, dir) => {
        const out = await runCommand(sctx, baselineRun(s.changedDump, 'baseline', since ? s.since : undefined), db, dir);
        const read = readReport(out.stdoutFile, BaselineJson);
        const notes: string[] = [];
        let failed = out.measured.timedOut ? `killed after ${ctx.timeoutMs / 1000} s` : out.measured.exitCode !== 3 ? `exit code ${out.measured.exitCode}, not 3 (see ${out.logFile})` : undefined;
        if (!read.ok) failed ??= read.problem;
        else {
          const problems = baselineProblems(read.report, s.changes, since);
          if (problems.length > 0) failed ??= `not the changes made: ${problems.slice(0, 5).join('; ')}`;
          const t = read.report.totals;
          notes.push(
            `${n(t.source)} documents: ${n(t.new)} new, ${n(t.changed)} changed, ${n(t.deleted)} deleted, ${n(t.unchanged)} unchanged (the unmapped updates among them` +
              `${since ? `, and the ${n(s.changes.stamp?.silent ?? 0)} silent updates` : ''}), as made`,
          );
        }
        return { measured: out.measured, targetRows: read.ok ? read.report.totals.target : 0, sourceRecords: read.ok ? read.report.totals.source : 0, failed, notes };
      }),
  });

  /**
   * migration:sync of the changed dump, and the proof (a full baseline afterwards, not timed):
   * nothing left to do, or with `since` exactly the silent updates, which --since misses by design.
   */
  const syncMode = (name: string, label: string, since: boolean): BenchMode => ({
    name,
    label,
    family: 'sync',
    unavailable: () => (existsSync(join(options.root, SYNC_CLI)) ? undefined : `not built (no ${SYNC_CLI})`),
    prepare: async (ctx) => void (await shared(ctx)),
    run: (ctx, round) =>
      onCopy(ctx, name, round, async (s, sctx, db, dir) => {
        const out = await runCommand(sctx, syncRun(s.changedDump, 'sync', since ? s.since : undefined), db, dir);
        const notes: string[] = [];
        let failed = out.measured.timedOut ? `killed after ${ctx.timeoutMs / 1000} s` : out.measured.exitCode !== 0 ? `exit code ${out.measured.exitCode} (see ${out.logFile})` : undefined;
        const read = readReport(out.stdoutFile, SyncJson);
        if (!read.ok) notes.push(`its own counts not read: ${read.problem}`);
        else {
          const problems = syncCountProblems(read.report, s.changes, since);
          notes.push(problems.length === 0 ? `its own counts are the changes made${since ? ' (the silent updates aside)' : ''}` : `its own counts differ from the changes made: ${problems.slice(0, 5).join('; ')}`);
        }
        if (failed === undefined) failed = await afterSync(sctx, s, db, dir, since, notes);
        return { measured: out.measured, targetRows: 0, sourceRecords: s.changes.changedDocuments, failed, notes };
      }),
  });

  /** The full baseline after a sync: why the sync does not count, or undefined (with a note). */
  const afterSync = async (sctx: BenchContext, s: SyncSetup, db: string, dir: string, since: boolean, notes: string[]): Promise<string | undefined> => {
    const after = await runCommand(sctx, baselineRun(s.changedDump, 'baseline-after'), db, dir);
    const check = readReport(after.stdoutFile, BaselineJson);
    const code = after.measured.exitCode;
    if (code === 0) {
      notes.push('a baseline afterwards finds no differences');
      return undefined;
    }
    const t = check.ok ? check.report.totals : undefined;
    const summary = `${t ? ` (${t.new} new, ${t.changed} changed, ${t.deleted} deleted, ${t.wasRejected + t.nowRejects} rejection changes)` : ''} (see ${after.logFile})`;
    if (!since || code !== 3 || !check.ok) return `the baseline after it exits ${code}${summary}`;
    // Missed by design: exactly the silent updates, by count per model and by every example id the baseline names.
    const problems = differenceProblems(check.report, missedBySince(s.changes));
    const silentIds = new Set(s.changes.collections.flatMap((c) => c.silentIds));
    const named = check.report.models.flatMap((m) => (m.examples?.changed ?? []).map((e) => e.sourceId));
    const strangers = named.filter((id) => !silentIds.has(id));
    if (strangers.length > 0) problems.push(`changed documents that are not silent updates: ${strangers.slice(0, 5).join(', ')}`);
    if (problems.length > 0) return `the baseline after it exits 3 with more than the silent updates: ${problems.slice(0, 5).join('; ')}${summary}`;
    notes.push(`a baseline afterwards finds exactly the ${n(s.changes.stamp?.silent ?? 0)} silent updates (a mapped field changed, the stamp kept): missed by --since by design, nothing else`);
    return undefined;
  };

  const baseline = baselineMode('baseline', 'migration:baseline of the changed dump', false);
  const baselineSince = baselineMode('baseline-since', 'migration:baseline --since (the template migration’s start)', true);
  const sync = syncMode('sync', 'migration:sync of the changed dump', false);
  const syncSince = syncMode('sync-since', 'migration:sync --since (the template migration’s start)', true);

  const remigrate: BenchMode = {
    name: 'remigrate',
    label: 'full re-migration of the changed dump',
    family: 'sync',
    unavailable: () => undefined,
    prepare: async (ctx) => void (await shared(ctx)),
    async run(ctx, round) {
      const s = await shared(ctx);
      const out = await runTool(own(ctx), { script: 'migrate:mongo-to-postgres', mode: 'remigrate', round, args: ['--dump', s.changedDump], check: 'tool-balance' });
      if (out.failed === undefined && out.sourceRecords !== s.changes.changedDocuments) {
        out.failed = `read ${n(out.sourceRecords)} documents, the changed dump has ${n(s.changes.changedDocuments)}`;
      }
      return out;
    },
  };

  const dispose = async (): Promise<void> => {
    if (keep) return;
    await databases?.dropAll();
    if (changedDump) rmSync(changedDump, { recursive: true, force: true });
  };
  return { modes: [baseline, baselineSince, sync, syncSince, remigrate].map((m) => ({ ...m, dispose })), setup: () => setup };
}
