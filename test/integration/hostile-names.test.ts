import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { STATE_TABLES } from '../../src/target/identifiers.ts';
import { freshDatabase, tableChecksum, type TestDatabase } from '../support/databases.ts';
import { runCli, runCommand, runMigrateCli, type CliResult } from '../support/run-cli.ts';

/**
 * Issue 8, item 5: table and column names a real SQLite file can have, which the tool used to
 * read as schema.table, write into its own `_migration` bookkeeping, or lose to PostgreSQL's
 * 63-byte truncation on the second run.
 */
const work = mkdtempSync(join(tmpdir(), 'hostile-names-'));
const sha8 = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 8);

const LONG_TABLE = `orders_${'x'.repeat(63)}`; // 70 bytes
const LONG_COLUMN = `note_${'y'.repeat(65)}`; // 70 bytes
const LONG_INDEX = `ix_${'é'.repeat(35)}`; // 38 characters, 73 bytes
/** What the direct copy calls them: the first bytes that leave room for `_` and 8 hex digits of a hash, 63 bytes at most. */
const FITTED_TABLE = `${LONG_TABLE.slice(0, 54)}_${sha8(LONG_TABLE)}`;
const FITTED_COLUMN = `${LONG_COLUMN.slice(0, 54)}_${sha8(LONG_COLUMN)}`;
const FITTED_INDEX = `ix_${'é'.repeat(25)}_${sha8(LONG_INDEX)}`;
/** Every table the source has, by the name it must have in PostgreSQL's public schema. */
const EXPECTED = new Map([
  ['we.ird', 'we.ird'],
  ['_migration.loaded_tables', '_migration.loaded_tables'],
  ['_migration.id_map', '_migration.id_map'],
  ['_migration', '_migration'],
  ['id_map', 'id_map'],
  [LONG_TABLE, FITTED_TABLE],
]);

function makeSqlite(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE "we.ird" (id INTEGER PRIMARY KEY, "na""me.x" TEXT NOT NULL);
    CREATE INDEX "we.ird_by_name" ON "we.ird" ("na""me.x");
    CREATE TABLE "_migration.loaded_tables" (id INTEGER PRIMARY KEY, table_name TEXT, model TEXT);
    CREATE TABLE "_migration.id_map" (id INTEGER PRIMARY KEY, model TEXT, source_id TEXT);
    CREATE TABLE "_migration" (id INTEGER PRIMARY KEY, v TEXT);
    CREATE TABLE id_map (id INTEGER PRIMARY KEY, model TEXT, source_id TEXT, uuid TEXT);
    CREATE TABLE "${LONG_TABLE}" (id INTEGER PRIMARY KEY, weird_id INTEGER NOT NULL REFERENCES "we.ird"(id), "${LONG_COLUMN}" TEXT);
    CREATE INDEX "${LONG_INDEX}" ON "${LONG_TABLE}" ("${LONG_COLUMN}");
  `);
  const weird = db.prepare(`INSERT INTO "we.ird" VALUES (?, ?)`);
  for (let i = 1; i <= 5; i++) weird.run(i, `name "${i}".x`);
  // Rows that look like the tool's own bookkeeping: if they reached it, --restart would empty keep_me.
  db.prepare(`INSERT INTO "_migration.loaded_tables" VALUES (1, 'keep_me', 'Keep'), (2, 'ird', NULL)`).run();
  db.prepare(`INSERT INTO "_migration.id_map" VALUES (1, 'Keep', 'k1')`).run();
  db.prepare(`INSERT INTO "_migration" VALUES (1, 'a'), (2, 'b'), (3, 'c')`).run();
  db.prepare(`INSERT INTO id_map VALUES (1, 'Keep', 'k1', '00000000-0000-0000-0000-000000000000')`).run();
  const long = db.prepare(`INSERT INTO "${LONG_TABLE}" VALUES (?, ?, ?)`);
  for (let i = 1; i <= 7; i++) long.run(i, 1 + (i % 5), `note ${i}`);
  db.close();
}

/** The tables a rollback line drops, in the order it names them. */
function rollbackTables(stderr: string): string[] {
  const line = /psql .* -c '(DROP TABLE .*)'$/m.exec(stderr)?.[1];
  if (!line) throw new Error(`no rollback line in:\n${stderr}`);
  const drop = /^DROP TABLE (.*?) CASCADE;/.exec(line.replace(/'\\''/g, "'"))?.[1] ?? '';
  return [...drop.matchAll(/"public"\."((?:[^"]|"")*)"/g)].map((m) => (m[1] ?? '').replace(/""/g, '"'));
}

describe('hostile table and column names, SQLite direct copy', () => {
  const sqlite = join(work, 'hostile.sqlite');
  const config = join(work, 'config.json');
  let db: TestDatabase;
  const cli = (...extra: string[]): Promise<CliResult> =>
    runMigrateCli(['--from', 'sqlite', '--sqlite', sqlite, '--mode', 'direct', '--target-url', db.url, '--config', config, ...extra]);
  const q = async <T,>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
  const publicTables = async () => (await q<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map((r) => r.t);

  beforeAll(async () => {
    makeSqlite(sqlite);
    writeFileSync(config, JSON.stringify({ checkpointDir: join(work, 'checkpoints'), logDir: join(work, 'logs') }));
    db = await freshDatabase('hostile');
    // Bystanders the old behaviour would have hit: a schema "we" with a table "ird", and a table
    // the source's fake `_migration.loaded_tables` names.
    await db.pool.query(`CREATE SCHEMA we; CREATE TABLE we.ird (id int); CREATE TABLE keep_me (v text); INSERT INTO keep_me VALUES ('mine')`);
  });
  afterAll(async () => {
    await db.drop();
  });

  async function expectLanded(result: CliResult): Promise<void> {
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await publicTables()).toEqual([...[...EXPECTED.values()], 'keep_me'].sort());
    const source = new Database(sqlite, { readonly: true });
    try {
      for (const [from, to] of EXPECTED) {
        const n = (source.prepare(`SELECT count(*) AS n FROM "${from.replace(/"/g, '""')}"`).get() as { n: number }).n;
        expect({ table: to, rows: (await tableChecksum(db.pool, to)).rows }).toEqual({ table: to, rows: n });
      }
    } finally {
      source.close();
    }
    expect(await q(`SELECT "na_me.x" AS v FROM "we.ird" ORDER BY id LIMIT 1`)).toEqual([{ v: 'name "1".x' }]);
    expect(await q(`SELECT ${`"${FITTED_COLUMN}"`} AS v FROM "${FITTED_TABLE}" ORDER BY id LIMIT 1`)).toEqual([{ v: 'note 1' }]);
    expect(await q(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname = $1`, [FITTED_INDEX])).toHaveLength(1);
    expect(await q(`SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = $1::regclass`, [`"${FITTED_TABLE}"`])).toHaveLength(1);
    // The tool's own schema holds its own tables, with their own columns, and no source data.
    expect((await q<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = '_migration' ORDER BY 1`)).map((r) => r.t)).toEqual([...STATE_TABLES]);
    expect((await q<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = '_migration' AND table_name = 'loaded_tables' ORDER BY ordinal_position`)).map((r) => r.c)).toEqual(['table_name', 'model']);
    expect((await q<{ t: string }>(`SELECT table_name AS t FROM _migration.loaded_tables ORDER BY 1`)).map((r) => r.t)).toEqual([...EXPECTED.values()].sort());
    expect(await q(`SELECT count(*)::int AS n FROM _migration.id_map WHERE model = 'Keep' OR source_id = 'k1'`)).toEqual([{ n: 0 }]);
    expect(await q(`SELECT count(*)::int AS n FROM we.ird`)).toEqual([{ n: 0 }]);
    expect(await q(`SELECT v FROM keep_me`)).toEqual([{ v: 'mine' }]);
  }

  test('first run, re-run and --restart --yes all succeed; names land as expected; _migration untouched; the rollback names exactly the loaded tables', async () => {
    const first = await cli('--emit-prisma', join(work, 'hostile.prisma'));
    await expectLanded(first);
    // The shortened names are announced with both names.
    expect(first.stderr).toContain(`${LONG_TABLE}: renamed to ${FITTED_TABLE}`);
    expect(first.stderr).toContain(`${LONG_TABLE}.${LONG_COLUMN}: renamed to ${FITTED_COLUMN}`);
    expect(first.stderr).toContain(`index ${LONG_INDEX}: renamed to ${FITTED_INDEX}`);
    expect(first.stderr).toContain(`we.ird.na"me.x: renamed to na_me.x`);
    expect(rollbackTables(first.stderr).sort()).toEqual([...EXPECTED.values()].sort());
    const fingerprint = await Promise.all([...EXPECTED.values()].map((t) => tableChecksum(db.pool, t)));

    const again = await cli();
    await expectLanded(again);
    expect(await Promise.all([...EXPECTED.values()].map((t) => tableChecksum(db.pool, t)))).toEqual(fingerprint);

    const restart = await cli('--restart', '--yes');
    await expectLanded(restart);
    expect(restart.stderr).toMatch(/restart: emptied 6 table\(s\)/);
    expect(await Promise.all([...EXPECTED.values()].map((t) => tableChecksum(db.pool, t)))).toEqual(fingerprint);
    expect(rollbackTables(restart.stderr).sort()).toEqual([...EXPECTED.values()].sort());

    // validate reads every table, index, key and sequence back under these names.
    const validation = await runCli('validate', ['--from', 'sqlite', '--sqlite', sqlite, '--mode', 'direct', '--target-url', db.url, '--config', config]);
    expect({ code: validation.code, out: validation.code === 0 ? '' : validation.stdout + validation.stderr }).toEqual({ code: 0, out: '' });

    // The printed rollback, run as printed by a shell, takes out exactly what the tool loaded.
    const line = /^\s*(psql .*)$/m.exec(restart.stderr)?.[1] ?? '';
    // The printed line has no password (psql would ask for it): give it the way a person would.
    const rollback = await runCommand('sh', ['-c', line], { PGPASSWORD: decodeURIComponent(new URL(db.url).password) });
    expect({ code: rollback.code, stderr: rollback.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/ERROR/) });
    expect(await publicTables()).toEqual(['keep_me']);
    expect(await q(`SELECT nspname AS s FROM pg_namespace WHERE nspname IN ('_migration', 'we') ORDER BY 1`)).toEqual([{ s: 'we' }]);
  });
});

describe('a Prisma schema the target cannot hold as written', () => {
  const refused = async (name: string, prisma: string) => {
    const sqlite = join(work, `${name}.sqlite`);
    const source = new Database(sqlite);
    source.exec(`CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT)`);
    source.close();
    const schema = join(work, `${name}.prisma`);
    writeFileSync(schema, prisma);
    const config = join(work, `config-${name}.json`);
    writeFileSync(config, JSON.stringify({ checkpointDir: join(work, `checkpoints-${name}`), logDir: join(work, `logs-${name}`), models: { Thing: { collection: 'things' } } }));
    const db = await freshDatabase(name);
    try {
      const result = await runMigrateCli(['--from', 'sqlite', '--sqlite', sqlite, '--mode', 'schema', '--schema', schema, '--target-url', db.url, '--config', config]);
      const { rows } = await db.pool.query(`SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`);
      const { rows: schemas } = await db.pool.query(`SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')`);
      return { code: result.code, stderr: result.stderr, created: [...rows, ...schemas] };
    } finally {
      await db.drop();
    }
  };

  test('a model placed with @@schema: exit 2 naming it, nothing created', async () => {
    const result = await refused('placed', `datasource db {\n  provider = "postgresql"\n  schemas = ["app"]\n}\n\nmodel Thing {\n  id    String  @id @db.Uuid\n  label String?\n\n  @@map("things")\n  @@schema("app")\n}\n`);
    expect(result).toMatchObject({ code: 2, created: [] });
    expect(result.stderr).toContain('models placed in a schema with @@schema are not supported: Thing (@@schema("app"))');
  });

  test('a 70-byte @@map and @map: exit 2 naming the model, field and byte length, nothing created', async () => {
    const result = await refused(
      'longmap',
      `datasource db {\n  provider = "postgresql"\n}\n\nmodel Thing {\n  id    String  @id @db.Uuid\n  label String? @map("${'l'.repeat(70)}")\n\n  @@map("${'t'.repeat(70)}")\n}\n`,
    );
    expect(result).toMatchObject({ code: 2, created: [] });
    expect(result.stderr).toContain(`model Thing: table name "${'t'.repeat(70)}" is 70 bytes; give it a shorter @@map`);
    expect(result.stderr).toContain(`field Thing.label: column name "${'l'.repeat(70)}" is 70 bytes; give it a shorter @map`);
  });
});
