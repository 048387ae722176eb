/**
 * migration:sync killed with SIGKILL at seeded random moments (during pass 1, while it writes
 * new and changed documents, and during pass 2, while it removes), then run again: the result
 * must be the target a sync that was never interrupted gives, which is the target a fresh
 * migration of the changed file gives, and the counts must be exact (nothing applied twice).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { StatusReport } from '../../src/run/status-report.ts';
import type { SyncReport } from '../../src/sync/sync.ts';
import { databasesForThisFile } from '../support/databases.ts';
import { fingerprint, seededRandom, sleep, spawnMigrate } from '../support/interrupt-helpers.ts';
import { runCli } from '../support/run-cli.ts';
import { workConfigFile } from '../support/work-config.ts';

const database = databasesForThisFile();

const AUTHORS = 400;
const BOOKS = 12_000;

function makeLibrary(file: string): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born TEXT);
    CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id), title TEXT NOT NULL, pages INTEGER, published_at TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${AUTHORS})
      INSERT INTO authors SELECT i, 'Author ' || i, '1970-01-01' FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${BOOKS})
      INSERT INTO books SELECT i, (i % ${AUTHORS}) + 1, 'Book ' || i, 100 + i % 400, '2020-01-01 10:00:00.250000' FROM n;`);
  db.close();
}

/** 20% of the books changed, 10% deleted, 1,000 inserted; authors changed and added too. */
const CHANGES = `WITH RECURSIVE n(i) AS (SELECT ${AUTHORS + 1} UNION ALL SELECT i + 1 FROM n WHERE i < ${AUTHORS + 10})
    INSERT INTO authors SELECT i, 'New author ' || i, NULL FROM n;
  UPDATE books SET title = title || ' (2nd ed.)', pages = pages + 1 WHERE id % 5 = 0;
  DELETE FROM books WHERE id % 10 = 3;
  WITH RECURSIVE n(i) AS (SELECT ${BOOKS + 1} UNION ALL SELECT i + 1 FROM n WHERE i < ${BOOKS + 1000})
    INSERT INTO books SELECT i, (i % ${AUTHORS + 10}) + 1, 'New book ' || i, 50, '2025-06-01 12:00:00' FROM n;
  UPDATE authors SET name = name || ' Jr.' WHERE id % 7 = 0;`;
const EXPECTED = { books: { inserted: 1000, updated: BOOKS / 5, deleted: BOOKS / 10 }, authors: { inserted: 10, updated: Math.floor(AUTHORS / 7) } };

async function syncCounters(pool: pg.Pool): Promise<{ batches: number; deleted: number; queued: number }> {
  try {
    const { rows } = await pool.query<{ batches: string | null; deleted: string | null; queued: string }>(
      `SELECT (SELECT sum(batches) FROM _migration.sync_progress) AS batches, (SELECT sum(deleted) FROM _migration.sync_progress) AS deleted, (SELECT count(*) FROM _migration.sync_removals) AS queued`,
    );
    return { batches: Number(rows[0]?.batches ?? 0), deleted: Number(rows[0]?.deleted ?? 0), queued: Number(rows[0]?.queued ?? 0) };
  } catch {
    // The sync tables are made by the first sync.
    return { batches: 0, deleted: 0, queued: 0 };
  }
}

/** The library migrated into a fresh database, and a newer copy of the file with CHANGES made. */
async function migratedLibrary(prefix: string) {
  const work = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const file = join(work, 'library.sqlite');
  makeLibrary(file);
  const synced = await database(prefix);
  const config = workConfigFile(work, 'direct', { batchSize: 100 });
  const args = (f: string, url: string) => ['--from', 'sqlite', '--sqlite', f, '--mode', 'direct', '--target-url', url, '--config', config];
  expect((await runCli('migrate', args(file, synced.url))).code).toBe(0);
  const newer = join(work, 'library-newer.sqlite');
  writeFileSync(newer, readFileSync(file));
  const db = new Database(newer);
  db.exec(CHANGES);
  db.close();
  return { synced, args, newer };
}

test('kill -9 in pass 1 and in pass 2, then sync again: the same target as a fresh migration, every change counted once', async () => {
  const { synced, args, newer } = await migratedLibrary('syk');

  const random = seededRandom(13);
  // Pass 1 has about BOOKS / 100 + AUTHORS / 100 batches; stop somewhere in its first half.
  const moments = [
    { pass: 1, reached: (c: { batches: number }) => c.batches >= 2 + Math.floor(random() * (BOOKS / 200)) },
    { pass: 2, reached: (c: { deleted: number; queued: number }) => c.deleted > 0 && c.queued > 0 },
  ];
  let killed = 0;
  for (const moment of moments) {
    const child = spawnMigrate(args(newer, synced.url), 600_000, 'sync');
    // A state-based wait: the target's committed counters, polled.
    while (child.running() && !moment.reached(await syncCounters(synced.pool))) await sleep(5);
    if (child.running()) {
      child.child.kill('SIGKILL');
      killed++;
    }
    const outcome = await child.done;
    if (outcome.signal === 'SIGKILL') {
      // migration:status tells a killed sync from a running one: marked running, nobody holds the lock.
      const status = await runCli('status', [...args(newer, synced.url), '--json']);
      expect((JSON.parse(status.stdout) as StatusReport).lastSync).toMatchObject({ state: 'stopped' });
    }
    if (outcome.signal !== 'SIGKILL') expect({ pass: moment.pass, code: outcome.code, err: outcome.stderr }).toEqual({ pass: moment.pass, code: 0, err: '' });
  }
  expect(killed).toBeGreaterThan(0);

  const last = await runCli('sync', [...args(newer, synced.url), '--json']);
  expect({ code: last.code, err: last.code === 0 ? '' : last.stderr }).toEqual({ code: 0, err: '' });
  const report = JSON.parse(last.stdout) as SyncReport;
  if (killed === moments.length) expect(report.resumed).toBe(true);
  const counts = (model: string) => {
    const m = report.models.find((x) => x.model === model);
    return { inserted: m?.inserted, updated: m?.updated, deleted: m?.deleted };
  };
  // Counted over every attempt: what committed before a kill, plus what the next attempt did.
  if (report.resumed) {
    expect(counts('Books')).toEqual(EXPECTED.books);
    expect(counts('Authors')).toEqual({ ...EXPECTED.authors, deleted: 0 });
  }

  const fresh = await database('syk_fresh');
  expect((await runCli('migrate', args(newer, fresh.url))).code).toBe(0);
  const [a, b] = [await fingerprint(synced.pool), await fingerprint(fresh.pool)];
  expect(a.tables).toEqual(b.tables);
  expect(a.idMap).toEqual(b.idMap);
  expect(await syncCounters(synced.pool)).toMatchObject({ queued: 0 });
  const validated = await runCli('validate', args(newer, synced.url));
  expect({ code: validated.code, out: validated.code === 0 ? '' : validated.stdout }).toEqual({ code: 0, out: '' });
}, 600_000);

test('--restart gives up an interrupted sync: the new one starts afresh and still ends at the fresh migration\'s target', async () => {
  const { synced, args, newer } = await migratedLibrary('syr');
  const child = spawnMigrate(args(newer, synced.url), 600_000, 'sync');
  while (child.running() && (await syncCounters(synced.pool)).batches < 3) await sleep(5);
  if (child.running()) child.child.kill('SIGKILL');
  const first = await child.done;
  const restarted = await runCli('sync', [...args(newer, synced.url), '--json', '--restart']);
  expect({ code: restarted.code, err: restarted.code === 0 ? '' : restarted.stderr }).toEqual({ code: 0, err: '' });
  const report = JSON.parse(restarted.stdout) as SyncReport;
  expect(report.resumed).toBe(false);
  if (first.signal === 'SIGKILL') {
    const { rows } = await synced.pool.query<{ status: string }>(`SELECT status FROM _migration.syncs ORDER BY sync_id`);
    expect(rows.map((r) => r.status)).toEqual(['abandoned', 'done']);
  }
  const fresh = await database('syr_fresh');
  expect((await runCli('migrate', args(newer, fresh.url))).code).toBe(0);
  const [a, b] = [await fingerprint(synced.pool), await fingerprint(fresh.pool)];
  expect(a.tables).toEqual(b.tables);
  expect(a.idMap).toEqual(b.idMap);
}, 600_000);
