import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { renderDdl } from '../../src/schema/ddl.ts';
import { freshDatabase, tableChecksum, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { sampleDump } from '../support/sample-source.ts';

let applied: TestDatabase;
let created: TestDatabase;
let dumpDir: string;

beforeAll(async () => {
  applied = await freshDatabase('applied');
  created = await freshDatabase('created');
  dumpDir = (await sampleDump(0.2, 3)).dir;
});
afterAll(async () => {
  await applied.drop();
  await created.drop();
});

test('a schema the user applied with prisma migrate (foreign keys and all) is checked, then loaded like a fresh one', async () => {
  // What `prisma migrate deploy` runs: Prisma's whole script, constraints included.
  const ddl = await renderDdl(readFileSync('prisma/schema.prisma', 'utf8'));
  await applied.pool.query(ddl.script);
  const a = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: applied.url });
  const b = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: created.url });
  expect(a.status).toBe('completed');
  expect(a.summary?.models).toEqual(b.summary?.models.map((m) => ({ ...m, seconds: expect.any(Number) })));
  const { rows } = await created.pool.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
  for (const { table_name } of rows) {
    expect({ table_name, ...(await tableChecksum(applied.pool, table_name)) }).toEqual({ table_name, ...(await tableChecksum(created.pool, table_name)) });
  }
  const fks = await applied.pool.query(`SELECT conname FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`);
  expect(fks.rows).toHaveLength(ddl.foreignKeys.length);
});

test('a target whose tables differ from the schema is refused, naming the differences', async () => {
  const other = await freshDatabase('drift');
  try {
    const ddl = await renderDdl(readFileSync('prisma/schema.prisma', 'utf8'));
    await other.pool.query(ddl.script);
    await other.pool.query(`ALTER TABLE products ALTER COLUMN price TYPE real; ALTER TABLE users ALTER COLUMN bio SET NOT NULL`);
    const failure = await migrateForTest({ source: { kind: 'mongodump', path: dumpDir }, targetUrl: other.url }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain('products.price: type is real, the schema says numeric(12,2)');
    expect(message).toContain('users.bio: NOT NULL, the schema says nullable');
    expect(message.split('\n')).toHaveLength(3);
  } finally {
    await other.drop();
  }
});
