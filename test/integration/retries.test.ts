import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { generateSample, writeMongo } from '../../scripts/sample/index.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { startFerretDB, type FerretServer } from '../support/ferretdb.ts';
import { committedBatches, crashFerretDB, sleep } from '../support/interrupt-helpers.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';

let server: FerretServer;
let db: TestDatabase;
beforeAll(async () => {
  server = await startFerretDB();
  await writeMongo(server.url, 'shop', generateSample({ scale: 0.3, money: 'double' }), () => {});
  db = await freshDatabase('retries');
});
afterAll(async () => {
  await server.stop();
  await db.drop();
});

test('when retries run out: a clear message naming the server, the checkpoint kept, and a later run resumes', async () => {
  const source = { kind: 'mongodb', url: server.url, database: 'shop' };
  const overrides = { batchSize: 20, parallelism: 1, retry: { retries: 2, minDelayMs: 100, maxDelayMs: 200 } };
  const run = migrateForTest({ source, targetUrl: db.url, overrides });
  for (let i = 0; i < 400 && (await committedBatches(db.pool)).batches < 5; i++) await sleep(25);
  await crashFerretDB(server);
  const failure = await run.catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(Error);
  expect((failure as Error).name).toBe('ServerUnavailableError');
  expect((failure as Error).message).toMatch(/^MongoDB \(mongodb:\/\/127\.0\.0\.1:\d+\/ db=shop\) did not come back after 3 attempts .*run the same command to resume$/);
  const { rows } = await db.pool.query<{ status: string; batches: number }>(`SELECT r.status, (SELECT sum(batches)::int FROM _migration.progress) AS batches FROM _migration.runs r`);
  expect(rows[0]?.status).toBe('failed');
  expect(rows[0]?.batches).toBeGreaterThanOrEqual(5);

  await server.restart();
  const resumed = await migrateForTest({ source, targetUrl: db.url, overrides });
  expect(resumed.status).toBe('completed');
  expect(resumed.summary?.balanced).toBe(true);
});
