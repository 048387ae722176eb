/**
 * A source that changed under a run is never passed off as migrated (issue 8, item 3).
 *
 * Each scenario makes a run, changes its source (between a SIGINT pause and the resume, or
 * after the run completed), and expects the next run to refuse with exit 5 naming the part,
 * the measure and both values; `--force` then goes on and the summary lists what it found
 * (exit 3: finished, but not vouched for). Last, a live collection written to while the run
 * reads it is reported at the end instead of "ok".
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { ObjectId, serialize } from 'bson';
import { MongoClient } from 'mongodb';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { committedBatches, sleep, spawnMigrate, type CliOutcome } from '../support/interrupt-helpers.ts';
import { sampleDump, sampleLive } from '../support/sample-source.ts';

// The shared data folder beside the checkout (or beside the worktrees' folder).
const CHINOOK = [resolve('..', 'shared'), resolve('..', '..', 'shared')].map((d) => join(d, 'data', 'sqlite', 'chinook.sqlite')).find((f) => existsSync(f)) ?? 'chinook.sqlite not found';
const TIMEOUT = 300_000;

/** A config that keeps checkpoints and logs in a temp folder; the source comes from flags. */
function workspace(): { config: string; logDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'source-changed-'));
  const logDir = join(dir, 'logs');
  const config = join(dir, 'migration.yaml');
  writeFileSync(config, `checkpointDir: ${join(dir, 'checkpoints')}\nlogDir: ${logDir}\n`);
  return { config, logDir };
}

function logText(logDir: string): string {
  return readdirSync(logDir)
    .map((f) => readFileSync(join(logDir, f), 'utf8'))
    .join('\n');
}

/** Runs the CLI to its end; a run that did not exit with `code` shows its output in the failure. */
async function expectExit(args: readonly string[], code: number): Promise<CliOutcome> {
  const result = await spawnMigrate(args).done;
  expect({ code: result.code, tail: result.code === code ? '' : (result.stdout + result.stderr).slice(-3000) }).toEqual({ code, tail: '' });
  return result;
}

/** Starts the CLI and pauses it with SIGINT once `ready` (a condition on the target) holds. */
async function pauseWhen(args: readonly string[], db: TestDatabase, ready: () => Promise<boolean>): Promise<CliOutcome> {
  const run = spawnMigrate(args);
  while (run.running() && !(await ready())) await sleep(20);
  expect(run.running()).toBe(true);
  run.child.kill('SIGINT');
  const result = await run.done;
  expect({ code: result.code, tail: result.code === 4 ? '' : result.stderr.slice(-3000) }).toEqual({ code: 4, tail: '' });
  const { rows } = await db.pool.query(`SELECT status FROM _migration.runs`);
  expect(rows).toEqual([{ status: 'paused' }]);
  return result;
}

const firstBatchCommitted = (db: TestDatabase) => async () => (await committedBatches(db.pool)).batches >= 1;

describe('SQLite edited between pause and resume, then after completion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'source-changed-sqlite-'));
  const file = join(dir, 'chinook.sqlite');
  const ws = workspace();
  let db: TestDatabase;
  let args: string[];
  beforeAll(async () => {
    copyFileSync(CHINOOK, file);
    db = await freshDatabase('srcchg_sqlite');
    args = ['--from', 'sqlite', '--sqlite', file, '--mode', 'direct', '--config', ws.config, '--target-url', db.url, '--batch-size', '20'];
  });
  afterAll(async () => {
    await db?.drop();
  });
  const edit = (sql: string) => {
    const sqlite = new Database(file);
    sqlite.exec(sql);
    sqlite.close();
  };

  test(
    'a row inserted and a row deleted while paused: refused with exit 5 naming both tables; --force finishes and the summary says what it found',
    async () => {
      await pauseWhen(args, db, firstBatchCommitted(db));
      edit(`INSERT INTO Genre (GenreId, Name) VALUES (26, 'Added while paused'); DELETE FROM InvoiceLine WHERE InvoiceLineId = 2240;`);

      const refused = await expectExit(args, 5);
      expect(refused.stderr).toContain('the source changed since run');
      expect(refused.stderr).toContain('table "Genre": rows 25 → 26');
      expect(refused.stderr).toContain('table "Genre": max rowid 25 → 26');
      expect(refused.stderr).toContain('table "InvoiceLine": rows 2,240 → 2,239');
      expect(refused.stderr).toContain('table "InvoiceLine": max rowid 2,240 → 2,239');
      expect(refused.stderr).toMatch(/file: change counter [\d,]+ → [\d,]+/);
      expect(refused.stderr).toContain('--force');
      // The refusal touched nothing.
      expect((await db.pool.query(`SELECT status FROM _migration.runs`)).rows).toEqual([{ status: 'paused' }]);

      const forced = await expectExit([...args, '--force'], 3);
      expect(forced.stderr).toContain('going on because of --force');
      expect(forced.stdout).toContain('SOURCE CHANGED');
      expect(forced.stdout).toMatch(/accepted with --force: table "Genre": rows 25 → 26/);
      expect(forced.stdout).toMatch(/accepted with --force: table "InvoiceLine": rows 2,240 → 2,239/);
      expect(forced.stderr).toContain('the tool cannot vouch for the result');
      const { rows } = await db.pool.query<{ status: string; changes: string[] }>(`SELECT status, summary->'sourceChanged' AS changes FROM _migration.runs`);
      expect(rows).toEqual([{ status: 'completed', changes: expect.arrayContaining([expect.stringContaining('table "Genre": rows 25 → 26')]) }]);
      expect(logText(ws.logDir)).toContain('table \\"InvoiceLine\\": rows 2,240 → 2,239');
    },
    TIMEOUT,
  );

  test(
    'a completed run on an edited file is not "already completed; nothing to do": refused with exit 5, accepted with --force',
    async () => {
      edit(`INSERT INTO Genre (GenreId, Name) VALUES (27, 'Added after the run');`);
      const refused = await expectExit(args, 5);
      expect(refused.stderr).toContain('already completed, but the source changed since it was read');
      expect(refused.stderr).toContain('table "Genre": rows 26 → 27');
      expect(refused.stderr).not.toContain('nothing to do');

      const forced = await expectExit([...args, '--force'], 3);
      expect(forced.stderr).toContain('already completed; nothing to do');
      expect(forced.stdout).toMatch(/accepted with --force: table "Genre": rows 26 → 27/);

      // Accepted once: the same command again is not refused, and still does not vouch for the result.
      const again = await expectExit(args, 3);
      expect(again.stderr).toContain('already completed; nothing to do');
      expect(again.stdout).toContain('SOURCE CHANGED');
    },
    TIMEOUT,
  );
});

describe('a mongodump .bson file changed after the run completed', () => {
  const ws = workspace();
  let db: TestDatabase;
  let args: string[];
  let bson: string;
  let original: Buffer;
  let times: { atime: Date; mtime: Date };
  beforeAll(async () => {
    const dump = await sampleDump(1);
    db = await freshDatabase('srcchg_dump');
    args = ['--dump', dump.dir, '--config', ws.config, '--target-url', db.url];
    bson = join(dump.dir, 'shop', 'tags.bson');
    original = readFileSync(bson);
    times = statSync(bson);
    await expectExit(args, 0);
  }, TIMEOUT);
  afterAll(async () => {
    await db?.drop();
  });
  const restore = () => {
    writeFileSync(bson, original);
    utimesSync(bson, times.atime, times.mtime);
  };
  const extra = serialize({ _id: new ObjectId(), name: 'added to the dump', slug: 'added-to-the-dump' });
  const lastDocStart = () => {
    let pos = 0;
    let last = 0;
    while (pos < original.length) {
      last = pos;
      pos += original.readInt32LE(pos);
    }
    return last;
  };

  test(
    'appended, prepended, truncated: each refused with exit 5 naming the file, the measure and both values; the restored file is accepted',
    async () => {
      const size = original.length.toLocaleString('en-US');

      writeFileSync(bson, Buffer.concat([original, extra]));
      const appended = await expectExit(args, 5);
      expect(appended.stderr).toContain(`file tags.bson: size ${size} → ${(original.length + extra.length).toLocaleString('en-US')}`);
      expect(appended.stderr).toMatch(/file tags\.bson: tail sha256 [0-9a-f]{16} → [0-9a-f]{16}/);
      restore();

      writeFileSync(bson, Buffer.concat([extra, original]));
      const prepended = await expectExit(args, 5);
      expect(prepended.stderr).toContain(`file tags.bson: size ${size} → ${(original.length + extra.length).toLocaleString('en-US')}`);
      expect(prepended.stderr).toMatch(/file tags\.bson: head sha256 [0-9a-f]{16} → [0-9a-f]{16}/);
      restore();

      // Byte for byte and time for time as the run read it: nothing to report.
      const same = await expectExit(args, 0);
      expect(same.stderr).toContain('already completed; nothing to do');

      writeFileSync(bson, original.subarray(0, lastDocStart()));
      const truncated = await expectExit(args, 5);
      expect(truncated.stderr).toContain(`file tags.bson: size ${size} → ${lastDocStart().toLocaleString('en-US')}`);
      expect(truncated.stderr).not.toContain('truncated BSON');

      const forced = await expectExit([...args, '--force'], 3);
      expect(forced.stdout).toContain('SOURCE CHANGED');
      expect(forced.stdout).toContain(`accepted with --force: file tags.bson: size ${size} → ${lastDocStart().toLocaleString('en-US')}`);
    },
    TIMEOUT,
  );
});

test(
  'a run paused by a version without fingerprints resumes: the columns are added, the tool says it cannot check, and watches from then on',
  async () => {
    const dump = await sampleDump(0.5, 8);
    const db = await freshDatabase('srcchg_legacy');
    const ws = workspace();
    const args = ['--dump', dump.dir, '--config', ws.config, '--target-url', db.url, '--batch-size', '20'];
    try {
      await pauseWhen(args, db, firstBatchCommitted(db));
      // The state schema as the previous version left it.
      await db.pool.query(`ALTER TABLE _migration.runs DROP COLUMN source_fingerprint, DROP COLUMN source_changes`);

      const resumed = await expectExit(args, 0);
      expect(resumed.stderr).toContain('kept no source fingerprint: changes to the source before now cannot be seen');
      const { rows } = await db.pool.query<{ fingerprint: unknown; changes: unknown }>(`SELECT source_fingerprint AS fingerprint, source_changes AS changes FROM _migration.runs`);
      expect(rows).toEqual([{ fingerprint: expect.objectContaining({ parts: expect.objectContaining({ 'file tags.bson': expect.any(Object) }) }), changes: [] }]);

      writeFileSync(join(dump.dir, 'shop', 'tags.bson'), Buffer.concat([readFileSync(join(dump.dir, 'shop', 'tags.bson')), serialize({ _id: new ObjectId(), name: 'late' })]));
      const refused = await expectExit(args, 5);
      expect(refused.stderr).toMatch(/file tags\.bson: size [\d,]+ → [\d,]+/);
    } finally {
      await db.drop();
    }
  },
  TIMEOUT,
);

describe('a live MongoDB-wire source (FerretDB)', () => {
  let client: MongoClient;
  beforeAll(async () => {
    client = new MongoClient(process.env['TEST_MONGO_URL'] ?? '', { useBigInt64: true });
    await client.connect();
  });
  afterAll(async () => {
    await client?.close();
  });

  /** Copies of the last audit log under new ids and the next sequence numbers (unique): they load like the others. */
  async function insertAuditLogs(database: string, n: number): Promise<void> {
    const docs = client.db(database).collection('audit_logs');
    const last = await docs.find({}).sort({ _id: -1 }).limit(1).next();
    const sequence: unknown = last?.['sequence'];
    if (!last || (typeof sequence !== 'bigint' && typeof sequence !== 'number')) throw new Error(`audit_logs: no last document with a sequence number`);
    const next = (i: number) => (typeof sequence === 'bigint' ? sequence + BigInt(i + 1) : sequence + i + 1);
    await docs.insertMany(Array.from({ length: n }, (_, i) => ({ ...last, _id: new ObjectId(), sequence: next(i) })));
  }

  test(
    'documents inserted while paused: refused with exit 5 naming the collection; --force finishes and the summary says what it found',
    async () => {
      const live = await sampleLive(1);
      const db = await freshDatabase('srcchg_live');
      const ws = workspace();
      const args = ['--mongo-url', live.url, '--mongo-db', live.database, '--config', ws.config, '--target-url', db.url, '--batch-size', '20'];
      try {
        await pauseWhen(args, db, firstBatchCommitted(db));
        await insertAuditLogs(live.database, 3);

        const refused = await expectExit(args, 5);
        expect(refused.stderr).toContain('collection audit_logs: documents 1,000 → 1,003');
        expect(refused.stderr).toMatch(/collection audit_logs: max _id \{"\$oid":"[0-9a-f]{24}"\} → \{"\$oid":"[0-9a-f]{24}"\}/);
        expect(refused.stderr).not.toContain('collection users');

        const forced = await expectExit([...args, '--force'], 3);
        expect(forced.stdout).toContain('accepted with --force: collection audit_logs: documents 1,000 → 1,003');
      } finally {
        await db.drop();
        await client.db(live.database).dropDatabase();
      }
    },
    TIMEOUT,
  );

  test(
    'documents inserted while the run reads the collection: reported at the end, not "ok", exit 3',
    async () => {
      const live = await sampleLive(1);
      const db = await freshDatabase('srcchg_during');
      const ws = workspace();
      const args = ['--mongo-url', live.url, '--mongo-db', live.database, '--config', ws.config, '--target-url', db.url, '--batch-size', '10'];
      try {
        const run = spawnMigrate(args);
        const auditBatches = async () => Number((await db.pool.query<{ b: string }>(`SELECT batches AS b FROM _migration.progress WHERE collection = 'audit_logs'`).catch(() => ({ rows: [] }))).rows[0]?.b ?? 0);
        while (run.running() && (await auditBatches()) < 1) await sleep(20);
        expect(run.running()).toBe(true);
        await insertAuditLogs(live.database, 5);
        const result = await run.done;
        expect({ code: result.code, tail: result.code === 3 ? '' : result.stderr.slice(-3000) }).toEqual({ code: 3, tail: '' });
        expect(result.stderr).toContain('the source changed while the run read it');
        expect(result.stdout).toContain('SOURCE CHANGED');
        expect(result.stdout).toContain('during the run: collection audit_logs: documents 1,000 → 1,005');
        expect(logText(ws.logDir)).toContain('during the run: collection audit_logs: documents 1,000 → 1,005');
        const { rows } = await db.pool.query<{ changes: string[] }>(`SELECT summary->'sourceChanged' AS changes FROM _migration.runs`);
        expect(rows[0]?.changes).toContain('during the run: collection audit_logs: documents 1,000 → 1,005');
      } finally {
        await db.drop();
        await client.db(live.database).dropDatabase();
      }
    },
    TIMEOUT,
  );
});
