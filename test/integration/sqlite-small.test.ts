import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { rollbackInstructions } from '../../src/run/rollback.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { runCli, runMigrateCli, type CliResult } from '../support/run-cli.ts';
import { workConfigFile } from '../support/work-config.ts';

/**
 * Issue 10, items 5, 6, 7 and the test half of 3: the smaller ways a real SQLite file was lost
 * or misread — an empty-string key, a JSON default, an empty file, reasons naming the wrong
 * column, blobs in rejected records, a DATE holding a time, unnamed bad files, `--sqlite`
 * replacing the config's source, validate reading the wrong source, one microsecond.
 */
const work = mkdtempSync(join(tmpdir(), 'sqlite-small-'));

function makeSqlite(name: string, sql: string, fill: (db: Database.Database) => void = () => undefined): string {
  const file = join(work, name);
  const db = new Database(file);
  db.exec(sql);
  fill(db);
  db.close();
  return file;
}

/** A config file keeping every file the CLI writes in this test's temp folder. */
const configFile = (name: string, settings: Record<string, unknown> = {}): string => workConfigFile(work, name, settings);

const validateCli = (args: readonly string[]): Promise<CliResult> => runCli('validate', args);
const reportSource = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { source: string }).source;
const output = (r: CliResult) => `${r.stdout}\n${r.stderr}`;
/** The generator and datasource blocks of a user's PostgreSQL schema; the models follow. */
const PRISMA_HEADER = `generator client {\n  provider = "prisma-client"\n  output   = "./generated"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n\n`;

describe('item 5: small shapes of a direct copy', () => {
  let db: TestDatabase;
  let file: string;
  let config: string;
  let run: CliResult;
  beforeAll(async () => {
    file = makeSqlite(
      'small.sqlite',
      `CREATE TABLE tags (name TEXT PRIMARY KEY, note TEXT);
       CREATE TABLE settings (id INTEGER PRIMARY KEY, prefs JSON NOT NULL DEFAULT '{}');
       CREATE TABLE samples (id INTEGER PRIMARY KEY, t INTEGER, payload BLOB);`,
      (s) => {
        s.prepare(`INSERT INTO tags VALUES (?, ?)`).run('', 'the empty key');
        s.prepare(`INSERT INTO tags VALUES (?, ?)`).run('a', 'A');
        s.prepare(`INSERT INTO settings (id, prefs) VALUES (1, '{"a":1}')`).run();
        s.prepare(`INSERT INTO settings (id) VALUES (2)`).run();
        s.prepare(`INSERT INTO samples VALUES (1, 5, x'0001ff'), (2, 'abc', x'cafe')`).run();
      },
    );
    // One bad row of seven is over the default 1% threshold; this test is about the row, not the threshold.
    config = configFile('small', { maxRejected: 5 });
    db = await freshDatabase('small');
    run = await runMigrateCli(['--from', 'sqlite', '--sqlite', file, '--mode', 'direct', '--target-url', db.url, '--config', config]);
  });
  afterAll(async () => {
    await db.drop();
  });

  test('the run completes with the one bad row rejected', () => {
    expect({ code: run.code, out: output(run) }).toMatchObject({ code: 0 });
  });

  test("a text primary key '' is a key: the row is loaded", async () => {
    const { rows } = await db.pool.query(`SELECT name, note FROM tags ORDER BY name`);
    expect(rows).toEqual([
      { name: '', note: 'the empty key' },
      { name: 'a', note: 'A' },
    ]);
  });

  test("DEFAULT '{}' on a JSON column is kept, and a new row gets it", async () => {
    const { rows } = await db.pool.query<{ def: string | null }>(`SELECT column_default AS def FROM information_schema.columns WHERE table_name = 'settings' AND column_name = 'prefs'`);
    expect(rows[0]?.def).toBe(`'{}'::jsonb`);
    const { rows: added } = await db.pool.query(`INSERT INTO settings (id) VALUES (3) RETURNING prefs`);
    // Taken out again: validate below compares the target with the source.
    await db.pool.query(`DELETE FROM settings WHERE id = 3`);
    expect(added).toEqual([{ prefs: {} }]);
    const { rows: copied } = await db.pool.query(`SELECT id, prefs FROM settings WHERE id < 3 ORDER BY id`);
    expect(copied).toEqual([
      { id: '1', prefs: { a: 1 } },
      { id: '2', prefs: {} },
    ]);
  });

  test('the reason names the SQLite column (t), the document shows the blob as binary', async () => {
    const { rows } = await db.pool.query<{ source_id: string; reason: string; document: string }>(`SELECT source_id, reason, document FROM _migration.rejected WHERE model = 'Samples'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.source_id).toBe('2');
    expect(rows[0]?.reason).toMatch(/^t: no casting rule turns text "abc"/);
    expect(rows[0]?.reason).not.toMatch(/column/);
    const doc = JSON.parse(rows[0]?.document ?? '{}') as Record<string, unknown>;
    expect(doc['payload']).toEqual({ $binary: { base64: Buffer.from('cafe', 'hex').toString('base64'), subType: '00' } });
  });

  test("validate agrees, the '' key included", async () => {
    const v = await validateCli(['--from', 'sqlite', '--sqlite', file, '--target-url', db.url, '--config', config]);
    expect({ code: v.code, out: output(v) }).toMatchObject({ code: 0 });
  });
});

describe('item 5: a DATE column holding a time of day', () => {
  const sql = `CREATE TABLE events (id INTEGER PRIMARY KEY, d DATE);`;
  const fill = (s: Database.Database) => s.prepare(`INSERT INTO events VALUES (1, '2024-05-01'), (2, '2024-05-01 23:11:12')`).run();

  test('by default the row is rejected, naming the column', async () => {
    const file = makeSqlite('dates-default.sqlite', sql, fill);
    const db = await freshDatabase('datereject');
    try {
      const run = await runMigrateCli(['--from', 'sqlite', '--sqlite', file, '--target-url', db.url, '--config', configFile('dates-default', { maxRejected: 5 })]);
      expect({ code: run.code, out: output(run) }).toMatchObject({ code: 0 });
      const { rows } = await db.pool.query(`SELECT source_id, reason FROM _migration.rejected`);
      expect(rows).toEqual([{ source_id: '2', reason: expect.stringMatching(/^d: has a time of day/) }]);
    } finally {
      await db.drop();
    }
  });

  test("castRules as: date-keep-day keeps the calendar date and logs the coercion", async () => {
    const file = makeSqlite('dates-keep.sqlite', sql, fill);
    const db = await freshDatabase('datekeep');
    try {
      const config = configFile('dates-keep', { source: { kind: 'sqlite', path: file, castRules: [{ column: 'events.d', as: 'date-keep-day' }] } });
      const run = await runMigrateCli(['--target-url', db.url, '--config', config, '--from', 'sqlite']);
      expect({ code: run.code, out: output(run) }).toMatchObject({ code: 0 });
      expect(output(run)).toContain('events.d: time of day dropped, calendar date kept (rule date-keep-day)');
      const { rows } = await db.pool.query(`SELECT id, d::text AS d FROM events ORDER BY id`);
      expect(rows).toEqual([
        { id: '1', d: '2024-05-01' },
        { id: '2', d: '2024-05-01' },
      ]);
      expect((await db.pool.query(`SELECT count(*)::int AS n FROM _migration.rejected`)).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.drop();
    }
  });
});

describe('item 5: files that are not a database to copy', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase('notables');
  });
  afterAll(async () => {
    await db.drop();
  });
  const untouched = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = '_migration'`)).rows;

  test.each([
    ['a 0-byte file', () => {
      const file = join(work, 'zero.sqlite');
      writeFileSync(file, '');
      return file;
    }],
    ['a file with no tables', () => makeSqlite('no-tables.sqlite', `CREATE TABLE gone (id INTEGER PRIMARY KEY); DROP TABLE gone; PRAGMA user_version = 3;`)],
  ])('%s: exit 2, named, nothing changed, no rollback line', async (_what, make) => {
    const file = make();
    const run = await runMigrateCli(['--from', 'sqlite', '--sqlite', file, '--target-url', db.url, '--config', configFile('notables')]);
    expect({ code: run.code, out: output(run) }).toMatchObject({ code: 2 });
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(/no collections or tables/);
    expect(output(run)).not.toMatch(/DROP TABLE/);
    expect(await untouched()).toEqual([{ n: 0 }]);
  });

  test('a file that is not SQLite at all: exit 2, the message names the file', async () => {
    const file = join(work, 'not-a-database.sqlite');
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(200));
    const run = await runMigrateCli(['--from', 'sqlite', '--sqlite', file, '--target-url', db.url, '--config', configFile('notables')]);
    expect({ code: run.code, out: output(run) }).toMatchObject({ code: 2 });
    expect(run.stderr).toContain(`${file} cannot be read as a SQLite database: file is not a database`);
    expect(await untouched()).toEqual([{ n: 0 }]);
  });

  test('a rollback with no table to drop prints no DROP TABLE', () => {
    const text = rollbackInstructions('postgresql://u@h/db', 'public', [], []);
    expect(text).not.toMatch(/DROP TABLE/);
    expect(text).toContain('DROP SCHEMA "_migration" CASCADE;');
    expect(rollbackInstructions('postgresql://u@h/db', 'public', [''], [''])).not.toMatch(/DROP (TABLE|TYPE)/);
  });
});

describe('item 6: --sqlite overrides only the path', () => {
  const schema = join(work, 'users.prisma');
  beforeAll(() => {
    // A user's own schema with a model called User: the bundled sample's transformers are not for it.
    writeFileSync(
      schema,
      PRISMA_HEADER +
        `model User {\n  id        String   @id @db.Uuid\n  email     String\n  createdAt DateTime @map("created_at") @db.Timestamptz(6)\n  joined    DateTime @db.Timestamptz(6)\n\n  @@map("users")\n}\n`,
    );
  });

  test('mode: schema, castRules and timeZone of the config file survive --sqlite other.db', async () => {
    const other = makeSqlite('other.sqlite', `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, created_at DATETIME NOT NULL, joined INTEGER NOT NULL);`, (s) =>
      s.prepare(`INSERT INTO users VALUES (1, 'a@example.com', '2024-05-01 10:00:00', 1714557600)`).run(),
    );
    const config = configFile('override', {
      source: { kind: 'sqlite', path: join(work, 'the-file-the-config-names.sqlite'), mode: 'schema', timeZone: 'Europe/Paris', castRules: [{ column: 'users.joined', as: 'epoch-ms' }] },
      schema,
    });
    const db = await freshDatabase('override');
    try {
      const run = await runMigrateCli(['--from', 'sqlite', '--sqlite', other, '--target-url', db.url, '--config', config]);
      expect({ code: run.code, out: output(run) }).toMatchObject({ code: 0 });
      // Schema mode onto a user schema: no bundled transformers for its User model.
      expect(output(run)).not.toMatch(/transformers: /);
      expect(output(run)).not.toMatch(/transformers\/ for User/);
      const { rows } = await db.pool.query(`SELECT email, created_at AS "createdAt", joined FROM users`);
      expect(rows).toEqual([
        {
          email: 'a@example.com',
          // 10:00 in Paris in May is 08:00 UTC: the config's time zone was used.
          createdAt: new Date('2024-05-01T08:00:00.000Z'),
          // The config's rule read 1714557600 as milliseconds, not the default seconds.
          joined: new Date(1714557600),
        },
      ]);
      const { rows: ids } = await db.pool.query(`SELECT id FROM users`);
      expect(ids[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    } finally {
      await db.drop();
    }
  });
});

describe('item 7 and item 3: validate reads the run recorded in the target; one microsecond is caught', () => {
  let db: TestDatabase;
  let file: string;
  let config: string;
  beforeAll(async () => {
    file = makeSqlite('stamps.sqlite', `CREATE TABLE stamps (id INTEGER PRIMARY KEY, at DATETIME NOT NULL);`, (s) =>
      s.prepare(`INSERT INTO stamps VALUES (1, '2024-05-01 10:11:12.123456'), (2, '2024-05-01 10:11:12.000001'), (3, '2024-05-01 10:11:12'), (4, '0001-01-01 00:00:00'), (5, '0001-01-01T00:00:00+00:00')`).run(),
    );
    config = configFile('stamps');
    db = await freshDatabase('stamps');
    const run = await runMigrateCli(['--from', 'sqlite', '--sqlite', file, '--target-url', db.url, '--config', config]);
    expect({ code: run.code, out: output(run) }).toMatchObject({ code: 0 });
  });
  afterAll(async () => {
    await db.drop();
  });

  test('microseconds arrive exact', async () => {
    const { rows } = await db.pool.query(`SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at FROM stamps ORDER BY id`);
    expect(rows).toEqual([
      { id: '1', at: '2024-05-01 10:11:12.123456' },
      { id: '2', at: '2024-05-01 10:11:12.000001' },
      { id: '3', at: '2024-05-01 10:11:12.000000' },
      // "No date" as .NET and Go write it, plain (a compiled row) and with its zone (the long way): year 1, not 1901.
      { id: '4', at: '0001-01-01 00:00:00.000000' },
      { id: '5', at: '0001-01-01 00:00:00.000000' },
    ]);
  });

  test('the run records its source and options, with no secret', async () => {
    const { rows } = await db.pool.query<{ options: { source: Record<string, unknown> } }>(`SELECT options FROM _migration.runs`);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.options.source).toMatchObject({ kind: 'sqlite', path: file, mode: 'direct', timeZone: 'UTC' });
  });

  test('naming only the target validates the recorded SQLite source: VALID', async () => {
    const report = join(work, 'validate-target-only.json');
    const v = await validateCli(['--target-url', db.url, '--config', config, '--report', report]);
    expect({ code: v.code, out: output(v) }).toMatchObject({ code: 0 });
    expect(reportSource(report)).toBe(`sqlite:${file}`);
  });

  test('--sqlite without --from validates that file, not the bundled MongoDB sample', async () => {
    const report = join(work, 'validate-sqlite-flag.json');
    const v = await validateCli(['--sqlite', file, '--target-url', db.url, '--config', config, '--report', report]);
    expect({ code: v.code, out: output(v) }).toMatchObject({ code: 0 });
    expect(reportSource(report)).toBe(`sqlite:${file}`);
  });

  test.each([
    [['--from', 'mongo', '--sqlite', 'x.sqlite'], /--sqlite is for a SQLite source, but --from mongo was given/],
    [['--sqlite', 'x.sqlite', '--dump', 'sample/mongodump'], /--dump names a MongoDB source, but --sqlite names a SQLite one/],
    [['--from', 'sqlite', '--mongo-url', 'mongodb://127.0.0.1:1/x'], /--mongo-url names a MongoDB source, but --from sqlite names a SQLite one/],
  ])('contradictory flags %j: exit 2', async (flags, message) => {
    const v = await validateCli([...flags, '--target-url', db.url, '--config', config]);
    expect({ code: v.code, out: output(v) }).toMatchObject({ code: 2 });
    expect(v.stderr).toMatch(message);
  });

  test('a timestamp moved by one microsecond in the target: NOT VALID, naming the row', async () => {
    await db.pool.query(`UPDATE stamps SET at = at + interval '1 microsecond' WHERE id = 2`);
    try {
      const v = await validateCli(['--target-url', db.url, '--config', config]);
      expect({ code: v.code, out: output(v) }).toMatchObject({ code: 3 });
      expect(v.stdout).toMatch(/NOT VALID/);
      expect(v.stdout).toMatch(/\[content\] Stamps: content-differs ×1: row differs from the source: at: expected 1714558272000001, found 1714558272000002\s+2\n/);
    } finally {
      await db.pool.query(`UPDATE stamps SET at = at - interval '1 microsecond' WHERE id = 2`);
    }
  });
});

describe('schema mode onto an explicit junction model with a composite key (@@id([postId, tagId]))', () => {
  // The way Prisma and Rails apps keep many-to-many with data of its own: a table keyed by its two
  // references. It has no UUID of its own: its key is the two parents' UUIDs, as the id map says.
  const schema = join(work, 'junction.prisma');
  beforeAll(() => {
    writeFileSync(
      schema,
      PRISMA_HEADER +
        `model Post {\n  id    String    @id @db.Uuid\n  title String\n  tags  PostTag[]\n\n  @@map("posts")\n}\n\n` +
        `model Tag {\n  id    String    @id @db.Uuid\n  name  String\n  posts PostTag[]\n\n  @@map("tags")\n}\n\n` +
        `model PostTag {\n  postId  String   @map("post_id") @db.Uuid\n  post    Post     @relation(fields: [postId], references: [id])\n  tagId   String   @map("tag_id") @db.Uuid\n  tag     Tag      @relation(fields: [tagId], references: [id])\n  addedAt DateTime @map("added_at") @db.Timestamptz(3)\n\n  @@id([postId, tagId])\n  @@map("post_tags")\n}\n`,
    );
  });

  test('every pair arrives with its parents UUIDs, a dangling pair is rejected by name, validate passes', async () => {
    const file = makeSqlite(
      'junction.sqlite',
      `CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
       CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
       CREATE TABLE post_tags (post_id INTEGER NOT NULL REFERENCES posts(id), tag_id INTEGER NOT NULL REFERENCES tags(id), added_at DATETIME NOT NULL, PRIMARY KEY (post_id, tag_id));`,
      (s) => {
        // A dangling pair, as files written with foreign keys off hold them.
        s.pragma('foreign_keys = OFF');
        s.exec(`INSERT INTO posts VALUES (1, 'one'), (2, 'two'); INSERT INTO tags VALUES (1, 'a'), (2, 'b');`);
        s.exec(`INSERT INTO post_tags VALUES (1, 1, '2024-05-01 10:00:00'), (1, 2, '2024-05-01 10:00:01'), (2, 2, '2024-05-01 10:00:02'), (2, 9, '2024-05-01 10:00:03');`);
      },
    );
    const config = configFile('junction', { source: { kind: 'sqlite', path: file, mode: 'schema' }, schema, maxRejected: 5 });
    const db = await freshDatabase('junction');
    try {
      const run = await runMigrateCli(['--target-url', db.url, '--config', config]);
      expect({ code: run.code, out: output(run) }).toMatchObject({ code: 0 });
      const { rows } = await db.pool.query<{ title: string; name: string; added: string }>(
        `SELECT p.title, t.name, to_char(j.added_at AT TIME ZONE 'UTC', 'HH24:MI:SS') AS added FROM post_tags j JOIN posts p ON p.id = j.post_id JOIN tags t ON t.id = j.tag_id ORDER BY 1, 2`,
      );
      expect(rows).toEqual([
        { title: 'one', name: 'a', added: '10:00:00' },
        { title: 'one', name: 'b', added: '10:00:01' },
        { title: 'two', name: 'b', added: '10:00:02' },
      ]);
      const { rows: rejected } = await db.pool.query(`SELECT model, source_id, stage FROM _migration.rejected`);
      expect(rejected).toEqual([{ model: 'PostTag', source_id: '[2,9]', stage: 'link' }]);
      // The id map holds the composite key as the target holds it, and no UUID of its own.
      const { rows: mapped } = await db.pool.query(
        `SELECT m.source_id, m.uuid FROM _migration.id_map m JOIN post_tags j ON m.target_key = j.post_id::text || '|' || j.tag_id::text WHERE m.model = 'PostTag' ORDER BY 1`,
      );
      expect(mapped).toEqual([
        { source_id: '[1,1]', uuid: null },
        { source_id: '[1,2]', uuid: null },
        { source_id: '[2,2]', uuid: null },
      ]);
      const validated = await validateCli(['--target-url', db.url, '--config', config]);
      expect({ code: validated.code, out: output(validated) }).toMatchObject({ code: 0 });
      expect(validated.stdout).toContain('VALID: the target equals the source');
    } finally {
      await db.drop();
    }
  });
});
