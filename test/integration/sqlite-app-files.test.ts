import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { fingerprint, spawnMigrate } from '../support/interrupt-helpers.ts';
import { runCli, runMigrateCli, type CliResult } from '../support/run-cli.ts';
import { LOG_COUNTS, makeKeylessLogFile, makePrismaAppFile, PRISMA_COUNTS } from '../sqlite/app-files.ts';

/**
 * Issue 10, items 1 and 2: SQLite files as applications leave them. A Prisma app's file (with
 * `_prisma_migrations` and an implicit m:n table that has no primary key) and a file with
 * keyless log tables, one of them holding repeated rows, both migrate and validate.
 */
const work = mkdtempSync(join(tmpdir(), 'sqlite-app-files-'));
const prismaFile = join(work, 'prisma-app.db');
const logFile = join(work, 'logs.db');
const unsupportedFile = join(work, 'logs-unsupported.db');
const config = join(work, 'config.json');
/** Small batches, so a kill lands between commits. */
const smallBatches = join(work, 'small-batches.json');

const migrateArgs = (file: string, url: string, cfg = config) => ['--from', 'sqlite', '--sqlite', file, '--mode', 'direct', '--target-url', url, '--config', cfg];
const validateCli = (file: string, url: string): Promise<CliResult> =>
  runCli('validate', ['--from', 'sqlite', '--sqlite', file, '--mode', 'direct', '--target-url', url, '--config', config]);
const ok = (r: CliResult) => ({ code: r.code, stderr: r.code === 0 ? '' : r.stderr });

function sqliteRows<T>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

beforeAll(() => {
  makePrismaAppFile(prismaFile);
  makeKeylessLogFile(logFile);
  makeKeylessLogFile(unsupportedFile, { unsupported: true });
  writeFileSync(config, JSON.stringify({ checkpointDir: join(work, 'checkpoints'), logDir: join(work, 'logs') }));
  writeFileSync(smallBatches, JSON.stringify({ checkpointDir: join(work, 'checkpoints-small'), logDir: join(work, 'logs-small'), batchSize: 20 }));
});

describe('a Prisma-managed SQLite file', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase('prisma_app');
  });
  afterAll(async () => {
    await db.drop();
  });

  test('migrates and validates; _prisma_migrations is named as not copied, with its reason; the implicit m:n table gets Prisma\'s PostgreSQL key', async () => {
    const run = await runMigrateCli(migrateArgs(prismaFile, db.url));
    expect(ok(run)).toEqual({ code: 0, stderr: '' });
    // The summary (stdout) names it, with why.
    expect(run.stdout).toMatch(/not copied:\n {2}table _prisma_migrations: Prisma Migrate's history of the SQLite migrations \(2 row\(s\)\): their SQL does not apply to PostgreSQL; re-baseline/);
    const validated = await validateCli(prismaFile, db.url);
    expect(ok(validated)).toEqual({ code: 0, stderr: '' });
    // Validate names it too, as a warning: left out on purpose, not a difference.
    expect(validated.stdout).toContain('[schema] WARNING _prisma_migrations: not-copied ×1: table _prisma_migrations not copied: Prisma Migrate');
    expect(validated.stdout).toContain('VALID: the target equals the source (1 warning above)');
    // The run report (the summary kept in the target) names it as well.
    expect((await db.pool.query(`SELECT summary->'notCopied' AS n FROM _migration.runs`)).rows).toEqual([{ n: [{ object: 'table _prisma_migrations', reason: expect.stringContaining('their SQL does not apply to PostgreSQL') }] }]);

    const q = async <T,>(sql: string) => (await db.pool.query(sql)).rows as T[];
    const tables = (await q<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map((r) => r.t);
    expect(tables).toEqual(['Category', 'Post', 'User', '_CategoryToPost']);
    const links = sqliteRows<{ n: number }>(prismaFile, `SELECT count(*) AS n FROM "_CategoryToPost"`)[0]?.n;
    expect(await q(`SELECT (SELECT count(*)::int FROM "User") AS users, (SELECT count(*)::int FROM "Post") AS posts, (SELECT count(*)::int FROM "Category") AS categories, (SELECT count(*)::int FROM "_CategoryToPost") AS links`)).toEqual([
      { users: PRISMA_COUNTS.User, posts: PRISMA_COUNTS.Post, categories: PRISMA_COUNTS.Category, links },
    ]);
    // Exactly as Prisma creates the table on PostgreSQL: (A, B) the primary key `_CategoryToPost_AB_pkey`, no column added.
    expect(await q(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '"_CategoryToPost"'::regclass AND contype = 'p'`)).toEqual([{ conname: '_CategoryToPost_AB_pkey', def: 'PRIMARY KEY ("A", "B")' }]);
    expect((await q<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = '_CategoryToPost' ORDER BY ordinal_position`)).map((r) => r.c)).toEqual(['A', 'B']);
    // cuid keys kept as text; DateTime stored as epoch milliseconds arrives as the same instant.
    const source = sqliteRows<{ id: string; createdAt: number }>(prismaFile, `SELECT id, "createdAt" FROM "User" ORDER BY id`);
    const target = await q<{ id: string; ms: string }>(`SELECT id, (extract(epoch FROM "createdAt") * 1000)::bigint::text AS ms FROM "User" ORDER BY id`);
    expect(target).toEqual(source.map((r) => ({ id: r.id, ms: String(r.createdAt) })));
  });
});

describe('keyless log and audit tables', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase('keyless');
  });
  afterAll(async () => {
    await db.drop();
  });

  test('migrate and validate exit 0; every row is there, repeated rows included; the rowid column is an identity the app can insert through', async () => {
    const run = await runMigrateCli(migrateArgs(logFile, db.url));
    expect(ok(run)).toEqual({ code: 0, stderr: '' });
    expect(run.stderr).toContain('page_views: no primary key and nothing unique; PostgreSQL gets one more column, sqlite_rowid');
    expect(ok(await validateCli(logFile, db.url))).toEqual({ code: 0, stderr: '' });

    // page_views as a multiset: each distinct row as many times as in SQLite.
    const multiset = (rows: { path: string | null; viewed_on: string | null; hits: string | number | null; n: string | number }[]) =>
      rows.map((r) => `${r.path}|${r.viewed_on}|${r.hits}|${Number(r.n)}`).sort();
    const source = sqliteRows<{ path: string; viewed_on: string; hits: number | null; n: number }>(logFile, `SELECT path, viewed_on, hits, count(*) AS n FROM page_views GROUP BY 1, 2, 3`);
    const target = (await db.pool.query(`SELECT path, to_char(viewed_on, 'YYYY-MM-DD') AS viewed_on, hits, count(*) AS n FROM page_views GROUP BY 1, 2, 3`)).rows;
    expect(multiset(target)).toEqual(multiset(source));
    expect(source.reduce((n, r) => n + r.n, 0)).toBe(LOG_COUNTS.page_views);
    expect(source.length).toBeLessThan(LOG_COUNTS.page_views);

    // audit_log row by row, by its SQLite rowid.
    const audit = sqliteRows<{ rowid: number; at: string; account_id: number | null; action: string; detail: string | null }>(logFile, `SELECT rowid, at, account_id, action, detail FROM audit_log ORDER BY rowid`);
    const loaded = (await db.pool.query(`SELECT sqlite_rowid::int AS rowid, at, account_id::int, action, detail FROM audit_log ORDER BY sqlite_rowid`)).rows;
    expect(loaded).toEqual(audit);
    // The source's foreign key is kept; an INSERT that does not name sqlite_rowid gets the next one.
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'audit_log'::regclass AND contype = 'f'`)).rows).toEqual([{ n: 1 }]);
    const inserted = await db.pool.query(`INSERT INTO page_views (path) VALUES ('/new') RETURNING sqlite_rowid::int AS id`);
    expect(inserted.rows).toEqual([{ id: LOG_COUNTS.page_views + 1 }]);
  });

  test('--models naming one table loads it and skips a table the tool cannot carry; without --models that table stops the run before anything is changed; an unreadable virtual table is named, not fatal', async () => {
    const other = await freshDatabase('keyless_models');
    try {
      const refused = await runMigrateCli(migrateArgs(unsupportedFile, other.url));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('Decimal(1200,2)');
      expect((await other.pool.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('public', '_migration')`)).rows).toEqual([{ n: 0 }]);

      const picked = await runMigrateCli([...migrateArgs(unsupportedFile, other.url), '--models', 'audit_log']);
      expect(ok(picked)).toEqual({ code: 0, stderr: '' });
      expect(picked.stderr).not.toContain('legacy_ledger');
      // A virtual table this SQLite cannot open is named as not copied, with SQLite's reason, and does not stop the run.
      expect(picked.stdout).toContain('not copied:\n  table words: a virtual table; SQLite cannot read its definition here (no such module: spellfix1)');
      expect((await other.pool.query(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'`)).rows).toEqual([{ t: 'audit_log' }]);
      expect((await other.pool.query(`SELECT count(*)::int AS n FROM audit_log`)).rows).toEqual([{ n: LOG_COUNTS.audit_log }]);
      // A name that is neither a table nor a model is bad input.
      const unknown = await runMigrateCli([...migrateArgs(unsupportedFile, other.url), '--models', 'nope']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('--models names nope, which is not a table of the SQLite file');
    } finally {
      await other.drop();
    }
  });

  test('schema mode onto a Prisma schema without models for the keyless tables: they are reported as left behind, the run does not fail', async () => {
    const other = await freshDatabase('keyless_schema');
    const schema = join(work, 'accounts.prisma');
    writeFileSync(schema, ['datasource db {', '  provider = "postgresql"', '}', 'model Account {', '  id    String @id @db.Uuid', '  login String @unique', '  @@map("accounts")', '}', ''].join('\n'));
    const cfg = join(work, 'schema-mode.json');
    writeFileSync(cfg, JSON.stringify({ checkpointDir: join(work, 'checkpoints-schema'), logDir: join(work, 'logs-schema'), models: { Account: { collection: 'accounts' } } }));
    try {
      const run = await runMigrateCli(['--from', 'sqlite', '--sqlite', logFile, '--mode', 'schema', '--schema', schema, '--target-url', other.url, '--config', cfg]);
      expect(ok(run)).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`collection audit_log (${LOG_COUNTS.audit_log.toLocaleString('en-US')} document(s)): no model reads it`);
      expect((await other.pool.query(`SELECT count(*)::int AS n FROM accounts`)).rows).toEqual([{ n: LOG_COUNTS.accounts }]);
    } finally {
      await other.drop();
    }
  });

  test('a re-run, a --restart and a kill -9 then resume all leave identical tables', async () => {
    const reference = await fingerprint(db.pool);
    const rerun = await runMigrateCli(migrateArgs(logFile, db.url));
    expect(ok(rerun)).toEqual({ code: 0, stderr: '' });
    expect(rerun.stderr).toContain('already completed; nothing to do');
    // The row the previous test inserted is the app's, not the source's: --restart empties it too.
    const restarted = await runMigrateCli([...migrateArgs(logFile, db.url), '--restart', '--yes']);
    expect(ok(restarted)).toEqual({ code: 0, stderr: '' });
    const afterRestart = await fingerprint(db.pool);
    expect(afterRestart.tables['accounts']).toEqual(reference.tables['accounts']);
    expect(afterRestart.tables['page_views']?.rows).toBe(LOG_COUNTS.page_views);

    const killedDb = await freshDatabase('keyless_kill');
    const fresh = await freshDatabase('keyless_ref');
    try {
      const clean = await runMigrateCli(migrateArgs(logFile, fresh.url, smallBatches));
      expect(ok(clean)).toEqual({ code: 0, stderr: '' });
      expect(await fingerprint(db.pool)).toEqual(await fingerprint(fresh.pool));

      // Killed while the keyless audit_log (phase 2, 150 batches of 20) loads: page_views is done, audit_log is not.
      const child = spawnMigrate(migrateArgs(logFile, killedDb.url, smallBatches));
      expect(await child.waitFor(/phase 2\/2: AuditLog/)).toBe(true);
      child.child.kill('SIGKILL');
      expect((await child.done).signal).toBe('SIGKILL');
      // The kill landed mid-load: page_views done, audit_log's whole-table transaction rolled back.
      expect((await killedDb.pool.query(`SELECT model, status FROM _migration.progress WHERE model IN ('PageViews', 'AuditLog') ORDER BY model`)).rows).toEqual([
        { model: 'AuditLog', status: expect.not.stringMatching(/^loaded$/) },
        { model: 'PageViews', status: 'loaded' },
      ]);
      expect((await killedDb.pool.query(`SELECT count(*)::int AS n FROM audit_log`)).rows).toEqual([{ n: 0 }]);
      const resumed = await runMigrateCli(migrateArgs(logFile, killedDb.url, smallBatches));
      expect(ok(resumed)).toEqual({ code: 0, stderr: '' });
      expect(resumed.stderr).toMatch(/resuming run \S+ \(running in phase load\)/);
      expect(await fingerprint(killedDb.pool)).toEqual(await fingerprint(fresh.pool));
      expect(ok(await validateCli(logFile, killedDb.url))).toEqual({ code: 0, stderr: '' });
    } finally {
      await killedDb.drop();
      await fresh.drop();
    }
  });

  test('a load that fails mid-way exits 1, says which tables are loaded and which not, and resumes to the same tables', async () => {
    const target = await freshDatabase('keyless_fail');
    const fresh = await freshDatabase('keyless_fail_ref');
    try {
      expect(ok(await runMigrateCli(migrateArgs(logFile, fresh.url)))).toEqual({ code: 0, stderr: '' });
      expect(ok(await runMigrateCli(migrateArgs(logFile, target.url)))).toEqual({ code: 0, stderr: '' });
      // The target refuses audit_log's rows (a trigger of the user's), after page_views is loaded.
      await target.pool.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is read-only today'; END $$;
        CREATE TRIGGER refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse()`);
      const failed = await runMigrateCli([...migrateArgs(logFile, target.url), '--restart', '--yes']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('audit_log is read-only today');
      expect(failed.stderr).toMatch(/the load stopped with 2 of 3 table\(s\) loaded \(.*\); not loaded: AuditLog\. The run is marked failed; fix the cause below, then resume with:\n {4}\S.* --resume /);
      expect(failed.stdout).not.toMatch(/TOTAL/);
      expect((await target.pool.query(`SELECT status FROM _migration.runs`)).rows).toEqual([{ status: 'failed' }]);
      await target.pool.query(`DROP TRIGGER refuse ON audit_log`);
      expect(ok(await runMigrateCli(migrateArgs(logFile, target.url)))).toEqual({ code: 0, stderr: '' });
      expect(await fingerprint(target.pool)).toEqual(await fingerprint(fresh.pool));
    } finally {
      await target.drop();
      await fresh.drop();
    }
  });
});
