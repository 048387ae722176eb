import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { copySpans, SPAN_ROWS, type SettledBatch, type SpanBatch } from '../../src/load/copy-span.ts';
import type { PreparedDoc } from '../../src/load/prepare.ts';
import { planMigration, type ModelPlan } from '../../src/plan/plan.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { buildModelGraph } from '../../src/schema/model-graph.ts';
import { createCopyWriter } from '../../src/target/copy-writer.ts';
import { classifyError } from '../../src/target/errors.ts';
import type { WriteTx } from '../../src/target/writer.ts';
import { freshDatabase, tableChecksum, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';

/**
 * Issue 11: a whole-table load writes consecutive batches in one COPY (load/copy-span.ts). The
 * server's refusal of a span must end as the batch-at-a-time path ends: the same rows land,
 * each refused document is rejected on its own with the server's reason, and the other
 * batches of the span are not lost. On a real server, through the copy writer's transaction.
 */
const graph = buildModelGraph(
  readDmmf(`
datasource db {
  provider = "postgresql"
}
model Item {
  id    Int    @id
  email String @unique
  @@map("items")
}
`),
);

function itemPlan(): ModelPlan {
  const plan = planMigration({ graph, collections: ['items'], transformers: [] }).phases.flat().find((p) => p.model === 'Item');
  if (!plan) throw new Error('no plan for Item');
  return plan;
}

/** A document as a compiled row prepares it: its COPY line, no row objects. */
const doc = (id: number, email: string): PreparedDoc => ({ doc: { _id: id, email }, sourceId: id, key: String(id), uuid: null, rows: new Map(), links: new Map(), line: `${id}\t${email}` });

const batch = (n: number, docs: PreparedDoc[]): SpanBatch => ({ cursor: { after: n }, read: docs.length, skipped: 0, fields: undefined, prepareSeconds: 0, good: docs, refused: [] });

/** Each settled batch as ids written and ids rejected with the stage. */
const outcome = (settled: readonly SettledBatch[]) =>
  settled.map((b) => ({ cursor: b.cursor, written: b.written.map((d) => d.sourceId), rejected: b.rejected.map((r) => [r.sourceId, r.stage]) }));

describe('copy spans', () => {
  let db: TestDatabase;
  const items = async () => (await db.pool.query<{ id: number; email: string }>('SELECT id, email FROM items ORDER BY id')).rows;

  beforeAll(async () => {
    db = await freshDatabase('copy_spans');
    // As the tool's own pool does (target/connection.ts): a connection the last test kills reports through its query.
    db.pool.on('connect', (client) => client.on('error', () => {}));
    await db.pool.query('CREATE TABLE items (id integer PRIMARY KEY, email text NOT NULL UNIQUE)');
  });
  afterAll(async () => {
    await db.drop();
  });

  test('batches share a COPY until the span is full; a refused span is written again batch by batch, the refused row alone rejected', async () => {
    await db.pool.query('TRUNCATE items');
    const writer = createCopyWriter(db.pool);
    const settled: SettledBatch[][] = [];
    await writer.transaction(async (tx) => {
      const spans = copySpans(tx, graph, itemPlan(), 5);
      if (!spans) throw new Error('the copy writer offers spans for a model writing its own table');
      // Span 1: batches 1 and 2 (6 rows ≥ 5), the duplicate e1 in batch 2. Span 2: batches 3, 4, ended by end().
      settled.push(await spans.add(batch(1, [doc(1, 'e1'), doc(2, 'e2'), doc(3, 'e3')])));
      settled.push(await spans.add(batch(2, [doc(4, 'e4'), doc(5, 'e1'), doc(6, 'e6')])));
      settled.push(await spans.add(batch(3, [doc(7, 'e7')])));
      settled.push(await spans.add(batch(4, [doc(8, 'e8'), doc(9, 'e9')])));
      settled.push(await spans.end());
    });
    expect(settled.map(outcome)).toEqual([
      [],
      [
        { cursor: { after: 1 }, written: [1, 2, 3], rejected: [] },
        { cursor: { after: 2 }, written: [4, 6], rejected: [[5, 'load']] },
      ],
      [],
      [],
      [
        { cursor: { after: 3 }, written: [7], rejected: [] },
        { cursor: { after: 4 }, written: [8, 9], rejected: [] },
      ],
    ]);
    expect(settled[1]?.[1]?.rejected[0]?.reason).toMatch(/duplicate key value violates unique constraint "items_email_key"/);
    expect((await items()).map((r) => r.id)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
  });

  test('a span refused at its end (the last rows of the table) is replayed the same way', async () => {
    await db.pool.query('TRUNCATE items');
    const writer = createCopyWriter(db.pool);
    const settled = await writer.transaction(async (tx) => {
      const spans = copySpans(tx, graph, itemPlan(), 100);
      await spans?.add(batch(1, [doc(1, 'a'), doc(2, 'b')]));
      await spans?.add(batch(2, [doc(3, 'c'), doc(2, 'd')]));
      return (await spans?.end()) ?? [];
    });
    expect(outcome(settled)).toEqual([
      { cursor: { after: 1 }, written: [1, 2], rejected: [] },
      { cursor: { after: 2 }, written: [3], rejected: [[2, 'load']] },
    ]);
    expect(settled[1]?.rejected[0]?.reason).toMatch(/duplicate key value violates unique constraint "items_pkey"/);
    expect(await items()).toEqual([
      { id: 1, email: 'a' },
      { id: 2, email: 'b' },
      { id: 3, email: 'c' },
    ]);
  });

  test('abandoning an open span frees the connection: its rows are gone, earlier spans and later statements unaffected', async () => {
    await db.pool.query('TRUNCATE items');
    const writer = createCopyWriter(db.pool);
    await writer.transaction(async (tx: WriteTx) => {
      const spans = copySpans(tx, graph, itemPlan(), 2);
      expect(outcome((await spans?.add(batch(1, [doc(1, 'a'), doc(2, 'b')]))) ?? [])).toEqual([{ cursor: { after: 1 }, written: [1, 2], rejected: [] }]);
      await spans?.add(batch(2, [doc(3, 'c')]));
      await spans?.abandon();
      expect(await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM items')).toEqual([{ n: 2 }]);
    });
    expect((await items()).map((r) => r.id)).toEqual([1, 2]);
  });

  test('a failure that is not the data (the connection lost) is not replayed: it propagates, and the table is as before', async () => {
    await db.pool.query('TRUNCATE items');
    const writer = createCopyWriter(db.pool);
    const run = writer.transaction(async (tx) => {
      const spans = copySpans(tx, graph, itemPlan(), 100);
      await spans?.add(batch(1, [doc(1, 'a')]));
      const [{ pid }] = await db.pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%' AND pid <> pg_backend_pid()`).then((r) => r.rows as [{ pid: number }]);
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await spans?.add(batch(2, [doc(2, 'b')]));
      await spans?.end();
    });
    // Whatever the driver reports it as (the server's 57P01, or EPIPE on the next write), it is the connection's, not the data's.
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(classifyError(error)).toBe('transient');
    expect(await items()).toEqual([]);
  });
});

/**
 * The same file both ways: whole-table transactions (spans of batches in one COPY) and a
 * transaction per batch (a COPY per batch, the path spans replace). An app's SQLite file never
 * enforced the e-mail's uniqueness its Prisma schema now declares: the server refuses a copy in
 * the first span, one in the middle and one in the last, partial span.
 */
describe('copy spans, end to end: a SQLite file onto a Prisma schema with a unique the file never had', () => {
  const work = mkdtempSync(join(tmpdir(), 'copy-spans-'));
  const rows = Math.round(SPAN_ROWS * 2.6);
  const duplicates = new Map([
    [7, 3],
    [Math.round(SPAN_ROWS * 1.5), 10],
    [rows - 1, 11],
  ]);
  let spans: TestDatabase;
  let batches: TestDatabase;

  beforeAll(async () => {
    const file = join(work, 'app.db');
    const sqlite = new Database(file);
    sqlite.exec('CREATE TABLE members (id INTEGER PRIMARY KEY, email TEXT NOT NULL, joined_at TEXT NOT NULL)');
    const insert = sqlite.prepare('INSERT INTO members (id, email, joined_at) VALUES (?, ?, ?)');
    sqlite.transaction(() => {
      for (let id = 1; id <= rows; id++) insert.run(id, `m${duplicates.get(id) ?? id}@example.com`, `2024-01-01 10:00:00.${String(id % 1_000_000).padStart(6, '0')}`);
    })();
    sqlite.close();
    const schema = join(work, 'schema.prisma');
    writeFileSync(
      schema,
      ['datasource db {', '  provider = "postgresql"', '}', 'model Member {', '  id       String   @id @db.Uuid', '  email    String   @unique', '  joinedAt DateTime @map("joined_at") @db.Timestamptz(6)', '  @@map("members")', '}', ''].join('\n'),
    );
    spans = await freshDatabase('spans_table');
    batches = await freshDatabase('spans_batch');
    for (const [db, transactions] of [
      [spans, 'table'],
      [batches, 'batch'],
    ] as const) {
      const run = await migrateForTest({ source: { kind: 'sqlite', path: file, mode: 'schema' }, targetUrl: db.url, overrides: { schema, transactions } });
      expect({ transactions, status: run.status }).toEqual({ transactions, status: 'completed' });
    }
  }, 300_000);
  afterAll(async () => {
    await spans.drop();
    await batches.drop();
  });

  test('the same rows land and the same documents are rejected, each with the server reason', async () => {
    expect(await tableChecksum(spans.pool, 'members')).toEqual(await tableChecksum(batches.pool, 'members'));
    expect((await tableChecksum(spans.pool, 'members')).rows).toBe(rows - duplicates.size);
    const rejected = async (db: TestDatabase) =>
      (await db.pool.query<{ source_id: string; stage: string; reason: string }>(`SELECT source_id, stage, reason FROM _migration.rejected ORDER BY source_id::int`)).rows;
    const viaSpans = await rejected(spans);
    expect(viaSpans.map((r) => [Number(r.source_id), r.stage])).toEqual([...duplicates.keys()].map((id) => [id, 'load']));
    for (const r of viaSpans) expect(r.reason).toMatch(/duplicate key value violates unique constraint "members_email_key"/);
    expect(await rejected(batches)).toEqual(viaSpans);
    const idMap = `SELECT md5(string_agg((model, source_id, source_kind, target_key, uuid)::text, '|' ORDER BY source_id)) AS h, count(*)::int AS n FROM _migration.id_map`;
    const [a, b] = await Promise.all([spans.pool.query(idMap), batches.pool.query(idMap)]);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows[0]?.n).toBe(rows - duplicates.size);
  });
});
