/**
 * One run per target (issue 8, item 1). Two migrations on one target: exactly one works, the
 * other refuses with exit 5 before it changes anything, naming the run, pid and host that hold
 * the target; the target and its error log end equal to one uninterrupted run's.
 *
 * The holder is frozen with SIGSTOP while the second process tries: its connections, and so
 * its lock, stay open, and it cannot finish before the second one asks, however slow the
 * machine. SIGCONT then lets it complete.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sample } from '../../scripts/sample/index.ts';
import { acquireRunLock } from '../../src/target/run-lock.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { committedBatches, fingerprint, sleep, spawnMigrate, type CliOutcome, type Fingerprint, type MigrateChild } from '../support/interrupt-helpers.ts';
import { childEnv, REPO_ROOT, runCli, type CliResult } from '../support/run-cli.ts';
import { sampleDump } from '../support/sample-source.ts';

const SCALE = 1;
/** Small batches: the load spans many commits, so a holder is caught mid-load. */
const BATCH = 20;
const TIMEOUT = 300_000;

interface Workspace {
  config: string;
}

/** A config that keeps checkpoints and logs in a temp folder; every process of a test shares it. */
function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'run-lock-'));
  const config = join(dir, 'migration.yaml');
  writeFileSync(config, `source:\n  kind: mongodump\n  path: ${dump.dir}\ncheckpointDir: ${join(dir, 'checkpoints')}\nlogDir: ${join(dir, 'logs')}\n`);
  return { config };
}

function connection(ws: Workspace, db: TestDatabase): string[] {
  return ['--config', ws.config, '--dump', dump.dir, '--target-url', db.url];
}

function migrateArgs(ws: Workspace, db: TestDatabase, extra: string[] = []): string[] {
  return [...connection(ws, db), '--batch-size', String(BATCH), ...extra];
}

/** validate:migration or migration:errors, as the npm scripts run them. */
function cli(script: 'validate-cli' | 'errors-cli', args: string[]): Promise<CliResult> {
  return runCli(script === 'validate-cli' ? 'validate' : 'errors', args);
}

let dump: { sample: Sample; dir: string };
let reference: TestDatabase;
let referenceFingerprint: Fingerprint;
const databases: TestDatabase[] = [];
const children: MigrateChild[] = [];

function start(args: string[]): MigrateChild {
  const child = spawnMigrate(args, TIMEOUT);
  children.push(child);
  return child;
}

async function target(prefix: string): Promise<TestDatabase> {
  const db = await freshDatabase(prefix);
  databases.push(db);
  return db;
}

beforeAll(async () => {
  dump = await sampleDump(SCALE);
  reference = await target('lock_ref');
  const run = await spawnMigrate(migrateArgs(workspace(), reference), TIMEOUT).done;
  if (run.code !== 0) throw new Error(`the reference run failed (exit ${run.code}):\n${run.stderr}`);
  referenceFingerprint = await fingerprint(reference.pool);
}, TIMEOUT);

afterEach(() => {
  // A failed test must not leave a frozen child behind.
  for (const c of children.splice(0)) {
    if (c.running()) {
      c.child.kill('SIGCONT');
      c.child.kill('SIGKILL');
    }
  }
});

afterAll(async () => {
  for (const db of databases) await db.drop();
});

/**
 * Freezes a run once it holds the lock and has committed a batch, then waits until none of its
 * statements is still running on the server: from then on the target cannot change.
 */
async function freezeMidLoad(run: MigrateChild, db: TestDatabase): Promise<void> {
  await firstBatch(run, db);
  run.child.kill('SIGSTOP');
  await settled(db);
  expect((await committedBatches(db.pool)).phase).toBe('load');
}

async function firstBatch(run: MigrateChild, db: TestDatabase): Promise<void> {
  expect(await run.waitFor(/STEP 3/)).toBe(true);
  while ((await committedBatches(db.pool)).batches < 1) {
    if (!run.running()) throw new Error(`the run ended before its first batch:\n${run.output()}`);
    await sleep(20);
  }
}

/** Terminates the run's lock connection (never a loading one) and waits until the server has dropped its lock. */
async function dropLockConnection(db: TestDatabase): Promise<void> {
  const { rows } = await db.pool.query<{ killed: boolean }>(
    `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'migrator migrate %'`,
  );
  expect(rows).toEqual([{ killed: true }]);
  while ((await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'migrator migrate %'`)).rowCount) await sleep(20);
}

async function settled(db: TestDatabase): Promise<void> {
  const busy = async () =>
    Number(
      (
        await db.pool.query<{ n: string }>(
          // A statement waiting for its frozen client (a COPY's next row) or for a lock will not move.
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'prisma-pg-migrator' AND state = 'active' AND coalesce(wait_event_type, '') NOT IN ('Client', 'Lock')`,
        )
      ).rows[0]?.n,
    );
  while ((await busy()) > 0) await sleep(20);
}

/** Everything committed in the target, for "nothing changed" while a holder is frozen. */
async function committedState(db: TestDatabase): Promise<unknown> {
  const { rows } = await db.pool.query(`SELECT run_id, status, phase, config_hash FROM _migration.runs ORDER BY 1`);
  const { rows: progress } = await db.pool.query(`SELECT run_id, model, status, cursor, read, written, rejected, batches FROM _migration.progress ORDER BY 1, 2`);
  return { runs: rows, progress, target: await fingerprint(db.pool) };
}

async function runIds(db: TestDatabase): Promise<string[]> {
  return (await db.pool.query<{ run_id: string }>(`SELECT run_id FROM _migration.runs ORDER BY 1`)).rows.map((r) => r.run_id);
}

/** The refusal names the holder's run, pid and host. */
function namesHolder(output: string, holder: MigrateChild, runId: string): void {
  expect(output).toContain(`migrate of run ${runId} (pid ${holder.child.pid} on host ${hostname()}`);
}

function expectRefused(result: CliOutcome | CliResult, holder: MigrateChild, runId: string): void {
  expect({ code: result.code, refused: /is in use: .* holds its run lock\. One run per target/.test(result.stderr) }).toEqual({ code: 5, refused: true });
  namesHolder(result.stderr, holder, runId);
}

async function expectLikeReference(db: TestDatabase): Promise<void> {
  const got = await fingerprint(db.pool);
  expect(got.tables).toEqual(referenceFingerprint.tables);
  expect(got.rejected).toEqual(referenceFingerprint.rejected);
  expect(got).toEqual(referenceFingerprint);
}

test('the reference run is whole', () => {
  expect(Object.keys(referenceFingerprint.tables).length).toBeGreaterThan(10);
  expect(referenceFingerprint.rejected.length).toBeGreaterThan(0);
  expect(referenceFingerprint.summary).toEqual([{ status: 'completed', summary: expect.objectContaining({ balanced: true }) }]);
});

describe('a second process started while a run is loading', () => {
  test(
    'same run id: migrate, --restart and --retry-failed refuse with exit 5 and change nothing; --dry-run, validate and migration:errors work and warn',
    async () => {
      const db = await target('lock_same');
      const ws = workspace();
      const first = start(migrateArgs(ws, db));
      await freezeMidLoad(first, db);
      const [runId] = await runIds(db);
      if (!runId) throw new Error('no run in the target');
      const before = await committedState(db);

      const [second, restart, dryRun, retry, errors, validate] = await Promise.all([
        start(migrateArgs(ws, db)).done,
        start(migrateArgs(ws, db, ['--restart', '--yes'])).done,
        start(migrateArgs(ws, db, ['--dry-run'])).done,
        cli('errors-cli', [...connection(ws, db), '--retry-failed']),
        cli('errors-cli', connection(ws, db)),
        cli('validate-cli', [...connection(ws, db), '--report', join(mkdtempSync(join(tmpdir(), 'run-lock-report-')), 'report.json')]),
      ]);
      expectRefused(second, first, runId);
      expectRefused(restart, first, runId);
      expect(restart.stderr).not.toMatch(/empties/); // refused before it even asked
      expectRefused(retry, first, runId);
      expect({ code: dryRun.code, plan: dryRun.stdout.includes('# Plan') }).toEqual({ code: 0, plan: true });

      const warning = /WARN migrate of run (\S+) \(pid (\d+) on host (\S+), connected since [^)]+\) holds the target: results may change while it runs/;
      for (const reader of [errors, validate]) {
        expect(reader.stderr).toMatch(warning);
        namesHolder(reader.stderr, first, runId);
      }
      expect([0, 3]).toContain(errors.code);
      expect(errors.stdout).toMatch(/^rejected records: \d+ open/m);
      // Mid-load the counts cannot add up; the report is still printed in full.
      expect(validate.code).toBe(3);
      expect(validate.stdout).toMatch(/NOT VALID/);
      expect(await committedState(db)).toEqual(before);

      first.child.kill('SIGCONT');
      const done = await first.done;
      expect({ code: done.code, stderr: done.code === 0 ? '' : done.stderr }).toEqual({ code: 0, stderr: '' });
      await expectLikeReference(db);
    },
    TIMEOUT,
  );

  test(
    'different run ids: the second refuses with exit 5 instead of lifting the first one’s foreign keys',
    async () => {
      const db = await target('lock_other');
      const ws = workspace();
      const first = start(migrateArgs(ws, db, ['--run-id', 'first-run']));
      await freezeMidLoad(first, db);
      const before = await committedState(db);
      const second = await start(migrateArgs(ws, db, ['--run-id', 'second-run'])).done;
      expectRefused(second, first, 'first-run');
      expect(await committedState(db)).toEqual(before);

      first.child.kill('SIGCONT');
      expect((await first.done).code).toBe(0);
      expect(await runIds(db)).toEqual(['first-run']);
      await expectLikeReference(db);
    },
    TIMEOUT,
  );
});

describe('two processes started at the same instant on an empty target', () => {
  test.each([
    ['the same run id', [], []],
    ['different run ids', ['--run-id', 'left'], ['--run-id', 'right']],
  ])(
    '%s: exactly one works, the other refuses with exit 5 (no catalog race)',
    async (_name, leftArgs, rightArgs) => {
      const db = await target('lock_race');
      const ws = workspace();
      const runs = [start(migrateArgs(ws, db, leftArgs)), start(migrateArgs(ws, db, rightArgs))] as const;
      // The first to announce STEP 3 holds the lock; freeze it so the other must meet it.
      const winner = await new Promise<MigrateChild>((resolve, reject) => {
        let ended = 0;
        for (const r of runs) {
          void r.waitFor(/STEP 3/).then((hit) => {
            if (hit) resolve(r);
            else if (++ended === runs.length) reject(new Error(`neither run reached STEP 3:\n${runs.map((x) => x.output()).join('\n---\n')}`));
          });
        }
      });
      winner.child.kill('SIGSTOP');
      const loser = runs[0] === winner ? runs[1] : runs[0];
      const lost = await loser.done;
      const [runId] = await runIds(db);
      if (!runId) throw new Error('no run in the target');
      expectRefused(lost, winner, runId);
      expect(lost.stderr).not.toMatch(/pg_type_typname_nsp_index|duplicate key/);

      winner.child.kill('SIGCONT');
      const won = await winner.done;
      expect({ code: won.code, stderr: won.code === 0 ? '' : won.stderr }).toEqual({ code: 0, stderr: '' });
      expect(await runIds(db)).toEqual([runId]);
      await expectLikeReference(db);
    },
    TIMEOUT,
  );
});

test(
  'a run killed with -9 leaves no lock behind: the next process started at once takes it and completes the run by resuming',
  async () => {
    const db = await target('lock_kill');
    const ws = workspace();
    const first = start(migrateArgs(ws, db));
    await firstBatch(first, db);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    // No wait for the server to notice: the lock module waits for a dead holder on this host.
    const second = await start(migrateArgs(ws, db)).done;
    expect({ code: second.code, stderr: second.code === 0 ? '' : second.stderr }).toEqual({ code: 0, stderr: '' });
    expect(second.stderr).toMatch(/resuming run \S+ \(running in phase load\)/);
    const waited = /holds the run lock but its process is gone; waiting/.test(second.stderr);
    process.stderr.write(`[run-lock] after kill -9 the lock was ${waited ? 'still held: the second run waited for the server to drop it' : 'already free'}\n`);
    await expectLikeReference(db);
  },
  TIMEOUT,
);

describe('the lock connection drops mid-load', () => {
  test(
    'the run takes the lock back and completes',
    async () => {
      const db = await target('lock_drop');
      const first = start(migrateArgs(workspace(), db));
      await firstBatch(first, db);
      await dropLockConnection(db);
      const done = await first.done;
      expect({ code: done.code, stderr: done.code === 0 ? '' : done.stderr }).toEqual({ code: 0, stderr: '' });
      expect(done.stderr).toMatch(/the run lock connection dropped; taking the lock back[\s\S]*run lock taken back/);
      await expectLikeReference(db);
    },
    TIMEOUT,
  );

  test(
    'another process took it meanwhile: the run stops with exit 1 and leaves the run state alone; the next run resumes',
    async () => {
      const db = await target('lock_stolen');
      const ws = workspace();
      const first = start(migrateArgs(ws, db));
      await freezeMidLoad(first, db);
      const [runId] = await runIds(db);
      await dropLockConnection(db);
      const intruder = await acquireRunLock(db.url, { command: 'migrate', runId: 'intruder' });
      if (intruder.kind !== 'held') throw new Error(intruder.message);
      try {
        first.child.kill('SIGCONT');
        const done = await first.done;
        expect(done.code).toBe(1);
        expect(done.stderr).toContain(`and migrate of run intruder (pid ${process.pid} on host ${hostname()}`);
        expect(done.stderr).toMatch(/took it; stopped/);
        // Not marked failed or paused: the run may belong to the process that holds the lock now.
        expect((await db.pool.query(`SELECT run_id, status FROM _migration.runs`)).rows).toEqual([{ run_id: runId, status: 'running' }]);
      } finally {
        await intruder.lock.release();
      }
      const again = await start(migrateArgs(ws, db)).done;
      expect({ code: again.code, stderr: again.code === 0 ? '' : again.stderr }).toEqual({ code: 0, stderr: '' });
      await expectLikeReference(db);
    },
    TIMEOUT,
  );
});

test('application_name holds 63 bytes of ASCII: a long run id is cut and marked with …, other characters show as ?', async () => {
  const db = await target('lock_name');
  const runId = `run-é-${'x'.repeat(60)}`;
  const first = await acquireRunLock(db.url, { command: 'migrate', runId });
  if (first.kind !== 'held') throw new Error(first.message);
  try {
    const second = await acquireRunLock(db.url, { command: 'retry-failed', runId: 'other' });
    if (second.kind !== 'refused') throw new Error('the second lock was granted');
    const prefix = `migrator migrate ${process.pid}@${hostname()} `;
    const kept = `run-?-${'x'.repeat(60)}`.slice(0, 63 - prefix.length);
    expect(second.holder.runId).toBe(`${kept}…`);
    expect(second.message).toContain(`migrate of run ${kept}… (pid ${process.pid} on host ${hostname()}`);
  } finally {
    await first.lock.release();
  }
  // Released with its connection: the next one gets it.
  const third = await acquireRunLock(db.url, { command: 'migrate', runId: 'next' });
  expect(third.kind).toBe('held');
  if (third.kind === 'held') await third.lock.release();
});

test('a holder killed while its server process is still busy: the next one waits for the server to drop the lock instead of refusing', async () => {
  const db = await target('lock_dead');
  // A stand-in holder whose backend cannot notice its death at once: it is inside pg_sleep when killed.
  const script = `
    import pg from 'pg';
    import { hostname } from 'node:os';
    const client = new pg.Client({ connectionString: process.argv[1], application_name: 'migrator migrate ' + process.pid + '@' + hostname() + ' dead-run' });
    await client.connect();
    await client.query('SELECT pg_try_advisory_lock(1835624306, 1)');
    await client.query('SELECT pg_sleep(3)');`;
  const holder = spawn(process.execPath, ['--input-type=module', '-e', script, db.url], { cwd: REPO_ROOT, env: childEnv(), stdio: 'ignore' });
  const exited = new Promise((resolveExit) => holder.on('close', resolveExit));
  try {
    while ((await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'migrator migrate %' AND query LIKE '%pg_sleep%' AND state = 'active'`)).rowCount === 0) {
      await sleep(20);
    }
    holder.kill('SIGKILL');
    await exited;
    const warnings: string[] = [];
    const taken = await acquireRunLock(db.url, { command: 'migrate', runId: 'next' }, { warn: (m) => warnings.push(m) });
    expect(taken.kind).toBe('held');
    if (taken.kind === 'held') await taken.lock.release();
    expect(warnings.join('\n')).toContain(`migrate of run dead-run (pid ${holder.pid} on host ${hostname()}`);
    expect(warnings.join('\n')).toMatch(/its process is gone; waiting up to 10s for the server to release it/);
  } finally {
    holder.kill('SIGKILL');
  }
});
