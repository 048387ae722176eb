import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { runMigrateCli, type CliResult } from '../support/run-cli.ts';
import { workConfigFile } from '../support/work-config.ts';

/**
 * Issue 11, item 5: what SQLite checks before the first row, and what it no longer needs to.
 *  - `PRAGMA quick_check` by default (`integrityCheck: full` for integrity_check): a damaged
 *    page is still refused before the target is touched; an index that disagrees with its
 *    table is found by `full` only, and cannot change what is copied (rows come from the table).
 *  - `PRAGMA foreign_key_check` no longer reads every child row before the load: the target's
 *    orphan sweep finds the dangling references of every key that became a relation. It runs
 *    after the sweep, on the tables whose keys the sweep cannot see (a composite key), and on
 *    each table the run rejected or repaired something in: each line it logged before is still
 *    logged. A key whose parent columns are not unique is still refused at once.
 */
const work = mkdtempSync(join(tmpdir(), 'sqlite-checks-'));

function makeSqlite(name: string, sql: string): string {
  const file = join(work, name);
  const db = new Database(file);
  db.pragma('foreign_keys = OFF');
  db.exec(sql);
  db.close();
  return file;
}

/** A config file keeping every file the CLI writes in this test's temp folder. */
const configFile = (name: string, settings: Record<string, unknown> = {}): string => workConfigFile(work, name, settings);

const untouched = async (db: TestDatabase) => (await db.pool.query(`SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = '_migration'`)).rows;
const cli = (file: string, db: TestDatabase, name: string, extra: readonly string[] = []): Promise<CliResult> =>
  runMigrateCli(['--from', 'sqlite', '--sqlite', file, '--target-url', db.url, '--config', configFile(name), ...extra]);

describe('integrity: quick by default, full on request', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase('integrity');
  });
  afterAll(async () => {
    await db.drop();
  });

  // A refusal (exit 1, as before this change), not bad usage: the file is what it is.
  test('a damaged b-tree page: refused naming the file and quick_check, nothing created', async () => {
    const clean = makeSqlite('pages.sqlite', `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO t SELECT i, printf('%050d', i) FROM n;`);
    const bytes = readFileSync(clean);
    const pageSize = bytes.readUInt16BE(16);
    // Page 11 is a leaf of t: its cell pointers now point past the page.
    bytes.fill(0xff, pageSize * 10 + 8, pageSize * 10 + 40);
    const damaged = join(work, 'pages-damaged.sqlite');
    writeFileSync(damaged, bytes);
    const run = await cli(damaged, db, 'pages');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${damaged} fails PRAGMA quick_check: `);
    expect(await untouched(db)).toEqual([{ n: 0 }]);
  });

  test('a file another process is writing: refused with exit 2 naming the journal, nothing created', async () => {
    const file = makeSqlite('busy.sqlite', `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');`);
    writeFileSync(`${file}-journal`, Buffer.alloc(512, 1));
    const run = await cli(file, db, 'busy');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file} is being written by another process (${file}-journal present)`);
    expect(await untouched(db)).toEqual([{ n: 0 }]);
  });

  describe('an index that disagrees with its table', () => {
    let file: string;
    beforeAll(() => {
      file = makeSqlite('index.sqlite', `CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT, c TEXT); CREATE INDEX t_b ON t (b); INSERT INTO t VALUES (1, 'x', 'p'), (2, 'y', 'q');`);
      // The catalog now says the index is on c, while its entries are b's.
      const edit = new Database(file);
      edit.unsafeMode(true);
      edit.pragma('writable_schema = ON');
      edit.prepare(`UPDATE sqlite_master SET sql = 'CREATE INDEX t_b ON t (c)' WHERE name = 't_b'`).run();
      edit.close();
    });

    test('--integrity-check full: refused naming integrity_check and the index, nothing created', async () => {
      const run = await cli(file, db, 'index-full', ['--integrity-check', 'full']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${file} fails PRAGMA integrity_check: row 1 missing from index t_b`);
      expect(await untouched(db)).toEqual([{ n: 0 }]);
    });

    test('the default (quick) copies the rows, read from the table', async () => {
      const target = await freshDatabase('indexquick');
      try {
        const run = await migrateForTest({ source: { kind: 'sqlite', path: file, mode: 'direct' }, targetUrl: target.url });
        expect(run.status).toBe('completed');
        expect((await target.pool.query(`SELECT id::int, b, c FROM t ORDER BY id`)).rows).toEqual([
          { id: 1, b: 'x', c: 'p' },
          { id: 2, b: 'y', c: 'q' },
        ]);
      } finally {
        await target.drop();
      }
    });
  });

  test('a foreign key to columns that are not unique: still refused at once (exit 2), nothing created', async () => {
    const file = makeSqlite('mismatch.sqlite', `CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT); CREATE TABLE c (id INTEGER PRIMARY KEY, p_code TEXT REFERENCES p (code)); INSERT INTO p VALUES (1, 'a'); INSERT INTO c VALUES (1, 'a');`);
    const run = await cli(file, db, 'mismatch');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file} cannot be read as a SQLite database: foreign key mismatch - "c" referencing "p"`);
    expect(await untouched(db)).toEqual([{ n: 0 }]);
  });
});

describe('foreign_key_check after the sweep, where it says something', () => {
  const schema = `
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT);
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id), body TEXT);
    CREATE TABLE lines (order_no INTEGER NOT NULL, line_no INTEGER NOT NULL, PRIMARY KEY (order_no, line_no));
    CREATE TABLE shipments (id INTEGER PRIMARY KEY, order_no INTEGER, line_no INTEGER, FOREIGN KEY (order_no, line_no) REFERENCES lines (order_no, line_no));
    INSERT INTO users VALUES (1, 'ann'), (2, 'bob');
    INSERT INTO lines VALUES (1, 1);
    INSERT INTO shipments VALUES (1, 1, 1);`;
  const run = async (name: string, rows: string) => {
    const file = makeSqlite(`${name}.sqlite`, schema + rows);
    const db = await freshDatabase(name);
    const logFile = join(work, `${name}.jsonl`);
    try {
      const result = await migrateForTest({ source: { kind: 'sqlite', path: file, mode: 'direct' }, targetUrl: db.url, logFile, overrides: { maxRejected: 10 } });
      const log = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { message: string }).message.trim());
      const { rows: rejected } = await db.pool.query<{ r: string }>(`SELECT model || ' ' || source_id || ': ' || reason AS r FROM _migration.rejected ORDER BY 1`);
      return { status: result.status, log, rejected: rejected.map((r) => r.r) };
    } finally {
      await db.drop();
    }
  };
  const checks = (log: readonly string[]) => log.filter((l) => /foreign_key_check/.test(l));

  test('a clean file: only the table whose key the sweep cannot see (a composite key) is checked', async () => {
    const clean = await run('fkclean', `INSERT INTO posts VALUES (1, 1, 'a'); INSERT INTO comments VALUES (1, 1, 'c');`);
    expect(clean.status).toBe('completed');
    expect(checks(clean.log)).toEqual([expect.stringMatching(/: foreign_key_check on shipments: ok$/)]);
    expect(clean.rejected).toEqual([]);
  });

  test('dangling rows: every line foreign_key_check gave before the load is still logged, and the sweep rejects what dangles in the target', async () => {
    const dirty = await run(
      'fkdirty',
      `INSERT INTO posts VALUES (1, 1, 'a'), (2, 99, 'by nobody');
       INSERT INTO comments VALUES (1, 1, 'c'), (2, 2, 'on the post by nobody'), (3, 77, 'on no post');
       INSERT INTO shipments VALUES (2, 5, 5);`,
    );
    expect(dirty.status).toBe('completed');
    expect(checks(dirty.log)).toEqual([
      expect.stringMatching(/: foreign_key_check on comments, posts, shipments: rows without a parent below$/),
      'foreign_key_check: comments rowid 3 → posts: no such row',
      'foreign_key_check: posts rowid 2 → users: no such row',
      'foreign_key_check: shipments rowid 2 → lines: no such row',
    ]);
    expect(dirty.rejected).toEqual([
      expect.stringMatching(/^Comments 2: dangling reference: Comments\.postId → Posts 2: that document was rejected$/),
      expect.stringMatching(/^Comments 3: dangling reference: Comments\.postId → Posts 77: no such document in the source$/),
      expect.stringMatching(/^Posts 2: dangling reference: Posts\.userId → Users 99: no such document in the source$/),
    ]);
  });

  test('a table the run found nothing in is not read again: its rows are in the target, their parents found there', async () => {
    const dirty = await run('fkposts', `INSERT INTO posts VALUES (1, 1, 'a'), (2, 99, 'by nobody'); INSERT INTO comments VALUES (1, 1, 'c');`);
    expect(dirty.status).toBe('completed');
    expect(checks(dirty.log)).toEqual([expect.stringMatching(/: foreign_key_check on posts, shipments: rows without a parent below$/), 'foreign_key_check: posts rowid 2 → users: no such row']);
    expect(dirty.rejected).toEqual([expect.stringMatching(/^Posts 2: dangling reference: Posts\.userId → Users 99: no such document in the source$/)]);
  });

  test('a table whose only dangling row was rejected for another reason is still checked: the line is logged', async () => {
    // Comment 2 names no post and has a title where an integer goes: refused at its conversion, never in the target.
    const dirty = await run('fkrefused', `INSERT INTO posts VALUES (1, 1, 'a'); INSERT INTO comments VALUES (1, 1, 'c'), (2, 'x', 'refused before the sweep');`);
    expect(dirty.status).toBe('completed');
    expect(checks(dirty.log)).toEqual([expect.stringMatching(/: foreign_key_check on comments, shipments: rows without a parent below$/), 'foreign_key_check: comments rowid 2 → posts: no such row']);
    expect(dirty.rejected).toEqual([expect.stringMatching(/^Comments 2: .*post_id/)]);
  });
});
