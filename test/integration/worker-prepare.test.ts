import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { fingerprint, spawnMigrate } from '../support/interrupt-helpers.ts';
import { runMigrateCli, type CliResult } from '../support/run-cli.ts';
import { workConfigFile } from '../support/work-config.ts';

/**
 * Issue 11, item 3: plain models are read and prepared in worker threads while the main thread
 * writes. A worker decides nothing differently: the same file migrated with workers and without
 * must give the same tables, id map, rejections (with the documents read again from the file),
 * field counts and coercion tallies. The file is dirty the way app files are: REAL money in a
 * DECIMAL column, epoch integers and a bad date in a datetime column, '' in an integer column,
 * text that is not UTF-8, an untyped unique column holding 7 and '7' (distinct in SQLite, the same
 * text in PostgreSQL: refused by its unique index, in one batch and across batches),
 * an id past 2^53, blobs and JSON text, a keyless log, a composite key WITHOUT ROWID; and keys a
 * worker's rejected rows are found again by: a text key of digits ('00123'), an untyped key holding
 * both 7 and '7', a text key that is NULL (SQLite allows it), which the worker leaves to the main thread.
 */
const work = mkdtempSync(join(tmpdir(), 'worker-prepare-'));

describe('preparing in worker threads changes nothing but the time', () => {
  const file = join(work, 'app.sqlite3');
  // `batch`: workers, each batch its own transaction (the whole-table load's spans not used).
  const runs: Record<'auto' | 'off' | 'batch', { db: TestDatabase; run: CliResult; work: string }> = {} as never;
  beforeAll(async () => {
    const s = new Database(file);
    s.pragma('foreign_keys = OFF');
    s.exec(`
      CREATE TABLE schema_migrations (version varchar NOT NULL PRIMARY KEY);
      CREATE TABLE accounts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, email varchar(120) NOT NULL, name TEXT, balance DECIMAL(12,2) NOT NULL DEFAULT 0,
        logins INTEGER, admin BOOLEAN NOT NULL DEFAULT 0, settings JSON, avatar BLOB, created_at datetime(6) NOT NULL, updated_at datetime(6));
      CREATE UNIQUE INDEX index_accounts_on_email ON accounts(email);
      CREATE TABLE events (account_id INTEGER, kind TEXT NOT NULL, at datetime(6) NOT NULL);
      CREATE TABLE coupons (id INTEGER PRIMARY KEY, code UNIQUE, percent INTEGER NOT NULL);
      CREATE TABLE skus (sku TEXT PRIMARY KEY, price INTEGER NOT NULL, made_at datetime);
      CREATE TABLE codes (code PRIMARY KEY, label TEXT);
      CREATE TABLE legacy (ref TEXT PRIMARY KEY, note TEXT);
      CREATE TABLE follows (follower_id INTEGER NOT NULL REFERENCES accounts(id), followed_id INTEGER NOT NULL REFERENCES accounts(id), created_at datetime, PRIMARY KEY (follower_id, followed_id)) WITHOUT ROWID;`);
    s.prepare(`INSERT INTO schema_migrations VALUES (?)`).run('20240101120000');
    const account = s.prepare(`INSERT INTO accounts (id, email, name, balance, logins, admin, settings, avatar, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (let i = 1; i <= 2600; i++) {
      const balance = i % 3 === 0 ? (i * 1.25) : i % 3 === 1 ? `${i}.50` : i; // REAL, text, integer
      const created = i % 97 === 0 ? 1700000000 + i : i === 1234 ? 'not a date' : `2024-03-${String((i % 28) + 1).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00.${String(i).padStart(6, '0')}`;
      const logins = i % 50 === 0 ? '' : i % 7;
      account.run(i, `a${i}@example.com`, i % 11 === 0 ? null : `Name ${i} ✓`, balance, logins, i % 13 === 0 ? 1 : 0, i % 5 === 0 ? JSON.stringify({ theme: 'dark', n: i }) : null, i % 17 === 0 ? Buffer.from([i % 256, 0, 255]) : null, created, i % 4 === 0 ? null : '2024-04-01 00:00:00');
    }
    // Text that is not UTF-8, as a C extension or a bad import leaves it.
    s.exec(`INSERT INTO accounts (id, email, balance, created_at) VALUES (9007199254740993, 'big@example.com', 1, '2024-01-01 00:00:00'), (5000, CAST(x'61ff62' AS TEXT), 2, '2024-01-01 00:00:00')`);
    const coupon = s.prepare(`INSERT INTO coupons VALUES (?, ?, ?)`);
    for (let i = 1; i <= 1000; i++) coupon.run(i, i === 11 ? '7' : i === 950 ? '123' : i === 7 ? 7 : i === 5 ? 123 : `C${i}`, i % 90);
    const sku = s.prepare(`INSERT INTO skus VALUES (?, ?, ?)`);
    for (let i = 1; i <= 500; i++) sku.run(`S${i}`, i, '2024-01-01 00:00:00');
    sku.run('00123', 5, 'not a date');
    sku.run('123', 6, '2024-01-02 00:00:00');
    const code = s.prepare(`INSERT INTO codes VALUES (?, ?)`);
    for (let i = 1; i <= 600; i++) code.run(`C${i}`, `label ${i}`);
    code.run(7, 'int seven');
    code.run('7', 'text seven');
    const legacy = s.prepare(`INSERT INTO legacy VALUES (?, ?)`);
    for (let i = 1; i <= 900; i++) legacy.run(i === 850 ? null : `L${i}`, `note ${i}`);
    const event = s.prepare(`INSERT INTO events VALUES (?, ?, ?)`);
    for (let i = 0; i < 1800; i++) event.run(i % 40 === 0 ? null : (i % 2600) + 1, i % 2 ? 'login' : 'logout', `2024-05-01 12:00:00.${String(i).padStart(6, '0')}`);
    const follow = s.prepare(`INSERT INTO follows VALUES (?, ?, ?)`);
    for (let i = 1; i <= 1200; i++) follow.run(i, (i % 2600) + 1, i % 9 === 0 ? null : '2024-06-01 08:00:00');
    s.close();
    for (const name of ['auto', 'off', 'batch'] as const) {
      const config = workConfigFile(work, name, { workers: name === 'off' ? 'off' : 'always', batchSize: 400, ...(name === 'batch' ? { transactions: 'batch' } : {}) });
      const db = await freshDatabase(`workers_${name}`);
      const run = await runMigrateCli(['--from', 'sqlite', '--sqlite', file, '--mode', 'direct', '--target-url', db.url, '--config', config]);
      runs[name] = { db, run, work: join(work, name) };
    }
  });
  afterAll(async () => {
    for (const r of Object.values(runs)) await r.db.drop();
  });

  const logOf = (dir: string): string =>
    readdirSync(join(dir, 'logs'))
      .filter((f) => f.startsWith('migrate-'))
      .map((f) => readFileSync(join(dir, 'logs', f), 'utf8'))
      .join('\n');
  /** The printed summary without what varies between runs: times, rates, the target's name. */
  const summaryOf = (out: string): string[] =>
    out
      .split('\n')
      .filter((l) => !/^\d\d:\d\d:\d\d /.test(l) && !/postgresql:\/\//.test(l) && !/^[-\s]+$/.test(l))
      .map((l) => l.replace(/\s+\d+\.\d\d\s+[\d,]+\s+(ok|!!)/, ' $1').replace(/\s+/g, ' '));

  test('both runs finish with the same exit code, and the first used worker threads', () => {
    expect(runs.auto.run.code).toBe(runs.off.run.code);
    expect(runs.batch.run.code).toBe(runs.off.run.code);
    expect([0, 1]).toContain(runs.auto.run.code);
    expect(logOf(runs.auto.work)).toContain('Accounts: read and prepared in a worker thread');
    expect(logOf(runs.batch.work)).toContain('Accounts: read and prepared in a worker thread');
    expect(logOf(runs.off.work)).not.toContain('in a worker thread');
    // The NULL key comes late in its table: the batches before it were the worker's, the rest are the main thread's.
    expect(logOf(runs.auto.work)).toMatch(/Legacy: prepared in the main thread after [1-9]\d* batches/);
    expect(logOf(runs.auto.work)).not.toMatch(/Accounts: prepared in the main thread/);
  });

  test('the rejections are there: the bad date, the bad text, the duplicates', async () => {
    const rejected = async (model: string) =>
      (await runs.auto.db.pool.query<{ source_id: string; stage: string; document: string }>(`SELECT source_id, stage, document FROM _migration.rejected WHERE model = $1 ORDER BY source_id`, [model])).rows;
    expect((await rejected('Accounts')).map((r) => r.source_id).sort()).toEqual(['1234', '5000']);
    const coupons = await rejected('Coupons');
    expect(coupons.map((r) => `${r.source_id}:${r.stage}`).sort()).toEqual(['11:load', '950:load']);
    // The document as the file holds it, read again for the error log.
    expect(JSON.parse(coupons.find((r) => r.source_id === '950')?.document ?? '{}')).toMatchObject({ code: '123' });
    const skus = await rejected('Skus');
    expect(skus.map((r) => r.source_id)).toEqual(['00123']);
    expect(JSON.parse(skus[0]?.document ?? '{}')).toMatchObject({ sku: '00123', made_at: 'not a date' });
    const codes = await rejected('Codes');
    expect(codes.map((r) => `${r.source_id}:${r.stage}`)).toEqual(['7:load']);
    expect(JSON.parse(codes[0]?.document ?? '{}')).toMatchObject({ label: 'text seven' });
  });

  test('same tables, id map, rejections (documents included) and summary', async () => {
    const [auto, off, batch] = [await fingerprint(runs.auto.db.pool), await fingerprint(runs.off.db.pool), await fingerprint(runs.batch.db.pool)];
    expect(auto).toEqual(off);
    expect(batch).toEqual(off);
    expect(Object.keys(auto.tables).sort()).toEqual(['accounts', 'codes', 'coupons', 'events', 'follows', 'legacy', 'schema_migrations', 'skus']);
  });

  test('same field counts and coercion tallies', async () => {
    const fields = async (db: TestDatabase) =>
      (await db.pool.query(`SELECT model, path, use, detail, documents, example_id FROM _migration.fields ORDER BY model, path, use`)).rows;
    expect(await fields(runs.auto.db)).toEqual(await fields(runs.off.db));
    expect(await fields(runs.batch.db)).toEqual(await fields(runs.off.db));
    expect(summaryOf(runs.auto.run.stdout)).toEqual(summaryOf(runs.off.run.stdout));
    const coercions = (run: CliResult) => {
      const lines = run.stderr.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
      const at = lines.findIndex((l) => l.startsWith('coercions (per rule'));
      if (at < 0) return [];
      const after = lines.slice(at + 1);
      const end = after.findIndex((l) => !/^\s+\d+\s/.test(l));
      return end < 0 ? after : after.slice(0, end);
    };
    expect(coercions(runs.auto.run)).toEqual(coercions(runs.off.run));
    expect(coercions(runs.auto.run).join('\n')).toMatch(/accounts\.logins: empty string as NULL/);
    // The log's examples: the first few of each rule and column (models loading at once interleave theirs in any order).
    const examples = (dir: string) =>
      logOf(dir)
        .split('\n')
        .filter((l) => l.includes('"message":"coercion '))
        .map((l) => (JSON.parse(l) as { message: string }).message)
        .sort();
    expect(examples(runs.auto.work)).toEqual(examples(runs.off.work));
    expect(examples(runs.auto.work).length).toBeGreaterThan(3);
  });

  test('killed (-9) while a worker prepares a table, the run resumes to the same result', async () => {
    const db = await freshDatabase('workers_killed');
    try {
      // Small batches, so the kill lands between commits of a table a worker is preparing.
      const config = workConfigFile(work, 'killed', { workers: 'always', batchSize: 20 });
      const args = ['--from', 'sqlite', '--sqlite', file, '--mode', 'direct', '--target-url', db.url, '--config', config];
      const child = spawnMigrate(args);
      expect(await child.waitFor(/Follows: 0\/\d+ to start/)).toBe(true);
      child.child.kill('SIGKILL');
      expect((await child.done).signal).toBe('SIGKILL');
      const resumed = await runMigrateCli(args);
      expect(resumed.code).toBe(runs.off.run.code);
      expect(resumed.stderr).toMatch(/resuming run/);
      expect(await fingerprint(db.pool)).toEqual(await fingerprint(runs.off.db.pool));
    } finally {
      await db.drop();
    }
  });
});
