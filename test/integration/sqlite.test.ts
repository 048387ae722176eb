import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { openSqliteSource, SqliteRefusal } from '../../src/sources/sqlite/sqlite-source.ts';
import { validate } from '../../src/validate/validate.ts';
import { freshDatabase, tableChecksum, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { EVENT_LOG_DISTINCT, makeTortureDb, PRECISE_TIME, TORTURE_OBJECTS, type TortureManifest } from '../sqlite/make-torture.ts';
import { schemaObjectAccount } from '../../src/accounting/schema-objects.ts';

// Next to the checkout, or next to the folder of worktrees (as source-changed.test.ts finds it).
const CHINOOK = [resolve('..', 'shared'), resolve('..', '..', 'shared')].map((d) => join(d, 'data', 'sqlite', 'chinook.sqlite')).find((f) => existsSync(f)) ?? 'chinook.sqlite not found';
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'sqlite-'));

async function validateSqlite(url: string, source: Record<string, unknown>, schema?: string) {
  const config = await loadConfig(undefined, { overrides: [{ source, target: { url }, ...(schema ? { schema } : {}) }] });
  return validate({ config, logger: createLogger({ quiet: true }) });
}

describe('chinook', () => {
  const chinook = join(work, 'chinook.sqlite');
  let sqlite: Database.Database;
  beforeAll(() => {
    expect(existsSync(CHINOOK)).toBe(true);
    copyFileSync(CHINOOK, chinook);
    sqlite = new Database(chinook, { readonly: true });
  });
  afterAll(() => {
    sqlite.close();
  });

  const cents = (sql: string) => Number((sqlite.prepare(sql).get() as { c: number }).c);

  test('direct copy: keys kept, money, text, self-reference and composite key intact; validate passes; the file is untouched', async () => {
    const before = sha256(chinook);
    const db = await freshDatabase('chinookdirect');
    try {
      const emitPrisma = join(work, 'chinook-direct.prisma');
      const emitZero = join(work, 'chinook-zero.ts');
      const source = { kind: 'sqlite', path: chinook, mode: 'direct', emitPrisma, emitZero };
      const run = await migrateForTest({ source, targetUrl: db.url });
      expect(run.status).toBe('completed');
      expect(run.summary?.totals).toMatchObject({ source: 15_607, written: 15_607, rejected: 0 });
      expect((await validateSqlite(db.url, source)).findings).toEqual([]);

      const q = async <T,>(sql: string) => (await db.pool.query(sql)).rows as T[];
      expect(await q(`SELECT (sum("Total") * 100)::bigint::text AS c FROM "Invoice"`)).toEqual([{ c: String(cents(`SELECT sum(CAST(round("Total" * 100) AS INTEGER)) AS c FROM Invoice`)) }]);
      expect(await q(`SELECT (sum("UnitPrice" * "Quantity") * 100)::bigint::text AS c FROM "InvoiceLine"`)).toEqual([
        { c: String(cents(`SELECT sum(CAST(round("UnitPrice" * 100) AS INTEGER) * "Quantity") AS c FROM InvoiceLine`)) },
      ]);
      const names = (sqlite.prepare(`SELECT "ArtistId" AS id, "Name" AS name FROM Artist ORDER BY 1`).all() as { id: number; name: string }[]).map((r) => [BigInt(r.id).toString(), r.name]);
      expect((await q<{ id: string; name: string }>(`SELECT "ArtistId"::text AS id, "Name" AS name FROM "Artist" ORDER BY "ArtistId"`)).map((r) => [r.id, r.name])).toEqual(names);
      expect(names.some(([, n]) => /[^\x00-\x7f]/.test(n ?? ''))).toBe(true);
      expect(await q(`SELECT "EmployeeId"::int AS id, "ReportsTo"::int AS boss FROM "Employee" ORDER BY 1`)).toEqual(
        (sqlite.prepare(`SELECT EmployeeId AS id, ReportsTo AS boss FROM Employee ORDER BY 1`).all() as { id: number; boss: number | null }[]).map((r) => ({ id: Number(r.id), boss: r.boss === null ? null : Number(r.boss) })),
      );
      expect(await q(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'PlaylistTrack_pkey'`)).toEqual([{ def: 'PRIMARY KEY ("PlaylistId", "TrackId")' }]);
      expect(await q(`SELECT conname FROM pg_constraint WHERE conname = 'Employee_ReportsTo_fkey'`)).toHaveLength(1);
      // The sequence of a kept INTEGER PRIMARY KEY is past the highest id: the app's next insert works.
      await db.pool.query(`INSERT INTO "Genre" ("Name") VALUES ('Added after the migration')`);

      expect(readDmmf(readFileSync(emitPrisma, 'utf8')).datamodel.models).toHaveLength(11);
      const zero = readFileSync(emitZero, 'utf8');
      expect(zero).toContain(`table("PlaylistTrack")`);
      expect(zero).toContain(`.primaryKey("playlistId", "trackId")`);
      expect(zero).toMatch(/reportsToRel: one\(\{ sourceField: \["reportsTo"\], destField: \["employeeId"\], destSchema: employeeTable \}\)/);
    } finally {
      await db.drop();
    }
    expect(sha256(chinook)).toBe(before);
    expect(sha256(CHINOOK)).toBe(before);
  });

  test('schema-driven: onto prisma/chinook.prisma, integer keys become UUIDs, validate passes', async () => {
    const db = await freshDatabase('chinookschema');
    try {
      const source = { kind: 'sqlite', path: chinook, mode: 'schema' };
      const run = await migrateForTest({ source, targetUrl: db.url, overrides: { schema: 'prisma/chinook.prisma' } });
      expect(run.status).toBe('completed');
      expect(run.summary?.totals).toMatchObject({ written: 15_607, rejected: 0 });
      expect((await validateSqlite(db.url, source, 'prisma/chinook.prisma')).findings).toEqual([]);
      const { rows } = await db.pool.query(`SELECT (sum(total) * 100)::bigint::text AS c FROM invoices`);
      expect(rows).toEqual([{ c: String(cents(`SELECT sum(CAST(round("Total" * 100) AS INTEGER)) AS c FROM Invoice`)) }]);
      const { rows: managers } = await db.pool.query(`SELECT count(*)::int AS n FROM employees e JOIN employees m ON m.id = e."reportsTo"`);
      expect(managers).toEqual([{ n: 7 }]);
      const { rows: unique } = await db.pool.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'playlist_tracks_playlistId_trackId_key'`);
      expect(unique).toHaveLength(1);
    } finally {
      await db.drop();
    }
  });
});

describe('the torture file', () => {
  const file = join(work, 'torture.sqlite');
  let manifest: TortureManifest;
  let db: TestDatabase;
  let log: string;
  let sqlite: Database.Database;
  const source = () => ({ kind: 'sqlite', path: file, mode: 'direct' });

  beforeAll(async () => {
    manifest = makeTortureDb(file);
    sqlite = new Database(file, { readonly: true });
    db = await freshDatabase('torture');
    // The server's zone must not matter: dates are read in the configured zone (UTC).
    await db.pool.query(`ALTER DATABASE "${db.name}" SET timezone TO 'America/New_York'`);
    const logFile = join(work, 'torture.jsonl');
    const run = await migrateForTest({ source: source(), targetUrl: db.url, logFile });
    expect(run.status).toBe('completed');
    expect(run.summary?.balanced).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    log = readFileSync(logFile, 'utf8');
  });
  afterAll(async () => {
    sqlite.close();
    await db.drop();
  });

  const col = async (table: string, column: string) =>
    (
      await db.pool.query<{ type: string; notnull: boolean; def: string | null }>(
        `SELECT format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS def
           FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = $1::regclass AND a.attname = $2`,
        [`"${table}"`, column],
      )
    ).rows[0];
  const value = async (sql: string) => (await db.pool.query(sql)).rows[0] as Record<string, unknown> | undefined;

  test('migrates and validates; exactly the unrepresentable values are rejected, each logged with its reason', async () => {
    // Nothing is wrong; the only findings are the warnings for what is named as not created or not copied.
    const findings = (await validateSqlite(db.url, source())).findings;
    expect(findings.filter((f) => f.severity !== 'warning')).toEqual([]);
    expect(findings.map((f) => `${f.model}: ${f.kind}`).sort()).toEqual(['_prisma_migrations: not-copied', expect.stringMatching(/^members.*trigger/)]);
    const { rows } = await db.pool.query<{ model: string; source_id: string; reason: string }>(`SELECT model, source_id, reason FROM _migration.rejected ORDER BY model, source_id`);
    const rejectedKeys = new Set(rows.map((r) => `${r.model}:${r.source_id}`));
    // Empty strings in nullable columns are read as NULL with a warning (config: emptyStrings), so they are not rejected.
    const mustReject = manifest.badValues.filter((b) => !/^empty string '' in (INTEGER|REAL|NUMERIC|DATE|DATETIME) column/.test(b.what));
    expect(mustReject.length).toBeGreaterThan(8);
    const modelOf: Record<string, string> = { 'order items': 'OrderItems', nul_text: 'NulText', bad_utf8: 'BadUtf8', docs: 'Docs', appointments: 'Appointments' };
    for (const bad of mustReject) expect(rejectedKeys).toContain(`${modelOf[bad.table]}:${String(Object.values(bad.key)[0])}`);
    expect(rows.find((r) => r.model === 'NulText')?.reason).toMatch(/NUL character/);
    expect(rows.find((r) => r.model === 'BadUtf8')?.reason).toMatch(/invalid UTF-8 text \(bytes c328\)/);
    expect(rows.find((r) => r.model === 'Docs')?.reason).toMatch(/invalid JSON/);
    expect(rows.find((r) => r.model === 'Appointments')?.reason).toMatch(/^d: has a time of day, which a date column would drop/);
    // Beyond the planted ones, only the two values the manifest calls reject-or-round.
    expect(rows.length).toBe(mustReject.length + 2);
  });

  test('every coercion is in the log', () => {
    for (const rule of ['unix seconds as a time', 'unix milliseconds as a time', 'julian day as a time', 'text as a boolean', 'empty string as NULL', 'number stored in a text column', 'REAL rounding artifact at the declared scale', 'text in a BLOB column kept as its UTF-8 bytes']) {
      expect(log).toContain(`(${rule})`);
    }
  });

  describe('none of the faults measured in pgloader 3.6.9', () => {
    test('NOT NULL is kept on non-key columns', async () => {
      expect(await col('customers', 'email')).toMatchObject({ type: 'text', notnull: true });
      expect(await col('order items', 'Product Name')).toMatchObject({ type: 'character varying(255)', notnull: true });
    });
    test('REAL stays an 8-byte double', async () => {
      expect((await col('reals', 'r_real'))?.type).toBe('double precision');
      expect(await value(`SELECT r_real::text AS v FROM reals WHERE id = 2`)).toEqual({ v: '16777217' });
      expect(await value(`SELECT r_double::text AS v FROM reals WHERE id = 3`)).toEqual({ v: '1e+300' });
    });
    test('an INTEGER PRIMARY KEY without AUTOINCREMENT gets a sequence past the highest id', async () => {
      const { rows } = await db.pool.query(`SELECT pg_get_serial_sequence('"dates_unix_s"', 'id') AS seq`);
      expect(rows[0]?.seq).toBeTruthy();
      await db.pool.query(`INSERT INTO dates_unix_s (at) VALUES (now())`);
      expect(await value(`SELECT max(id)::int AS v FROM dates_unix_s`)).toEqual({ v: 4 });
    });
    test('epoch seconds, epoch milliseconds and julian days become the right instants', async () => {
      expect(await value(`SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS v FROM dates_unix_s WHERE id = 1`)).toEqual({ v: '2021-03-04 05:06:07' });
      expect(await value(`SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS v FROM dates_unix_ms WHERE id = 1`)).toEqual({ v: '2021-03-04 05:06:07.123' });
      expect(await value(`SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS v FROM dates_julian WHERE id = 2`)).toEqual({ v: '2021-03-05 00:00' });
    });
    test('date strings are not read in the server time zone', async () => {
      expect(await value(`SELECT to_char(dt AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS v FROM dates WHERE id = 1`)).toEqual({ v: '2021-03-04 05:06:07' });
      expect(await value(`SELECT to_char(dt AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS v FROM dates WHERE id = 3`)).toEqual({ v: '2021-03-04 03:06:07' });
    });
    test("a datetime('now') default creates the table, with the current time as its default", async () => {
      expect((await col('audit_log', 'at'))?.def).toBe('CURRENT_TIMESTAMP');
      await db.pool.query(`INSERT INTO audit_log (id) VALUES (1000)`);
      expect(await value(`SELECT event, at > now() - interval '1 minute' AS recent FROM audit_log WHERE id = 1000`)).toEqual({ event: 'noop', recent: true });
    });
    test('one bad row does not lose its batch', async () => {
      expect(await value(`SELECT count(*)::int AS v FROM "order items"`)).toEqual({ v: 5000 - manifest.badValues.filter((b) => b.table === 'order items').length });
      expect(await value(`SELECT count(*)::int AS v FROM "order items" WHERE "Item Id" BETWEEN 1001 AND 2000`)).toEqual({ v: 998 });
    });
    test('invalid UTF-8, or text in a BLOB column, does not drop the rest of the table', async () => {
      expect(await value(`SELECT count(*)::int AS v FROM bad_utf8`)).toEqual({ v: 6 });
      expect(await value(`SELECT convert_from(b, 'UTF8') AS v FROM blobs WHERE id = 4`)).toEqual({ v: 'plain text in a blob column' });
      expect(await value(`SELECT count(*)::int AS v FROM blobs`)).toEqual({ v: 7 });
    });
    test('text with a NUL byte is rejected, never cut', async () => {
      expect(await value(`SELECT count(*)::int AS v FROM nul_text WHERE id = 3`)).toEqual({ v: 0 });
      expect(await value(`SELECT count(*)::int AS v FROM nul_text`)).toEqual({ v: 4 });
    });
    test('a number in an untyped column stays the number it was', async () => {
      expect(await value(`SELECT v FROM untyped WHERE id = 2`)).toEqual({ v: '2.5' });
      expect(await value(`SELECT v FROM untyped WHERE id = 6`)).toEqual({ v: '9223372036854775807' });
    });
    test('integers at or above 2^62 arrive exactly', async () => {
      const want = (sqlite.prepare(`SELECT id, CAST(v AS TEXT) AS v FROM big_integers ORDER BY id`).all() as { id: number; v: string }[]).map((r) => [Number(r.id), r.v]);
      const got = (await db.pool.query<{ id: number; v: string }>(`SELECT id::int, v::text FROM big_integers ORDER BY id`)).rows.map((r) => [r.id, r.v]);
      expect(got).toEqual(want);
    });
    test('MEDIUMINT, STRING, INT2, INT8 and UNSIGNED BIG INT columns migrate', async () => {
      for (const table of ['type_mediumint', 'type_string', 'type_int2', 'type_int8', 'type_unsigned_big_int']) {
        expect({ table, ...(await value(`SELECT count(*)::int AS v FROM ${table}`)) }).toEqual({ table, v: Number((sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n) });
      }
    });
    test('character varying(255) stays varying, never padded', async () => {
      expect((await col('texts', 't_charvarying'))?.type).toBe('character varying(255)');
      expect(await value(`SELECT t_charvarying AS v FROM texts WHERE id = 1`)).toEqual({ v: 'trailing spaces   ' });
    });
  });

  describe('the shapes applications leave (issue 10)', () => {
    test('a keyless log keeps every row, duplicates included, under an added sqlite_rowid', async () => {
      expect(await value(`SELECT count(*)::int AS v, count(DISTINCT (at, level, message))::int AS d FROM event_log`)).toEqual({ v: 2 * EVENT_LOG_DISTINCT, d: EVENT_LOG_DISTINCT });
      expect(await value(`SELECT min(sqlite_rowid)::int AS lo, max(sqlite_rowid)::int AS hi FROM event_log`)).toEqual({ lo: 1, hi: 2 * EVENT_LOG_DISTINCT });
      expect(log).toMatch(/event_log[^\n]*sqlite_rowid/);
    });
    test('_prisma_migrations is not copied, and the run report says why', async () => {
      expect(await value(`SELECT to_regclass('"_prisma_migrations"') AS v`)).toEqual({ v: null });
      expect(await value(`SELECT summary->'notCopied' AS v FROM _migration.runs WHERE status = 'completed'`)).toEqual({
        v: [{ object: 'table _prisma_migrations', reason: expect.stringContaining('their SQL does not apply to PostgreSQL') }],
      });
    });
    test('DATETIME text with microseconds arrives to the microsecond', async () => {
      expect(await value(`SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS v FROM precise_times WHERE id = 1`)).toEqual({ v: PRECISE_TIME });
      expect(await value(`SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS v FROM precise_times WHERE id = 2`)).toEqual({ v: '2024-05-01 10:11:12.000001' });
    });
    test('the view, the generated columns and both indexes are created and work; the trigger is listed with its SQL', async () => {
      const [run] = (await db.pool.query<{ summary: { schemaObjects: unknown } }>(`SELECT summary FROM _migration.runs WHERE status = 'completed'`)).rows;
      const account = schemaObjectAccount.parse(run?.summary.schemaObjects);
      expect(account.notCreated.map((n) => `${n.kind} ${n.name}`)).toEqual(TORTURE_OBJECTS.triggers.map((t) => `trigger ${t}`));
      expect(account.notCreated[0]?.sql).toMatch(/CREATE TRIGGER members_no_email_change BEFORE UPDATE OF email ON members/);
      expect(account.notCreated[0]?.reason).toMatch(/PL\/pgSQL/);
      for (const kind of ['view', 'generated-column', 'index'] as const) {
        const k = account.kinds.find((x) => x.kind === kind);
        expect({ kind, created: k?.created }).toEqual({ kind, created: k?.source });
      }
      expect(await value(`SELECT string_agg(id::text, ',' ORDER BY id) AS v FROM active_members`)).toEqual({ v: '1,3' });
      expect(await value(`SELECT full_name, name_length::int AS n FROM members WHERE id = 2`)).toEqual({ full_name: 'Bob Builder', n: 10 });
      const { rows: indexes } = await db.pool.query<{ indexname: string; indexdef: string }>(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'members' AND indexname <> 'members_pkey' ORDER BY 1`);
      expect(indexes.map((i) => i.indexname)).toEqual([...TORTURE_OBJECTS.indexes]);
      expect(indexes[1]?.indexdef).toMatch(/WHERE \(deleted_at IS NULL\)/);
      await expect(db.pool.query(`INSERT INTO members (id, email, first_name, last_name) VALUES (10, 'ALICE@example.com', 'A', 'L')`)).rejects.toMatchObject({ code: '23505' });
    });
    test("a '' text key is copied, a JSON '{}' default is kept, a DATE holding a time of day is rejected (the other rows load)", async () => {
      expect(await value(`SELECT label FROM codes WHERE code = ''`)).toEqual({ label: 'empty code' });
      expect(await value(`SELECT count(*)::int AS v FROM codes`)).toEqual({ v: 3 });
      expect((await col('settings', 'prefs'))?.def).toBe(`'{}'::jsonb`);
      expect(await value(`SELECT count(*)::int AS v FROM settings WHERE prefs = '{}'::jsonb`)).toEqual({ v: 2 });
      expect(await value(`SELECT string_agg(id::text || '=' || d::text, ',' ORDER BY id) AS v FROM appointments`)).toEqual({ v: '1=2024-05-01,3=2024-05-02' });
    });
  });
});

test('a SQLite file another process is writing is refused unless forced', async () => {
  const file = join(work, 'busy.sqlite');
  const writer = new Database(file);
  writer.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a')`);
  writer.exec('BEGIN IMMEDIATE');
  writer.prepare(`INSERT INTO t (v) VALUES ('b')`).run();
  try {
    expect(() => openSqliteSource(file)).toThrow(SqliteRefusal);
    expect(() => openSqliteSource(file)).toThrow(/being written by another process.*--force/);
    const forced = openSqliteSource(file, { force: true });
    expect(await forced.count('t')).toBe(1);
    await forced.close();
  } finally {
    writer.exec('ROLLBACK');
    writer.close();
  }
});

test('a re-run (--restart) that fails inside a table leaves that table as it was before the run; resuming finishes it', async () => {
  const chinook = join(work, 'chinook-rerun.sqlite');
  copyFileSync(CHINOOK, chinook);
  const db = await freshDatabase('rerun');
  try {
    const source = { kind: 'sqlite', path: chinook, mode: 'direct' };
    expect((await migrateForTest({ source, targetUrl: db.url })).status).toBe('completed');
    const before = await tableChecksum(db.pool, 'PlaylistTrack');
    // Interrupt the re-run while PlaylistTrack (8,715 rows, batches of 100) is loading.
    const controller = new AbortController();
    const watcher = setInterval(() => {
      db.pool
        .query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'COPY "PlaylistTrack"%'`, [db.name])
        .then(({ rows }) => {
          if ((rows[0]?.n ?? 0) > 0) controller.abort(new Error('test: failure inside the table'));
        })
        .catch(() => {});
    }, 5);
    const rerun = await migrateForTest({ source, targetUrl: db.url, restart: true, confirm: true, signal: controller.signal, overrides: { batchSize: 100 } });
    clearInterval(watcher);
    expect(rerun.status).toBe('paused');
    expect(await tableChecksum(db.pool, 'PlaylistTrack')).toEqual(before);
    const resumed = await migrateForTest({ source, targetUrl: db.url });
    expect(resumed.status).toBe('completed');
    expect(await tableChecksum(db.pool, 'PlaylistTrack')).toEqual(before);
    expect((await validateSqlite(db.url, source)).findings).toEqual([]);
  } finally {
    await db.drop();
  }
});

test('an AUTOINCREMENT table never hands out a deleted id again', async () => {
  const file = join(work, 'autoinc.sqlite');
  const db = new Database(file);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT); INSERT INTO t (v) VALUES ('a'), ('b'), ('c'); DELETE FROM t WHERE id = 3;`);
  db.close();
  const target = await freshDatabase('autoinc');
  try {
    expect((await migrateForTest({ source: { kind: 'sqlite', path: file, mode: 'direct' }, targetUrl: target.url })).status).toBe('completed');
    const { rows } = await target.pool.query(`INSERT INTO t (v) VALUES ('d') RETURNING id::int`);
    expect(rows).toEqual([{ id: 4 }]);
  } finally {
    await target.drop();
  }
});
