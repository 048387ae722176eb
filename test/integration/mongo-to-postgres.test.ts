import { readFileSync } from 'node:fs';
import { EJSON } from 'bson';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sample } from '../../scripts/sample/index.ts';
import { freshDatabase, tableChecksum, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { sampleDump, sampleLive } from '../support/sample-source.ts';

const SCALE = 0.5;
const reasonByKind: Record<string, RegExp> = {
  'duplicate-unique': /duplicate key value violates unique constraint "users_email_key"/,
  'malformed-date': /createdAt: malformed date "2021-02-30T25:61:00Z"/,
  'dangling-reference': /dangling reference: .* no such document in the source/,
  'wrong-type': /rating: expected an integer, got string "five"/,
  'missing-required': /title: required field is missing/,
};

describe('MongoDB → PostgreSQL on the sample app', () => {
  let dump: { sample: Sample; dir: string };
  let fromDump: TestDatabase;
  let fromLive: TestDatabase;
  let dumpRun: Awaited<ReturnType<typeof migrateForTest>>;

  beforeAll(async () => {
    dump = await sampleDump(SCALE);
    fromDump = await freshDatabase('dump');
    fromLive = await freshDatabase('live');
    dumpRun = await migrateForTest({ source: { kind: 'mongodump', path: dump.dir }, targetUrl: fromDump.url });
  });
  afterAll(async () => {
    await fromDump.drop();
    await fromLive.drop();
  });

  test('every source record is written or rejected, per model', () => {
    expect(dumpRun.status).toBe('completed');
    const summary = dumpRun.summary;
    if (!summary) throw new Error('no summary');
    const byCollection = new Map(summary.models.map((m) => [m.model, m]));
    for (const collection of dump.sample.collections) {
      const model = byCollection.get(dump.sample.model(collection));
      expect(model?.source).toBe(dump.sample.counts[collection]);
      expect(model && model.written + model.rejected + model.skipped).toBe(model?.source);
    }
    expect(summary.balanced).toBe(true);
    expect(dumpRun.printed).toMatch(/TOTAL .* ok/);
  });

  test('exactly the planted dirt is rejected, each with its original document and reason', async () => {
    const { rows } = await fromDump.pool.query<{ model: string; source_id: string; stage: string; reason: string; document: string }>(
      `SELECT model, source_id, stage, reason, document FROM _migration.rejected ORDER BY model, source_id`,
    );
    const planted = dump.sample.dirt.map((d) => `${d.model}:${d.id}`).sort();
    expect(rows.map((r) => `${r.model}:${r.source_id}`).sort()).toEqual(planted);
    for (const dirt of dump.sample.dirt) {
      const row = rows.find((r) => r.source_id === dirt.id);
      expect(row?.reason).toMatch(reasonByKind[dirt.kind] ?? /./);
      const original = EJSON.parse(row?.document ?? '{}', { relaxed: false }) as { _id?: { toHexString(): string } };
      expect(original._id?.toHexString()).toBe(dirt.id);
    }
    const logged = readFileSync(dumpRun.rejectedFile ?? '', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { sourceId: string; reason: string; document: unknown });
    expect(logged.map((l) => l.sourceId).sort()).toEqual(dump.sample.dirt.map((d) => d.id).sort());
    expect(logged.every((l) => l.reason.length > 0 && l.document !== null)).toBe(true);
  });

  test('every clean document arrived and is mapped to exactly one UUID', async () => {
    for (const collection of dump.sample.collections) {
      const model = dump.sample.model(collection);
      const dirty = dump.sample.dirt.filter((d) => d.model === model).length;
      const { rows } = await fromDump.pool.query<{ n: string; tableRows: string }>(
        `SELECT (SELECT count(*) FROM _migration.id_map WHERE model = $1) AS n, (SELECT count(*) FROM "${collection}") AS "tableRows"`,
        [model],
      );
      expect(Number(rows[0]?.n)).toBe((dump.sample.counts[collection] ?? 0) - dirty);
      expect(Number(rows[0]?.tableRows)).toBe(Number(rows[0]?.n));
    }
  });

  test('the live MongoDB-wire server gives the same tables as the dump', async () => {
    const live = await sampleLive(SCALE);
    const run = await migrateForTest({ source: { kind: 'mongodb', url: live.url, database: live.database }, targetUrl: fromLive.url });
    expect(run.status).toBe('completed');
    expect(run.summary?.balanced).toBe(true);
    const { rows: tables } = await fromDump.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.length).toBe(15);
    for (const { table_name } of tables) {
      expect({ table: table_name, ...(await tableChecksum(fromLive.pool, table_name)) }).toEqual({ table: table_name, ...(await tableChecksum(fromDump.pool, table_name)) });
    }
  });

  test('foreign keys and indexes exist after the load', async () => {
    const { rows } = await fromDump.pool.query<{ n: string }>(`SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`);
    expect(Number(rows[0]?.n)).toBe(20);
    const { rows: idx } = await fromDump.pool.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`);
    expect(idx.map((i) => i.indexname)).toEqual(expect.arrayContaining(['products_categoryId_idx', 'audit_logs_userId_at_idx', 'users_email_key']));
  });
});
