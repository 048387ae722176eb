import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refuseStaleBuild } from '../src/cli/fresh-build.ts';
import { PACKAGE_ROOT } from '../src/cli/package-root.ts';
import { startEmbeddedPostgres } from '../src/target/embedded-postgres.ts';
import type { BenchContext, BenchMode, RunOutcome } from './bench/bench-mode.ts';
import { MODE_NAMES, parseBenchFlags } from './bench/bench-flags.ts';
import { BenchDatabases } from './bench/databases.ts';
import { ferretdbMode } from './bench/ferretdb-mode.ts';
import { benchSqliteFile } from './bench/make-sqlite.ts';
import { killMeasured } from './bench/measure.ts';
import { benchDump } from './bench/mongo-sample.ts';
import { packageScript } from './bench/package-script.ts';
import { pgloaderMode, pgloaderVersion } from './bench/pgloader-mode.ts';
import { profileDirect } from './bench/profile-run.ts';
import { reportMarkdown, type BenchExtras, type BenchMeta } from './bench/report-document.ts';
import { runRecord, summarise, type ModeReport } from './bench/report.ts';
import { shellMode } from './bench/shell-mode.ts';
import { sqliteFacts } from './bench/sqlite-facts.ts';
import { syncBench } from './bench/sync-modes.ts';
import { summariseSync, syncMarkdown, type SyncSummary } from './bench/sync-report.ts';
import { directMode, directOneThreadMode, mongodumpMode, schemaMode } from './bench/tool-modes.ts';

// The side-by-side speed and memory report (issue 11): this tool's SQLite direct and schema modes,
// its mongodump and live-server reads, pgloader and the shell pipeline, each run as an OS process
// of its own into a fresh database, interleaved round by round, every run checked to have moved
// every row. usage: npm run bench -- [--rows N] [--repeat N] [--only direct,pgloader,…] [--profile] …
// Issue 13's baseline and sync timings: npm run bench -- --only sync --scale 100 [--mongo-repeat N].

refuseStaleBuild();

// The repository, whether this runs as TypeScript or as dist/scripts/benchmark.js.
const ROOT = PACKAGE_ROOT;
const flags = parseBenchFlags();
const mongoUrl = flags.mongoUrl ?? process.env['MONGO_URL'];
const wanted = new Set<string>(flags.only ?? MODE_NAMES.filter((m) => m !== 'sync' && (m !== 'ferretdb' || flags.ferretdb === true || mongoUrl !== undefined)));
const sync = wanted.has('sync') ? syncBench({ root: ROOT, seed: flags.syncSeed }) : undefined;
const modes: BenchMode[] = [
  ...[directMode, directOneThreadMode, schemaMode, pgloaderMode, shellMode(), mongodumpMode, ferretdbMode({ mongoUrl, scale: flags.scale })].filter((m) => wanted.has(m.name)),
  ...(sync?.modes ?? []),
];
const log = (line: string) => process.stderr.write(`${line}\n`);
/** A run that threw before it could be measured (a database that could not be made, …) is a FAILED run. */
const thrown = (error: unknown): RunOutcome => ({
  measured: { exitCode: 1, timedOut: false, wallSeconds: 0, cpuSeconds: 0, peakTreeRss: 0, peakProcessRss: 0, postgresCpuSeconds: 0, postgresServerCpuSeconds: 0, samplerCpuSeconds: 0 },
  targetRows: 0,
  sourceRecords: 0,
  failed: `bench error: ${error instanceof Error ? error.message : String(error)}`,
  notes: [],
});

const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
const cacheDir = join(ROOT, '.cache', 'bench');
const workDir = join(ROOT, '.cache', 'bench', 'runs', stamp);
mkdirSync(workDir, { recursive: true });
const embedded = flags.targetUrl ?? process.env['DATABASE_URL'] ? undefined : await startEmbeddedPostgres({ dataDir: join(ROOT, '.cache', 'bench-pg'), port: 54349 });
const adminUrl = flags.targetUrl ?? process.env['DATABASE_URL'] ?? embedded?.url ?? '';
const databases = new BenchDatabases(adminUrl, `bench_${process.pid}`);

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  log('SIGINT: ending the run in flight, dropping the bench databases');
  killMeasured();
});

const needsSqlite = modes.some((m) => m.family === 'sqlite') || flags.profile === true;
const needsDump = modes.some((m) => m.family !== 'sqlite') || flags.details === true;
if (sync) log(`sync rows: ${flags.mongoRepeat} round(s) (--mongo-repeat), the sample at scale ${flags.scale} with 1% changed (seed ${flags.syncSeed})`);
if (needsSqlite) log(`SQLite file of ${flags.rows.toLocaleString('en-US')} rows: ${join(cacheDir, `sqlite-${flags.rows}.db`)} (made once)`);
const sqliteFile = needsSqlite ? benchSqliteFile(cacheDir, flags.rows) : '';
const facts = needsSqlite ? sqliteFacts(sqliteFile) : undefined;
const dump = needsDump ? await benchDump(cacheDir, flags.scale) : undefined;
const toolFlags = [...(flags.batchSize ? ['--batch-size', String(flags.batchSize)] : []), ...(flags.writer ? ['--writer', flags.writer] : [])];
const ctx: BenchContext = {
  root: ROOT,
  workDir,
  sqliteFile,
  sqliteCounts: new Map((facts?.tables ?? []).map((t) => [t.name, t.rows])),
  dumpDir: dump?.dir ?? '',
  databases,
  timeoutMs: flags.timeout * 1000,
  keep: flags.keep === true,
  toolFlags,
};

const reports: ModeReport[] = modes.map((m) => ({ mode: m.name, label: m.label, family: m.family, runs: [] }));
let profile: BenchExtras['profile'];
let details: string | undefined;
const loadBefore = loadavg();
try {
  for (const [i, mode] of modes.entries()) {
    const report = reports[i] as ModeReport;
    const why = mode.unavailable();
    if (why) {
      report.unavailable = why;
      log(`${mode.name}: ${why}, left out`);
      continue;
    }
    try {
      await mode.prepare?.(ctx);
    } catch (error) {
      report.unavailable = `not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      log(`${mode.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const repeatOf = (mode: BenchMode) => (mode.family === 'sqlite' ? flags.repeat : flags.mongoRepeat);
  const rounds = Math.max(0, ...modes.map(repeatOf));
  for (let round = 1; round <= rounds && !interrupted; round++) {
    for (const [i, mode] of modes.entries()) {
      const report = reports[i] as ModeReport;
      if (report.unavailable || interrupted || round > repeatOf(mode)) continue;
      log(`[round ${round}/${rounds}] ${mode.name} …`);
      const record = runRecord(round, await mode.run(ctx, round).catch((error: unknown) => thrown(error)));
      report.runs.push(record);
      log(
        `[round ${round}/${rounds}] ${mode.name}: ${record.wallSeconds.toFixed(1)} s, ${Math.round(record.rowsPerSecond).toLocaleString('en-US')} rows/s, ` +
          `peak ${Math.round(record.peakTreeRssMiB)} MiB, CPU ${record.cpuSeconds.toFixed(1)} s + postgres ${record.postgresCpuSeconds.toFixed(1)} s${record.failed ? `, FAILED: ${record.failed}` : ''}`,
      );
    }
  }
  if (flags.profile && !interrupted) {
    log('profile: the direct mode once under node --cpu-prof …');
    try {
      const p = await profileDirect(ctx);
      profile = { summary: p.summary, file: p.file, ...(p.outcome.failed ? { failed: p.outcome.failed } : {}) };
    } catch (error) {
      profile = { failed: error instanceof Error ? error.message : String(error) };
    }
  }
  if (flags.details && !interrupted) {
    log('details: the in-process mongodump run …');
    // The same runtime as this script (tsx's loader flags, or none for compiled JS), in a process of its own.
    const script = fileURLToPath(new URL(`./bench/mongodump-details${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url));
    const args = ['--target-url', adminUrl, '--scale', String(flags.scale), '--work-dir', join(workDir, 'details'), ...toolFlags];
    const out = spawnSync(process.execPath, [...process.execArgv, script, ...args], { cwd: ROOT, encoding: 'utf8' });
    details = out.status === 0 ? out.stdout.trim() : `FAILED (exit ${out.status}): ${out.stderr.trim().split('\n').slice(-3).join(' ')}`;
  }
} finally {
  for (const mode of modes) await mode.dispose?.().catch(() => undefined);
  if (!flags.keep) await databases.dropAll().catch((e: unknown) => log(`dropping the bench databases: ${String(e)}`));
  const version = await databases.serverVersion().catch(() => '?');
  await embedded?.stop();
  if (!flags.keep) for (const d of ['shell-ddl', 'ferretdb-data', 'details']) rmSync(join(workDir, d), { recursive: true, force: true });
  // What is left is worth a look: a failed run's logs, the profile.
  if (readdirSync(workDir).length === 0) rmSync(workDir, { recursive: true, force: true });

  const rows = summarise(reports);
  const setup = sync?.setup();
  const syncSummary: SyncSummary | undefined = setup ? summariseSync(reports, setup.changes, setup.templateSeconds, setup.since) : undefined;
  // Without its setup (the template migration failed, an interrupt) the section says why.
  const syncSection = syncSummary ? syncMarkdown(syncSummary) : sync ? reports.filter((r) => r.family === 'sync').map((r) => `- ${r.label}: ${r.unavailable ?? 'not run'}`).join('\n') : undefined;
  const meta: BenchMeta = {
    date: startedAt.toISOString(),
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageBefore: loadBefore.map((n) => Number(n.toFixed(2))),
    loadAverageAfter: loadavg().map((n) => Number(n.toFixed(2))),
    node: process.version,
    postgres: version,
    pgloader: pgloaderVersion() ?? 'pgloader not installed',
    sqlite3: spawnSync('sqlite3', ['--version'], { encoding: 'utf8' }).stdout?.split(' ')[0] || 'not installed',
    ...(needsSqlite ? { sqliteFile: { path: sqliteFile, rows: [...ctx.sqliteCounts.values()].reduce((a, b) => a + b, 0), bytes: statSync(sqliteFile).size, tables: Object.fromEntries(ctx.sqliteCounts) } } : {}),
    ...(dump ? { mongodump: { path: dump.dir, scale: flags.scale, documents: dump.documents } } : {}),
    repeat: flags.repeat,
    mongoRepeat: flags.mongoRepeat,
    order: modes.map((m) => m.name),
    toolCommands: { sqlite: packageScript(ROOT, 'migrate:sqlite-to-postgres', []).script, mongo: packageScript(ROOT, 'migrate:mongo-to-postgres', []).script },
    toolFlags,
  };
  const md = reportMarkdown(meta, rows, reports, { ...(profile ? { profile } : {}), ...(details ? { details } : {}), ...(syncSection ? { sync: syncSection } : {}) });
  const outDir = resolve(flags.out);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'report.md'), md);
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify({ meta, summary: rows, modes: reports, profile, details, ...(setup && syncSummary ? { sync: { ...syncSummary, collections: setup.changes.collections } } : {}) }, null, 2)}\n`);
  console.log(md);
  log(`report: ${join(outDir, 'report.md')}, ${join(outDir, 'report.json')}`);
  process.exitCode = interrupted ? 130 : rows.some((r) => r.failed.length > 0) || profile?.failed ? 1 : 0;
}
