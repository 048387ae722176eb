import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.ts';
import { CONFLICTS, targetLockKey, type BuildTask, type LockMode } from '../../src/load/build-queue.ts';
import { completeLoad } from '../../src/load/complete.ts';
import { foreignKeyTasks } from '../../src/load/foreign-key-tasks.ts';
import { indexTasks } from '../../src/load/index-tasks.ts';
import { createLogger } from '../../src/log/logger.ts';
import { openSession } from '../../src/run/session.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { fingerprint } from '../support/interrupt-helpers.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';

/**
 * Issue 11, item 5: STEP 4 builds indexes and foreign keys over several connections. What makes
 * that safe is the lock table of build-queue.ts (two statements whose locks conflict never run
 * at once, so none waits for another and none can deadlock): it is checked here against the
 * server itself, and so are the locks each statement declares. The result must not depend on
 * how many builds ran at once, and a STEP 4 repeated after stopping between a foreign key's
 * two statements ends with the same validated constraint.
 */
const work = mkdtempSync(join(tmpdir(), 'post-load-build-'));
const MODES = Object.keys(CONFLICTS) as LockMode[];

/** Tables that reference each other both ways, themselves, and one parent from several children, with several indexes each. */
function webFile(): string {
  const file = join(work, 'web.sqlite');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL, captain_id INTEGER REFERENCES people(id));
    CREATE TABLE people (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES teams(id), mentor_id INTEGER REFERENCES people(id), email TEXT NOT NULL);
    CREATE TABLE tasks (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES people(id), reviewer_id INTEGER REFERENCES people(id), team_id INTEGER REFERENCES teams(id), title TEXT, due TEXT);
    CREATE INDEX people_team ON people(team_id);
    CREATE INDEX people_email ON people(email);
    CREATE INDEX tasks_owner ON tasks(owner_id);
    CREATE INDEX tasks_reviewer_due ON tasks(reviewer_id, due);
    CREATE INDEX tasks_team ON tasks(team_id);
  `);
  db.pragma('foreign_keys = OFF');
  db.transaction(() => {
    for (let t = 1; t <= 20; t++) db.prepare('INSERT INTO teams VALUES (?, ?, ?)').run(t, `team ${t}`, t * 10);
    for (let p = 1; p <= 400; p++) db.prepare('INSERT INTO people VALUES (?, ?, ?, ?)').run(p, 1 + (p % 20), p > 1 ? Math.floor(p / 2) : null, `p${p}@example.com`);
    for (let k = 1; k <= 3000; k++) db.prepare('INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?)').run(k, 1 + (k % 400), k % 3 ? 1 + ((k * 7) % 400) : null, 1 + (k % 20), `task ${k}`, `2024-01-${String(1 + (k % 28)).padStart(2, '0')}`);
  })();
  db.close();
  return file;
}

async function catalog(pool: pg.Pool): Promise<{ constraints: string[]; indexes: string[] }> {
  const { rows: constraints } = await pool.query<{ c: string }>(
    `SELECT concat_ws(' ', conrelid::regclass::text, conname, convalidated::text, pg_get_constraintdef(oid)) AS c FROM pg_constraint
      WHERE connamespace IN ('public'::regnamespace, '_migration'::regnamespace) ORDER BY 1`,
  );
  const { rows: indexes } = await pool.query<{ d: string }>(`SELECT indexdef AS d FROM pg_indexes WHERE schemaname IN ('public', '_migration') ORDER BY 1`);
  return { constraints: constraints.map((r) => r.c), indexes: indexes.map((r) => r.d) };
}

describe('the lock table and the locks each build statement takes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase('buildlocks');
    await db.pool.query(`CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child (id int PRIMARY KEY, parent_id int, note text)`);
  });
  afterAll(async () => {
    await db.drop();
  });

  test.each(MODES.flatMap((held) => MODES.map((wanted) => [held, wanted] as const)))('%s held, %s asked: conflicts exactly as the table says', async (held, wanted) => {
    const holder = await db.pool.connect();
    const other = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE child IN ${held} MODE`);
      await other.query('BEGIN');
      const refused = await other.query(`LOCK TABLE child IN ${wanted} MODE NOWAIT`).then(
        () => false,
        (error: unknown) => (error as { code?: string }).code === '55P03',
      );
      expect({ held, wanted, conflicts: refused }).toEqual({ held, wanted, conflicts: CONFLICTS[wanted].includes(held) });
    } finally {
      await other.query('ROLLBACK');
      await holder.query('ROLLBACK');
      other.release();
      holder.release();
    }
  });

  test('CREATE INDEX, ADD … NOT VALID and VALIDATE CONSTRAINT take the locks their tasks declare, and nothing stronger', async () => {
    const sizes = new Map<string, number>();
    const [index] = indexTasks(['CREATE INDEX "child_note_idx" ON "child"("note");'], sizes).filter((t) => t.label === 'index child_note_idx');
    const fk = { table: 'child', constraint: 'child_parent_id_fkey', sql: 'ALTER TABLE "child" ADD CONSTRAINT "child_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "parent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;' };
    const [add, validate] = await foreignKeyTasks(db.pool, [fk], () => false, sizes);
    const taken = async (task: BuildTask | undefined) => {
      if (!task) throw new Error('no such task');
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(task.sql);
        const { rows } = await client.query<{ t: string; mode: string }>(
          `SELECT c.relname AS t, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE l.pid = pg_backend_pid() AND c.relname IN ('parent', 'child') AND l.mode <> 'AccessShareLock' ORDER BY 1, 2`,
        );
        await client.query('COMMIT');
        return rows.map((r) => `${targetLockKey(r.t)} ${r.mode}`).sort();
      } finally {
        client.release();
      }
    };
    // pg_locks spells the modes in CamelCase: "SHARE ROW EXCLUSIVE" is ShareRowExclusiveLock.
    const declared = (task: BuildTask | undefined) => (task?.locks ?? []).map((l) => `${l.table} ${l.mode.toLowerCase().replace(/(^| )(\w)/g, (_m, _s, c: string) => c.toUpperCase())}Lock`).sort();
    expect(await taken(index)).toEqual(declared(index));
    expect(await taken(add)).toEqual(declared(add));
    expect(validate?.after).toBe(add);
    expect(await taken(validate)).toEqual(declared(validate));
    const { rows } = await db.pool.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'child_parent_id_fkey'`);
    expect(rows).toEqual([{ convalidated: true }]);
  });
});

describe('indexes and foreign keys built several at once', () => {
  let file: string;
  let one: TestDatabase;
  let three: TestDatabase;
  let runId = '';
  beforeAll(async () => {
    file = webFile();
    [one, three] = await Promise.all([freshDatabase('build1'), freshDatabase('build3')]);
    for (const [db, parallelism] of [[one, 1], [three, 3]] as const) {
      const run = await migrateForTest({ source: { kind: 'sqlite', path: file, mode: 'direct' }, targetUrl: db.url, overrides: { parallelism } });
      expect(run.status).toBe('completed');
      runId = run.runId ?? '';
    }
  });
  afterAll(async () => {
    await Promise.all([one.drop(), three.drop()]);
  });

  test('three at once leave the same tables, indexes and validated foreign keys as one at a time', async () => {
    const reference = await catalog(one.pool);
    expect(reference.constraints.filter((c) => / FOREIGN KEY /.test(c) && !c.startsWith('_migration.'))).toHaveLength(6);
    expect(reference.constraints.filter((c) => / FOREIGN KEY /.test(c) && !/ true FOREIGN KEY /.test(c))).toEqual([]);
    expect(reference.indexes.filter((i) => /id_map/.test(i))).toHaveLength(3);
    expect(await catalog(three.pool)).toEqual(reference);
    expect(await fingerprint(three.pool)).toEqual(await fingerprint(one.pool));
  });

  test('STEP 4 repeated after it stopped between ADD … NOT VALID and VALIDATE ends with the constraint validated and every index back', async () => {
    const reference = await catalog(one.pool);
    const { rows } = await three.pool.query<{ def: string }>(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'tasks_owner_id_fkey'`);
    await three.pool.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_owner_id_fkey`);
    await three.pool.query(`ALTER TABLE tasks ADD CONSTRAINT tasks_owner_id_fkey ${rows[0]?.def ?? ''} NOT VALID`);
    await three.pool.query(`DROP INDEX tasks_reviewer_due; DROP INDEX _migration.id_map_source`);
    expect((await catalog(three.pool)).constraints.filter((c) => / false FOREIGN KEY /.test(c))).toHaveLength(1);
    const config = await loadConfig(undefined, { overrides: [{ source: { kind: 'sqlite', path: file, mode: 'direct' }, target: { url: three.url } }] });
    const logger = createLogger({ quiet: true });
    const session = await openSession(config, logger);
    const pool = new pg.Pool({ connectionString: three.url, max: 4 });
    try {
      const plans = session.plan.phases.flat();
      const input = { pool, graph: session.graph, plans, ddl: session.ddl, source: session.source, runId, logger, sequenceFloors: session.sequenceFloors, references: session.references };
      expect(await completeLoad(input, { connections: 3, sortMemory: '64MB' })).toEqual({ rejected: 0, repaired: 0, kept: 0 });
    } finally {
      await pool.end();
      await session.source.close();
    }
    expect(await catalog(three.pool)).toEqual(reference);
  });
});
