import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { freshDatabase, tableChecksum, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { sampleDump } from '../support/sample-source.ts';

let viaCopy: TestDatabase;
let viaPrisma: TestDatabase;

beforeAll(async () => {
  viaCopy = await freshDatabase('copy');
  viaPrisma = await freshDatabase('prisma');
});
afterAll(async () => {
  await viaCopy.drop();
  await viaPrisma.drop();
});

test('the COPY writer and the Prisma createMany writer produce identical tables', async () => {
  const { dir } = await sampleDump(0.3, 7);
  // Small batches so both writers also go through bisection with several rows per batch.
  const copy = await migrateForTest({ source: { kind: 'mongodump', path: dir }, targetUrl: viaCopy.url, overrides: { writer: 'copy', batchSize: 64 } });
  const prisma = await migrateForTest({ source: { kind: 'mongodump', path: dir }, targetUrl: viaPrisma.url, overrides: { writer: 'prisma', batchSize: 64 } });
  expect(copy.status).toBe('completed');
  expect(prisma.status).toBe('completed');
  expect(prisma.summary?.models).toEqual(copy.summary?.models.map((m) => ({ ...m, seconds: expect.any(Number) })));
  const { rows } = await viaCopy.pool.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
  for (const { table_name } of rows) {
    const a = await tableChecksum(viaCopy.pool, table_name);
    expect(a.rows).toBeGreaterThan(0);
    expect({ table: table_name, ...(await tableChecksum(viaPrisma.pool, table_name)) }).toEqual({ table: table_name, ...a });
  }
  for (const table of ['id_map', 'rejected']) {
    // Reasons differ in wording between writers (the database's message vs Prisma's); what was refused must not.
    const cols = table === 'id_map' ? 'model, source_id, source_kind, uuid' : 'model, source_id, stage, document';
    const q = `SELECT md5(string_agg(x, '|' ORDER BY x)) AS h FROM (SELECT (${cols})::text AS x FROM _migration.${table}) s`;
    const [ha, hb] = await Promise.all([viaCopy.pool.query(q), viaPrisma.pool.query(q)]);
    expect({ table, h: hb.rows[0] }).toEqual({ table, h: ha.rows[0] });
  }
});

test('a unique violation seen through Prisma still names the constraint', async () => {
  const { rows } = await viaPrisma.pool.query<{ reason: string }>(`SELECT reason FROM _migration.rejected WHERE stage = 'load'`);
  expect(rows.length).toBe(1);
  expect(rows[0]?.reason).toMatch(/email/);
});
