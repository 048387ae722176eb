/**
 * migration:status (issue 13, item 3): where a run stands, read from the target and the
 * checkpoint file, without disturbing a run. After a whole run it says done with the summary's
 * counts; after a pause it shows the model loading with its cursor and the rest pending, and the
 * resume then ends the same as an uninterrupted run; while a run holds the lock (and a batch's
 * transaction is open) it returns at once and names the holder; an empty target is exit 3, a
 * bad flag exit 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, expect, test } from '@jest/globals';
import { statusReportSchema, type StatusReport } from '../../src/run/status-report.ts';
import { acquireRunLock, readRunLockHolder } from '../../src/target/run-lock.ts';
import { databasesForThisFile, type TestDatabase } from '../support/databases.ts';
import { fingerprint, printedCounts, spawnMigrate, type Fingerprint } from '../support/interrupt-helpers.ts';
import { runCli, runMigrateCli } from '../support/run-cli.ts';
import { sampleDump } from '../support/sample-source.ts';

const database = databasesForThisFile();
/** Small batches, one model at a time: a pause lands with one model part-way and the rest pending. */
const LOAD = ['--batch-size', '20', '--parallelism', '1'];
const TIMEOUT = 300_000;

let dumpDir: string;
let reference: { db: TestDatabase; config: string; stdout: string; fingerprint: Fingerprint };

/** A config keeping checkpoints and logs in a temp folder, shared by migrate and status. */
function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'status-'));
  const config = join(dir, 'migration.yaml');
  writeFileSync(config, `source:\n  kind: mongodump\n  path: ${dumpDir}\ncheckpointDir: ${join(dir, 'checkpoints')}\nlogDir: ${join(dir, 'logs')}\n`);
  return config;
}

async function status(config: string, db: TestDatabase, extra: string[] = []): Promise<{ code: number | null; report: StatusReport; stderr: string }> {
  const result = await runCli('status', ['--config', config, '--target-url', db.url, '--json', ...extra]);
  if (result.code !== 0) throw new Error(`status exited ${result.code}:\n${result.stderr}`);
  return { code: result.code, report: statusReportSchema.parse(JSON.parse(result.stdout)), stderr: result.stderr };
}

beforeAll(async () => {
  dumpDir = (await sampleDump(1)).dir;
  const db = await database('status_ref');
  const config = configFile();
  const run = await runMigrateCli(['--config', config, '--target-url', db.url, ...LOAD]);
  if (run.code !== 0) throw new Error(`reference run exited ${run.code}:\n${run.stderr}`);
  reference = { db, config, stdout: run.stdout, fingerprint: await fingerprint(db.pool) };
}, TIMEOUT);


/** Waits (on the target's state, not a clock) until a model is loading with rows written and several batches left. */
async function untilMidLoad(db: TestDatabase, child: ReturnType<typeof spawnMigrate>): Promise<void> {
  for (;;) {
    const { rows } = await db.pool
      .query(`SELECT 1 FROM _migration.progress WHERE status = 'loading' AND written > 0 AND source_count - read > 60`)
      .catch(() => ({ rows: [] }));
    if (rows.length > 0) return;
    if (!child.running()) throw new Error(`the run ended before loading:\n${child.output()}`);
    await new Promise((r) => setImmediate(r));
  }
}

test('after a whole run: done, every model loaded, the counts of the summary, the archived checkpoint agrees', async () => {
  const { report } = await status(reference.config, reference.db);
  expect(report.chosenBy).toBe('flags');
  expect(report.run).toMatchObject({ status: 'completed', state: 'done', phase: 'done' });
  expect(report.run.finishedAt).not.toBeNull();
  expect(report.lock.held).toBe(false);
  expect(report.lastSync).toBeNull();
  const { rows } = await reference.db.pool.query<{ summary: { models: { model: string; source: number; written: number; rejected: number; skipped: number }[]; totals: { written: number; rejected: number } } }>(
    `SELECT summary FROM _migration.runs`,
  );
  const summary = rows[0]?.summary;
  if (!summary) throw new Error('no summary');
  const byModel = <T extends { model: string }>(list: T[]): T[] => [...list].sort((a, b) => (a.model < b.model ? -1 : 1));
  expect(byModel(report.models).map((m) => ({ model: m.model, source: m.sourceCount, written: m.written, rejected: m.rejected, skipped: m.skipped }))).toEqual(
    byModel(summary.models).map((m) => ({ model: m.model, source: m.source, written: m.written, rejected: m.rejected, skipped: m.skipped })),
  );
  expect(report.models.every((m) => m.status === 'loaded' && m.etaSeconds === null)).toBe(true);
  expect(report.totals).toMatchObject({ written: summary.totals.written, rejected: summary.totals.rejected, loaded: report.models.length, loading: 0, pending: 0 });
  // The same numbers the migrate CLI printed in its summary table.
  expect(printedCounts(reference.stdout).filter((l) => !l.startsWith('TOTAL'))).toHaveLength(report.models.length);
  expect(report.openRejections.total).toBe(summary.totals.rejected);
  expect(report.checkpoint).toMatchObject({ kind: 'archived', agreement: 'agrees', differences: [] });

  const text = await runCli('status', ['--config', reference.config, '--target-url', reference.db.url]);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^ {2}state {5}done$/m);
  expect(text.stdout).toMatch(/^TOTAL +10 loaded, 0 loading, 0 pending/m);
  expect(text.stdout).toMatch(/^last sync: none \(npm run migration:sync brings the target up to date with the source\)$/m);
}, TIMEOUT);

test('paused: the model loading with its cursor, the rest pending, the checkpoint file agrees; the resume ends as an uninterrupted run', async () => {
  const db = await database('status_pause');
  const config = configFile();
  const child = spawnMigrate(['--config', config, '--target-url', db.url, ...LOAD]);
  // State-based, not a guessed delay: stop once a model has rows written and at least three
  // batches still to read (a pause lets the batch in flight commit, so it stays loading).
  for (;;) {
    const { rows } = await db.pool
      .query(`SELECT 1 FROM _migration.progress WHERE status = 'loading' AND written > 0 AND source_count - read > 60`)
      .catch(() => ({ rows: [] }));
    if (rows.length > 0) break;
    if (!child.running()) throw new Error(`the run ended before writing a row:\n${child.output()}`);
    await new Promise((r) => setImmediate(r));
  }
  child.child.kill('SIGINT');
  expect((await child.done).code).toBe(4);

  const { report } = await status(config, db);
  expect(report.run).toMatchObject({ status: 'paused', state: 'paused', phase: 'load' });
  expect(report.lock.held).toBe(false);
  const loading = report.models.filter((m) => m.status === 'loading');
  expect(loading).toHaveLength(1);
  const [model] = loading;
  if (!model) throw new Error('no model loading');
  // A mongodump cursor: how many documents of the .bson file the next batch skips.
  expect(Object.keys(model.cursor ?? {}).length).toBeGreaterThan(0);
  expect(model.written).toBeGreaterThan(0);
  expect(model.rowsPerSecond).toBeGreaterThan(0);
  expect(model.etaSeconds).not.toBeNull();
  expect(report.models.filter((m) => m.status === 'pending').length).toBeGreaterThan(0);
  expect(report.models.filter((m) => m.status === 'pending').every((m) => m.written === 0 && m.cursor === null)).toBe(true);
  expect(report.totals.loaded + report.totals.loading + report.totals.pending).toBe(report.models.length);
  expect(report.checkpoint).toMatchObject({ kind: 'present', agreement: 'agrees', differences: [] });

  const text = await runCli('status', ['--config', config, '--target-url', db.url]);
  expect(text.stdout).toMatch(new RegExp(`^${model.model} +loading .*${Object.keys(model.cursor ?? {})[0] ?? ''}=`, 'm'));

  const resumed = await runMigrateCli(['--config', config, '--target-url', db.url, ...LOAD]);
  expect(resumed.code).toBe(0);
  expect(await fingerprint(db.pool)).toEqual(reference.fingerprint);
  const after = await status(config, db);
  expect(after.report.run).toMatchObject({ status: 'completed', state: 'done' });
  expect(after.report.totals).toMatchObject({ loading: 0, pending: 0 });
}, TIMEOUT);

test('while a run holds the lock and a batch transaction is open: status returns, names the holder, reads only what is committed', async () => {
  const { db, config } = reference;
  const { rows } = await db.pool.query<{ run_id: string }>(`SELECT run_id FROM _migration.runs`);
  const runId = rows[0]?.run_id ?? '';
  const taken = await acquireRunLock(db.url, { command: 'migrate', runId });
  if (taken.kind !== 'held') throw new Error(taken.message);
  // What a batch holds while it commits: row locks on its progress row and writes to the state tables.
  const batch = new pg.Client({ connectionString: db.url });
  await batch.connect();
  try {
    await batch.query('BEGIN');
    await batch.query(`UPDATE _migration.progress SET written = written + 1000, updated_at = now() WHERE run_id = $1`, [runId]);
    await batch.query(`UPDATE _migration.runs SET status = 'running', updated_at = now() WHERE run_id = $1`, [runId]);
    const { report } = await status(config, db);
    expect(report.lock).toMatchObject({ held: true, byThisRun: true, command: 'migrate', pid: process.pid, runId });
    expect(report.lock.holder).toMatch(new RegExp(`^migrate of run ${runId} \\(pid ${process.pid} on host `));
    // The open transaction is not visible: the committed state is.
    expect(report.run.status).toBe('completed');
    const { rows: committed } = await db.pool.query<{ n: number }>(`SELECT sum(written)::int AS n FROM _migration.progress WHERE run_id = $1`, [runId]);
    expect(report.totals.written).toBe(committed[0]?.n);
    const text = await runCli('status', ['--config', config, '--target-url', db.url]);
    expect(text.stdout).toMatch(/^ {2}lock {6}held by migrate of run /m);
  } finally {
    await batch.query('ROLLBACK');
    await batch.end();
    await taken.lock.release();
  }
}, TIMEOUT);

test('an empty target: exit 3, naming the database; a bad flag: exit 2; an unknown --run-id: exit 2 listing the runs', async () => {
  const db = await database('status_empty');
  const empty = await runCli('status', ['--target-url', db.url]);
  expect(empty.code).toBe(3);
  expect(empty.stderr).toContain(`no migration state in this target (database ${db.name})`);
  expect(empty.stdout).toBe('');

  const bad = await runCli('status', ['--target-url', db.url, '--bogus']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/unknown option '--bogus'/);

  const unknown = await runCli('status', ['--config', reference.config, '--target-url', reference.db.url, '--run-id', 'no-such-run']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/holds no run no-such-run; its runs: mongodump-/);
}, TIMEOUT);

test('during a run (frozen mid-load with SIGSTOP, its lock and any open batch kept): running, the lock its own, the file agrees or is behind; the run then ends as an uninterrupted one', async () => {
  const db = await database('status_live');
  const config = configFile();
  const child = spawnMigrate(['--config', config, '--target-url', db.url, ...LOAD]);
  await untilMidLoad(db, child);
  // Frozen, the run cannot finish before status reads; it may be inside a batch's transaction.
  child.child.kill('SIGSTOP');
  try {
    const { report } = await status(config, db);
    expect(report.run).toMatchObject({ status: 'running', state: 'running', phase: 'load' });
    expect(report.lock).toMatchObject({ held: true, byThisRun: true, command: 'migrate', pid: child.child.pid });
    expect(report.totals.loading).toBe(1);
    expect(['agrees', 'behind']).toContain(report.checkpoint?.agreement);
  } finally {
    child.child.kill('SIGCONT');
  }
  const outcome = await child.done;
  expect(outcome.code).toBe(0);
  expect(await fingerprint(db.pool)).toEqual(reference.fingerprint);
}, TIMEOUT);

test('killed with -9 mid-load: once the server has dropped its lock, the run marked running shows as stopped; the same command resumes it', async () => {
  const db = await database('status_killed');
  const config = configFile();
  const child = spawnMigrate(['--config', config, '--target-url', db.url, ...LOAD]);
  await untilMidLoad(db, child);
  child.child.kill('SIGKILL');
  await child.done;
  // State-based: the server releases a session lock when it notices the closed socket.
  while (await readRunLockHolder(db.pool)) await new Promise((r) => setImmediate(r));
  const { report } = await status(config, db);
  expect(report.run).toMatchObject({ status: 'running', state: 'stopped' });
  expect(report.lock.held).toBe(false);
  const text = await runCli('status', ['--config', config, '--target-url', db.url]);
  expect(text.stdout).toMatch(/state {5}stopped: marked running but no process holds the run lock/);
  const resumed = await runMigrateCli(['--config', config, '--target-url', db.url, ...LOAD]);
  expect(resumed.code).toBe(0);
  expect(await fingerprint(db.pool)).toEqual(reference.fingerprint);
}, TIMEOUT);
