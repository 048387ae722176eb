import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readCheckpointFile } from '../../src/run/checkpoint-file.ts';
import { freshDatabase, tableChecksum, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { sampleDump } from '../support/sample-source.ts';

let dumpDir: string;
let reference: TestDatabase;
beforeAll(async () => {
  dumpDir = (await sampleDump(0.5, 9)).dir;
  reference = await freshDatabase('ref');
  const run = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: reference.url });
  expect(run.status).toBe('completed');
});
afterAll(async () => {
  await reference.drop();
});

async function expectSameTables(db: TestDatabase): Promise<void> {
  const { rows } = await reference.pool.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
  for (const { table_name } of rows) {
    expect({ table_name, ...(await tableChecksum(db.pool, table_name)) }).toEqual({ table_name, ...(await tableChecksum(reference.pool, table_name)) });
  }
}

/** Aborts the run (as Ctrl-C does) once `batches` batches are committed. */
function abortAfter(db: TestDatabase, batches: number): AbortController {
  const controller = new AbortController();
  const timer = setInterval(() => {
    db.pool
      .query<{ n: string | null }>(`SELECT sum(batches) AS n FROM _migration.progress`)
      .then(({ rows }) => {
        if (Number(rows[0]?.n ?? 0) >= batches) {
          clearInterval(timer);
          controller.abort(new Error('test pause'));
        }
      })
      .catch(() => {});
  }, 20);
  controller.signal.addEventListener('abort', () => clearInterval(timer));
  return controller;
}

test('a paused run leaves a checkpoint the database overrules, and resumes to the same tables', async () => {
  const db = await freshDatabase('pause');
  const workDir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  try {
    const paused = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: db.url, workDir, overrides: { batchSize: 20, parallelism: 1 }, signal: abortAfter(db, 5).signal });
    expect(paused.status).toBe('paused');
    const file = paused.checkpointFile ?? '';
    const checkpoint = readCheckpointFile(file);
    expect(checkpoint).toMatchObject({ format: 1, status: 'paused', phase: 'load', runId: paused.runId });
    const password = new URL(db.url).password;
    if (password) {
      expect(checkpoint.target).not.toContain(`:${password}@`);
      expect(checkpoint.target).toContain(':****@');
    }
    expect(checkpoint.resumeCommand).toContain(`--resume ${file}`);
    const loading = Object.values(checkpoint.models).filter((m) => m.written > 0);
    expect(loading.length).toBeGreaterThan(0);
    expect(loading.every((m) => typeof m.cursor?.['offset'] === 'number')).toBe(true);
    expect(existsSync(`${file}.bak`)).toBe(true);

    // A stale or edited file loses to the database.
    const [name, model] = Object.entries(checkpoint.models).find(([, m]) => m.written > 0) ?? [];
    if (!name || !model) throw new Error('nothing loaded');
    writeFileSync(file, JSON.stringify({ ...checkpoint, models: { ...checkpoint.models, [name]: { ...model, written: 0, cursor: null } } }));
    const resumed = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: db.url, workDir, overrides: { batchSize: 20 }, resumeFile: readCheckpointFile(file) });
    expect(resumed.status).toBe('completed');
    expect(resumed.summary?.balanced).toBe(true);
    await expectSameTables(db);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(join(workDir, 'checkpoints', 'archive')).some((f) => f.startsWith(`${paused.runId}-`) && f.endsWith('.json'))).toBe(true);
  } finally {
    await db.drop();
  }
});

test('resuming with another id strategy is refused unless forced; a checkpoint from another target is refused', async () => {
  const db = await freshDatabase('refuse');
  const other = await freshDatabase('other');
  const workDir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  try {
    const paused = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: db.url, workDir, overrides: { batchSize: 20, parallelism: 1 }, signal: abortAfter(db, 3).signal });
    expect(paused.status).toBe('paused');
    const changed = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: db.url, workDir, overrides: { ids: { strategy: 'v5' } } });
    expect(changed.status).toBe('refused');
    expect(changed.message).toMatch(/started with another configuration.*--force/);
    const elsewhere = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: other.url, workDir, resumeFile: readCheckpointFile(paused.checkpointFile ?? '') });
    expect(elsewhere.status).toBe('refused');
    expect(elsewhere.message).toMatch(/belongs to another target/);
    // An explicit load order is a config change too; --force accepts it.
    const phases = [['Category', 'Tag', 'User'], ['AuditLog', 'Post', 'Product', 'Profile'], ['Comment', 'Order', 'Review']];
    expect((await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: db.url, workDir, overrides: { phases } })).status).toBe('refused');
    const resumed = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: db.url, workDir, overrides: { phases }, force: true });
    expect(resumed.status).toBe('completed');
    await expectSameTables(db);
  } finally {
    await db.drop();
    await other.drop();
  }
});

test('--restart asks first, then empties only what the migrator loaded', async () => {
  const db = await freshDatabase('restart');
  try {
    expect((await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: db.url })).status).toBe('completed');
    await db.pool.query(`CREATE TABLE notes (body text); INSERT INTO notes VALUES ('keep me')`);
    const declined = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: db.url, restart: true, confirm: false });
    expect(declined.status).toBe('refused');
    const again = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: db.url, restart: true, confirm: true });
    expect(again.status).toBe('completed');
    expect(again.summary?.totals.written).toBeGreaterThan(0);
    await expectSameTables(db);
    const { rows } = await db.pool.query(`SELECT body FROM notes`);
    expect(rows).toEqual([{ body: 'keep me' }]);
    const { rows: runs } = await db.pool.query(`SELECT count(*)::int AS n FROM _migration.runs`);
    expect(runs).toEqual([{ n: 1 }]);
  } finally {
    await db.drop();
  }
});
