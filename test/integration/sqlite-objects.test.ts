import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { schemaObjectAccount } from '../../src/accounting/schema-objects.ts';
import { freshDatabase, tableChecksum, type TestDatabase } from '../support/databases.ts';
import { runCli, runMigrateCli, type CliResult } from '../support/run-cli.ts';

/**
 * Issue 10, item 4: the schema objects of a hand-written app's SQLite file (views, a trigger,
 * generated columns, partial and expression indexes, a CHECK) are each either created in
 * PostgreSQL and working there, or named with the reason in the summary, the run report and
 * validate's findings.
 */
const work = mkdtempSync(join(tmpdir(), 'sqlite-objects-'));

const TRIGGER_SQL = `CREATE TRIGGER touch_updated_at AFTER UPDATE ON users
BEGIN
  UPDATE users SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END`;

function makeApp(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE users (
      id INTEGER PRIMARY KEY,
      email TEXT NOT NULL,
      handle TEXT,
      first_name TEXT NOT NULL,
      last_name TEXT NOT NULL,
      full_name TEXT GENERATED ALWAYS AS (first_name || ' ' || last_name) VIRTUAL,
      created_at DATETIME NOT NULL,
      updated_at DATETIME,
      deleted_at DATETIME
    );
    CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
    CREATE UNIQUE INDEX users_handle ON users (handle COLLATE NOCASE);
    CREATE INDEX users_live_by_name ON users (last_name) WHERE deleted_at IS NULL;
    CREATE TABLE products (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      sku TEXT NOT NULL UNIQUE COLLATE NOCASE,
      price NUMERIC(10,2) NOT NULL CONSTRAINT price_not_negative CHECK (price >= 0),
      qty INTEGER NOT NULL DEFAULT 1,
      total NUMERIC(12,2) GENERATED ALWAYS AS (price * qty) STORED
    );
    CREATE VIEW active_users AS SELECT id, email, full_name FROM users WHERE deleted_at IS NULL;
    CREATE VIEW signups_by_month AS SELECT strftime('%Y-%m', created_at) AS month, count(*) AS n FROM users GROUP BY 1;
    ${TRIGGER_SQL};
  `);
  const user = db.prepare('INSERT INTO users (id, email, handle, first_name, last_name, created_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  user.run(1, 'alice@example.com', 'alice', 'Alice', 'Liddell', '2024-01-05 10:00:00', null);
  user.run(2, 'Bob@Example.com', 'Bobby', 'Bob', 'Builder', '2024-01-20 11:30:00', '2024-03-01 09:00:00');
  user.run(3, 'carol@example.com', null, 'Carol', 'Danvers', '2024-02-02 08:15:00', null);
  const product = db.prepare('INSERT INTO products (id, name, sku, price, qty) VALUES (?, ?, ?, ?, ?)');
  product.run(1, 'pen', 'pen-1', '1.50', 4);
  product.run(2, 'book', 'book-1', '12.00', 1);
  db.close();
}

const reportSchema = z.object({
  findings: z.array(z.object({ check: z.string(), kind: z.string(), message: z.string(), severity: z.literal('warning').optional() })),
});

describe('SQLite schema objects: created and exercised, or listed with the reason', () => {
  const sqlite = join(work, 'app.sqlite');
  const config = join(work, 'config.json');
  let db: TestDatabase;
  let first: CliResult;
  const migrate = (...extra: string[]) => runMigrateCli(['--from', 'sqlite', '--sqlite', sqlite, '--target-url', db.url, '--config', config, ...extra]);
  const validate = (report: string) =>
    runCli('validate', ['--from', 'sqlite', '--sqlite', sqlite, '--target-url', db.url, '--config', config, '--report', report]);
  const q = async <T,>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
  /** The PostgreSQL error code a statement fails with, or 'ok'. */
  const refusal = async (sql: string) => {
    try {
      await db.pool.query(sql);
      return 'ok';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  };

  beforeAll(async () => {
    makeApp(sqlite);
    writeFileSync(config, JSON.stringify({ checkpointDir: join(work, 'checkpoints'), logDir: join(work, 'logs') }));
    db = await freshDatabase('objects');
    first = await migrate();
  });
  afterAll(async () => {
    await db.drop();
  });

  test('migrate exits 0; the summary lists every object not created with its reason, the trigger with its SQL', () => {
    expect({ code: first.code, stderr: first.code === 0 ? '' : first.stderr }).toEqual({ code: 0, stderr: '' });
    const notCreated = first.stdout.slice(first.stdout.indexOf('NOT CREATED in PostgreSQL'));
    expect(notCreated).toMatch(/^NOT CREATED in PostgreSQL \(2\):/);
    expect(notCreated).toMatch(/^ {2}view signups_by_month: PostgreSQL refused it: function strftime\(.*\) does not exist$/m);
    expect(notCreated).toContain('  trigger touch_updated_at: SQLite trigger body; recreate it as a PL/pgSQL function');
    expect(notCreated).toContain('      UPDATE users SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;');
    // Counts per kind: the source's against PostgreSQL's.
    expect(first.stdout).toMatch(/^ {2}view +1 of 2$/m);
    expect(first.stdout).toMatch(/^ {2}trigger +0 of 1$/m);
    expect(first.stdout).toMatch(/^ {2}generated-column +2 of 2$/m);
    expect(first.stdout).toMatch(/^ {2}check +1 of 1$/m);
    expect(first.stdout).toMatch(/^ {2}index +4 of 4$/m);
    expect(first.stdout).toContain('index users_handle: COLLATE NOCASE in SQLite, lower(…) here');
    expect(first.stdout).toContain('generated-column users.full_name: VIRTUAL in SQLite, GENERATED ALWAYS AS (…) STORED');
  });

  test('the run report (_migration.runs.summary) holds the same account', async () => {
    const [run] = await q<{ summary: { schemaObjects: unknown } }>(`SELECT summary FROM _migration.runs WHERE status = 'completed'`);
    const account = schemaObjectAccount.parse(run?.summary.schemaObjects);
    expect(account.notCreated.map((n) => [n.kind, n.name])).toEqual([
      ['view', 'signups_by_month'],
      ['trigger', 'touch_updated_at'],
    ]);
    expect(account.notCreated[0]?.reason).toMatch(/^PostgreSQL refused it: function strftime\(.*\) does not exist$/);
    expect(account.notCreated[0]?.refused).toBe(true);
    expect(account.notCreated[1]).toEqual({ kind: 'trigger', name: 'touch_updated_at', reason: 'SQLite trigger body; recreate it as a PL/pgSQL function', sql: TRIGGER_SQL });
    expect(account.kinds.every((k) => k.kind === 'view' || k.kind === 'trigger' || k.created === k.source)).toBe(true);
  });

  test('each translated object works in PostgreSQL', async () => {
    const source = new Database(sqlite, { readonly: true });
    try {
      // The view returns the rows it returns in SQLite.
      const expected = source.prepare('SELECT id, email, full_name FROM active_users ORDER BY id').all() as { id: number; email: string; full_name: string }[];
      const got = await q<{ id: string; email: string; full_name: string }>('SELECT id, email, full_name FROM active_users ORDER BY id');
      expect(got.map((r) => ({ ...r, id: Number(r.id) }))).toEqual(expected);
      expect(expected).toHaveLength(2);
      // The generated columns hold what SQLite computes, for the copied rows.
      const names = source.prepare('SELECT id, full_name FROM users ORDER BY id').all() as { id: number; full_name: string }[];
      expect((await q<{ id: string; full_name: string }>('SELECT id, full_name FROM users ORDER BY id')).map((r) => ({ ...r, id: Number(r.id) }))).toEqual(names);
      const totals = source.prepare('SELECT id, CAST(total AS TEXT) AS total FROM products ORDER BY id').all() as { id: number; total: string }[];
      expect((await q<{ id: string; total: string }>('SELECT id, total::float8::text AS total FROM products ORDER BY id')).map((r) => ({ ...r, id: Number(r.id) }))).toEqual(totals);
    } finally {
      source.close();
    }
    expect(await q(`SELECT attname, attgenerated FROM pg_attribute WHERE attrelid IN ('users'::regclass, 'products'::regclass) AND attgenerated <> '' ORDER BY 1`)).toEqual([
      { attname: 'full_name', attgenerated: 's' },
      { attname: 'total', attgenerated: 's' },
    ]);
    // ... and for new ones.
    await db.pool.query(`INSERT INTO users (email, first_name, last_name, created_at) VALUES ('dave@example.com', 'Dave', 'Grohl', now())`);
    expect(await q(`SELECT full_name FROM users WHERE email = 'dave@example.com'`)).toEqual([{ full_name: 'Dave Grohl' }]);
    // The unique index on lower(email) refuses a case variant, so does the one on handle COLLATE NOCASE; the CHECK refuses a negative price.
    expect(await refusal(`INSERT INTO users (email, first_name, last_name, created_at) VALUES ('ALICE@example.COM', 'A', 'L', now())`)).toBe('23505');
    expect(await refusal(`INSERT INTO users (email, handle, first_name, last_name, created_at) VALUES ('x@example.com', 'BOBBY', 'B', 'B', now())`)).toBe('23505');
    expect(await refusal(`INSERT INTO products (name, sku, price, qty) VALUES ('refund', 'r', -1, 1)`)).toBe('23514');
    expect(await refusal(`INSERT INTO products (name, sku, price, qty) VALUES ('free', 'f', 0, 1)`)).toBe('ok');
    // A unique constraint on a COLLATE NOCASE column keeps refusing a case variant.
    expect(await refusal(`INSERT INTO products (name, sku, price, qty) VALUES ('pen', 'PEN-1', 1, 1)`)).toBe('23505');
    expect(await q(`SELECT indexdef FROM pg_indexes WHERE indexname = 'products_sku_key'`)).toEqual([{ indexdef: 'CREATE UNIQUE INDEX products_sku_key ON public.products USING btree (lower(sku))' }]);
    // The partial index keeps its predicate.
    const [partial] = await q<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'users_live_by_name'`);
    expect(partial?.indexdef).toMatch(/\(last_name\) WHERE \(deleted_at IS NULL\)$/);
    await db.pool.query(`DELETE FROM users WHERE email = 'dave@example.com'; DELETE FROM products WHERE name = 'free'`);
  });

  test('validate exits 0 and lists every object not created as a warning; a translated object dropped since is a defect', async () => {
    const reportFile = join(work, 'validate.json');
    const valid = await validate(reportFile);
    expect({ code: valid.code, out: valid.code === 0 ? '' : valid.stdout + valid.stderr }).toEqual({ code: 0, out: '' });
    const warnings = reportSchema.parse(JSON.parse(readFileSync(reportFile, 'utf8'))).findings.filter((f) => f.severity === 'warning');
    expect(warnings.map((f) => f.kind).sort()).toEqual(['not-created trigger touch_updated_at', 'not-created view signups_by_month']);
    expect(warnings.find((f) => f.kind.includes('trigger'))?.message).toBe('trigger touch_updated_at is not in PostgreSQL: SQLite trigger body; recreate it as a PL/pgSQL function');
    expect(warnings.find((f) => f.kind.includes('view'))?.message).toMatch(/^view signups_by_month is not in PostgreSQL: PostgreSQL refused it: function strftime/);
    expect(valid.stdout).toContain('[schema] WARNING signups_by_month: not-created view signups_by_month');

    await db.pool.query('DROP INDEX users_email_lower');
    const broken = await validate(join(work, 'validate-broken.json'));
    expect(broken.code).toBe(3);
    expect(broken.stdout).toContain('index users_email_lower is not in PostgreSQL and the run recorded no reason');
  });

  test('a re-run reads the catalog: the index dropped above is listed; --restart --yes reloads with the objects in place, the copy never writes a generated column', async () => {
    const rerun = await migrate();
    expect({ code: rerun.code, stderr: rerun.code === 0 ? '' : rerun.stderr }).toEqual({ code: 0, stderr: '' });
    expect(rerun.stdout).toMatch(/^NOT CREATED in PostgreSQL \(3\):/m);
    expect(rerun.stdout).toContain('  index users_email_lower: not in PostgreSQL, and no run recorded why (dropped since?)');
    expect(rerun.stdout).toMatch(/^ {2}view signups_by_month: PostgreSQL refused it: function strftime/m);
    // The re-run's account does not turn "no reason" into a recorded one: validate still finds the defect.
    expect((await validate(join(work, 'validate-rerun.json'))).code).toBe(3);
    const before = await Promise.all(['users', 'products'].map((t) => tableChecksum(db.pool, t)));
    const again = await migrate('--restart', '--yes');
    expect({ code: again.code, stderr: again.code === 0 ? '' : again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/^NOT CREATED in PostgreSQL \(2\):/m);
    expect(await Promise.all(['users', 'products'].map((t) => tableChecksum(db.pool, t)))).toEqual(before);
    // The index dropped above is back, and validate agrees.
    expect(await refusal(`INSERT INTO users (email, first_name, last_name, created_at) VALUES ('Carol@Example.com', 'C', 'D', now())`)).toBe('23505');
    const valid = await validate(join(work, 'validate-again.json'));
    expect({ code: valid.code, out: valid.code === 0 ? '' : valid.stdout + valid.stderr }).toEqual({ code: 0, out: '' });
  });
});
