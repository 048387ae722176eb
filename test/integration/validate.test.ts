import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import type { Sample } from '../../scripts/sample/index.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { validate, type ValidationReport } from '../../src/validate/validate.ts';
import { adminUrl, freshDatabase, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { sampleDump, sampleLive } from '../support/sample-source.ts';

let dump: { sample: Sample; dir: string };
let clean: TestDatabase;

beforeAll(async () => {
  dump = await sampleDump(0.3, 21);
  clean = await freshDatabase('valid');
  const run = await migrateForTest({ source: { kind: 'mongodump', path: dump.dir }, targetUrl: clean.url });
  expect(run.status).toBe('completed');
});
afterAll(async () => {
  await clean.drop();
});

async function validateDb(url: string, source: Record<string, unknown> = { kind: 'mongodump', path: dump.dir }, samplePercent = 100): Promise<ValidationReport> {
  const config = await loadConfig(undefined, { overrides: [{ source, target: { url } }] });
  return validate({ config, logger: createLogger({ quiet: true }), samplePercent });
}

/** The checks that failed, as "check:model:kind", sorted. */
const failures = (r: ValidationReport) => r.findings.map((f) => `${f.check}:${f.model}:${f.kind}`).sort();

test('a clean migration of the dump validates', async () => {
  const report = await validateDb(clean.url);
  expect(report.findings).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.models.every((m) => m.source === m.target + m.rejected + m.skipped)).toBe(true);
  expect(report.models.find((m) => m.model === 'Comment')?.compared).toBe(report.models.find((m) => m.model === 'Comment')?.target);
});

test('a clean migration from the live server validates against the live server', async () => {
  const live = await sampleLive(0.3, 21);
  const db = await freshDatabase('validlive');
  try {
    const source = { kind: 'mongodb', url: live.url, database: live.database };
    expect((await migrateForTest({ source, targetUrl: db.url })).status).toBe('completed');
    const report = await validateDb(db.url, source);
    expect(report.findings).toEqual([]);
  } finally {
    await db.drop();
  }
});

test('--sample compares a stable share of the rows', async () => {
  const a = await validateDb(clean.url, undefined, 20);
  const b = await validateDb(clean.url, undefined, 20);
  const compared = (r: ValidationReport) => r.models.reduce((n, m) => n + m.compared, 0);
  const total = a.models.reduce((n, m) => n + m.target, 0);
  expect(a.ok).toBe(true);
  expect(compared(a)).toBe(compared(b));
  expect(compared(a)).toBeGreaterThan(total * 0.1);
  expect(compared(a)).toBeLessThan(total * 0.3);
});

describe('each kind of corruption is named, and only it', () => {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  /** A copy of the clean target with one defect applied. */
  async function corrupted(name: string, sql: (db: pg.Pool) => Promise<void>): Promise<{ url: string; drop: () => Promise<void> }> {
    await clean.pool.end();
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${clean.name}_${name}" TEMPLATE "${clean.name}"`);
    await admin.end();
    clean.pool = new pg.Pool({ connectionString: clean.url, max: 2 });
    clean.pool.on('error', () => {});
    const url = new URL(clean.url);
    url.pathname = `/${clean.name}_${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    // As freshDatabase's pools: the DROP ... WITH (FORCE) below may close a connection a moment
    // before the pool sees it end, which must not fail the test as an unhandled error.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    pools.push(pool);
    await sql(pool);
    return {
      url: url.toString(),
      drop: async () => {
        await pool.end();
        pools.splice(pools.indexOf(pool), 1);
        const c = new pg.Client({ connectionString: adminUrl() });
        await c.connect();
        await c.query(`DROP DATABASE "${clean.name}_${name}" WITH (FORCE)`);
        await c.end();
      },
    };
  }

  const one = async (db: pg.Pool, sql: string) => (await db.query<{ id: string; source_id: string }>(sql)).rows[0] ?? { id: '', source_id: '' };

  test('a deleted row', async () => {
    let victim = { id: '', source_id: '' };
    const db = await corrupted('deleted', async (p) => {
      victim = await one(p, `SELECT r.id::text, m.source_id FROM reviews r JOIN _migration.id_map m ON m.uuid = r.id AND m.model = 'Review' ORDER BY r.id LIMIT 1`);
      await p.query(`DELETE FROM reviews WHERE id = $1`, [victim.id]);
    });
    const report = await validateDb(db.url);
    expect(failures(report)).toEqual(['content:Review:missing-row', 'counts:Review:count-mismatch']);
    expect(report.findings.find((f) => f.kind === 'missing-row')?.ids).toEqual([victim.source_id]);
    await db.drop();
  });

  test('a changed value', async () => {
    let victim = { id: '', source_id: '' };
    const db = await corrupted('changed', async (p) => {
      victim = await one(p, `SELECT p.id::text, m.source_id FROM products p JOIN _migration.id_map m ON m.uuid = p.id AND m.model = 'Product' ORDER BY p.id LIMIT 1`);
      await p.query(`UPDATE products SET price = price + 0.01 WHERE id = $1`, [victim.id]);
    });
    const report = await validateDb(db.url);
    expect(failures(report)).toEqual(['content:Product:content-differs']);
    expect(report.findings[0]?.ids).toEqual([victim.source_id]);
    expect(report.findings[0]?.message).toMatch(/price: expected [\d.]+, found [\d.]+/);
    await db.drop();
  });

  test('an extra row', async () => {
    const db = await corrupted('extra', async (p) => {
      await p.query(`INSERT INTO tags (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'not from the source')`);
    });
    const report = await validateDb(db.url);
    expect(failures(report)).toEqual(['counts:Tag:count-mismatch', 'id-map:Tag:untraceable-row']);
    expect(report.findings.find((f) => f.kind === 'untraceable-row')?.ids).toEqual(['00000000-0000-4000-8000-000000000001']);
    await db.drop();
  });

  test('an orphaned foreign key', async () => {
    let victim = { id: '', source_id: '' };
    const db = await corrupted('orphan', async (p) => {
      victim = await one(p, `SELECT c.id::text, m.source_id FROM comments c JOIN _migration.id_map m ON m.uuid = c.id AND m.model = 'Comment' ORDER BY c.id LIMIT 1`);
      // Around the foreign key, as a bulk load with triggers off would.
      const client = await p.connect();
      await client.query(`SET session_replication_role = replica`);
      await client.query(`UPDATE comments SET "postId" = '00000000-0000-4000-8000-000000000002' WHERE id = $1`, [victim.id]);
      client.release(true);
    });
    const report = await validateDb(db.url);
    expect(failures(report)).toEqual(['content:Comment:content-differs', 'foreign-keys:Comment:orphan']);
    expect(report.findings.find((f) => f.kind === 'orphan')?.ids).toEqual([victim.id]);
    expect(report.findings.find((f) => f.kind === 'content-differs')?.ids).toEqual([victim.source_id]);
    await db.drop();
  });

  test('a duplicated mapping', async () => {
    let uuid = '';
    const db = await corrupted('dupmap', async (p) => {
      uuid = (await one(p, `SELECT uuid::text AS id FROM _migration.id_map WHERE model = 'Tag' ORDER BY uuid LIMIT 1`)).id;
      await p.query(`DROP INDEX _migration.id_map_uuid`);
      await p.query(`INSERT INTO _migration.id_map (model, source_id, source_kind, target_key, uuid) VALUES ('Tag', 'ffffffffffffffffffffffff', 'objectId', $1::text, $1::uuid)`, [uuid]);
    });
    const report = await validateDb(db.url);
    expect(failures(report)).toEqual(['id-map:Tag:key-reused', 'id-map:Tag:mapping-without-source']);
    expect(report.findings.find((f) => f.kind === 'key-reused')?.ids).toEqual([uuid]);
    await db.drop();
  });

  test('a dropped index', async () => {
    const db = await corrupted('noindex', async (p) => {
      await p.query(`DROP INDEX "products_categoryId_idx"`);
    });
    const report = await validateDb(db.url);
    expect(failures(report)).toEqual(['schema:products:missing-index']);
    expect(report.findings[0]?.ids).toEqual(['products: products_categoryId_idx']);
    await db.drop();
  });

  test('a changed column type', async () => {
    const db = await corrupted('retyped', async (p) => {
      await p.query(`ALTER TABLE products ALTER COLUMN stock TYPE bigint`);
    });
    const report = await validateDb(db.url);
    expect(failures(report)).toEqual(['schema:products:different-column']);
    expect(report.findings[0]?.message).toMatch(/products\.stock is bigint NOT NULL; the schema says integer NOT NULL/);
    await db.drop();
  });
});

test('the planted dirt is accounted for as rejected, never as missing', async () => {
  const report = await validateDb(clean.url);
  const rejected = report.models.reduce((n, m) => n + m.rejected, 0);
  expect(rejected).toBe(dump.sample.dirt.length);
  for (const model of new Set(dump.sample.dirt.map((d) => d.model))) {
    expect(report.models.find((m) => m.model === model)?.rejected).toBe(dump.sample.dirt.filter((d) => d.model === model).length);
  }
});
