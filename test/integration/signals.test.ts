/**
 * Stop requests as a terminal sends them. Ctrl-C under `npm run` (the documented way to start a
 * run) reaches the whole foreground process group, so npm and the migrator both get it; closing
 * the terminal sends SIGHUP. Each must finish the batch in flight and pause, and the same command
 * must then complete the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { committedBatches, spawnMigrate } from '../support/interrupt-helpers.ts';
import { childEnv, REPO_ROOT, runMigrateCli, type CliResult } from '../support/run-cli.ts';
import { sampleDump } from '../support/sample-source.ts';

let dumpDir: string;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  dumpDir = (await sampleDump(1)).dir;
}, 120_000);

afterAll(async () => {
  for (const db of databases) await db.drop();
});

async function setup(prefix: string): Promise<{ db: TestDatabase; config: string; checkpointDir: string }> {
  const db = await freshDatabase(prefix);
  databases.push(db);
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const checkpointDir = join(dir, 'checkpoints');
  const config = join(dir, 'migration.yaml');
  writeFileSync(config, `source:\n  kind: mongodump\n  path: ${dumpDir}\ncheckpointDir: ${checkpointDir}\nlogDir: ${join(dir, 'logs')}\n`);
  return { db, config, checkpointDir };
}

async function waitForCommittedBatch(db: TestDatabase, running: () => boolean): Promise<void> {
  while ((await committedBatches(db.pool)).batches < 1) {
    if (!running()) throw new Error('the run ended before its first committed batch');
    await new Promise((r) => setImmediate(r));
  }
}

async function runStatus(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ status: string }>(`SELECT status FROM _migration.runs`);
  return rows.map((r) => r.status);
}

test('Ctrl-C under npm run reaches the process group: one pause, not an exit, then the same command completes', async () => {
  const { db, config, checkpointDir } = await setup('npm_sigint');
  const args = ['run', 'migrate:mongo-to-postgres', '--', '--config', config, '--target-url', db.url, '--batch-size', '20'];
  // detached: npm gets its own process group, as a terminal's foreground job has.
  const npm = spawn('npm', args, { cwd: REPO_ROOT, env: childEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  npm.stdout.on('data', () => {});
  npm.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveDone) => npm.on('close', (code, signal) => resolveDone({ code, signal })));
  let ended = false;
  void done.then(() => (ended = true));
  await waitForCommittedBatch(db, () => !ended);
  const pid = npm.pid;
  if (pid === undefined) throw new Error('npm has no pid');
  // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
  process.kill(-pid, 'SIGINT');
  const outcome = await done;

  expect(stderr).toMatch(/SIGINT: finishing the batch in flight, then pausing/);
  expect(stderr).not.toMatch(/again: exiting now/);
  expect(stderr).toMatch(/paused: every committed batch is safe/);
  expect(await runStatus(db)).toEqual(['paused']);
  expect(existsSync(checkpointDir)).toBe(true);
  // npm itself dies of the SIGINT (a shell shows 130) once the migrator has paused; the
  // migrator's own code is 4 (the direct run in exit-codes.test.ts shows it).
  expect(outcome).toEqual({ code: null, signal: 'SIGINT' });

  const resumed = await runMigrateCli(['--config', config, '--target-url', db.url, '--batch-size', '20']);
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toMatch(/resuming run/);
  expect(resumed.stdout).toMatch(/^TOTAL .* ok$/m);
  expect(await runStatus(db)).toEqual(['completed']);
});

test('SIGHUP (the terminal closed) pauses like Ctrl-C, even with nobody left to read the output', async () => {
  const { db, config } = await setup('sighup');
  const child = spawnMigrate(['--config', config, '--target-url', db.url, '--batch-size', '20']);
  await waitForCommittedBatch(db, child.running);
  child.child.kill('SIGHUP');
  // The terminal is gone: every later write to stdout or stderr fails (EPIPE here, EIO on a tty).
  child.child.stdout?.destroy();
  child.child.stderr?.destroy();
  const paused: CliResult = await child.done;
  expect(paused.code).toBe(4);
  expect(await runStatus(db)).toEqual(['paused']);

  const resumed = await runMigrateCli(['--config', config, '--target-url', db.url, '--batch-size', '20']);
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toMatch(/^TOTAL .* ok$/m);
  expect(await runStatus(db)).toEqual(['completed']);
});

test('a second SIGINT right after the first is the same stop request: the batch still finishes and the run pauses', async () => {
  const { db, config } = await setup('double_sigint');
  const child = spawnMigrate(['--config', config, '--target-url', db.url, '--batch-size', '20']);
  await waitForCommittedBatch(db, child.running);
  child.child.kill('SIGINT');
  // The duplicate comes once the first is being handled, as npm's forwarded copy does.
  await child.waitFor(/SIGINT: finishing the batch in flight/);
  child.child.kill('SIGINT');
  const paused = await child.done;
  expect(paused.code).toBe(4);
  expect(paused.stderr).not.toMatch(/again: exiting now/);
  expect(await runStatus(db)).toEqual(['paused']);
});
