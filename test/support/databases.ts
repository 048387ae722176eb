import { afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from '../../src/target/identifiers.ts';

/** The admin URL the global setup found or started. */
export function adminUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test` (the global setup provides the servers)');
  return url;
}

export function mongoUrl(): string {
  const url = process.env['TEST_MONGO_URL'];
  if (!url) throw new Error('TEST_MONGO_URL is not set: run the tests with `npm test` (the global setup provides the servers)');
  return url;
}

export interface TestDatabase {
  url: string;
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A new, empty PostgreSQL database for one test. */
export async function freshDatabase(prefix = 't'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // An idle connection the server closes (a restart, a forced drop) must not fail the next test
  // as an unhandled error; a query on this pool still reports it.
  pool.on('error', () => {});
  const db: TestDatabase = {
    url: url.toString(),
    name,
    pool,
    async drop() {
      // A test may have swapped the pool (to copy the database as a template): end the current one.
      await db.pool.end().catch(() => {});
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
  return db;
}

/** An order-independent fingerprint of a table's whole content. */
export async function tableChecksum(pool: pg.Pool, table: string): Promise<{ rows: number; md5: string }> {
  const { rows } = await pool.query<{ n: string; md5: string | null }>(
    `SELECT count(*) AS n, md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) AS md5 FROM ${quoteIdent(table)} t`,
  );
  return { rows: Number(rows[0]?.n ?? 0), md5: rows[0]?.md5 ?? '' };
}

/**
 * A maker of fresh databases for one test file, each dropped when the file's tests are done
 * (registers the `afterAll`): call it once at the top level of the file.
 */
export function databasesForThisFile(): (prefix: string) => Promise<TestDatabase> {
  const made: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of made.splice(0)) await db.drop();
  });
  return async (prefix) => {
    const db = await freshDatabase(prefix);
    made.push(db);
    return db;
  };
}
