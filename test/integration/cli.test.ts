import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';
import { runCommand, runMigrateCli } from '../support/run-cli.ts';
import { sampleLive } from '../support/sample-source.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase('cli');
});
afterAll(async () => {
  await db.drop();
});

test('--help lists the options and the exit codes', async () => {
  const result = await runMigrateCli(['--help']);
  expect(result.code).toBe(0);
  for (const option of ['--config', '--dry-run', '--models', '--batch-size', '--verbose', '--writer']) expect(result.stdout).toContain(option);
  expect(result.stdout).toMatch(/Exit codes: 0 done/);
});

test('--dry-run prints the phases and the DDL and leaves the target untouched', async () => {
  const result = await runMigrateCli(['--dry-run', '--target-url', db.url]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/phase 1\n {2}Category/);
  expect(result.stdout).toMatch(/Order +from orders +transformers\/ for Order, \+ OrderLine rows, \+ Payment rows/);
  expect(result.stdout).toContain('CREATE TABLE "users"');
  expect(result.stdout).toContain('ALTER TABLE "orders" ADD CONSTRAINT "orders_userId_fkey"');
  const { rows } = await db.pool.query(`SELECT 1 FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`);
  expect(rows).toHaveLength(0);
});

test('a bad config file is refused before anything is touched, naming the key and its line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 'migration.yaml');
  writeFileSync(file, `source:\n  kind: mongodump\n  path: sample/mongodump\nbatchSize: -5\nwriterr: copy\n`);
  const result = await runMigrateCli(['--config', file, '--target-url', db.url]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`${file}:4: batchSize`);
  expect(result.stderr).toMatch(/writerr/);
});

test('--models loads only the named models', async () => {
  const only = await freshDatabase('only');
  try {
    const result = await runMigrateCli(['--models', 'Tag,Category', '--target-url', only.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Category +24 +24 +0/m);
    expect(result.stdout).not.toMatch(/^User /m);
  } finally {
    await only.drop();
  }
});

test('the README main command works on embedded defaults: no DATABASE_URL, no MONGO_URL', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'embedded-pg-'));
  chmodSync(dataDir, 0o755);
  const result = await runCommand('npm', ['run', '--silent', 'migrate:mongo-to-postgres'], {
    EMBEDDED_PG_DIR: join(dataDir, 'pg'),
    EMBEDDED_PG_PORT: String(await freePort()),
  });
  expect(result.code).toBe(0);
  for (const model of ['AuditLog', 'Category', 'Comment', 'Order', 'Post', 'Product', 'Profile', 'Review', 'Tag', 'User']) {
    expect(result.stdout).toMatch(new RegExp(`^${model} .* ok$`, 'm'));
  }
  expect(result.stdout).toMatch(/^TOTAL +3,362 +3,355 +7 .* ok$/m);
  expect(result.stderr).toMatch(/embedded PostgreSQL/);
  expect(result.stderr).toMatch(/to roll this migration back[\s\S]*DROP TABLE "public"."_PostToTag", .*"public"."users" CASCADE; DROP TYPE "public"."Role", "public"."OrderStatus", "public"."PaymentMethod"; DROP SCHEMA "_migration" CASCADE;/);
});

test('the same command with DATABASE_URL and MONGO_URL set migrates the sample from the live server', async () => {
  const live = await sampleLive(1);
  const target = await freshDatabase('envlive');
  try {
    const result = await runCommand('npm', ['run', '--silent', 'migrate:mongo-to-postgres'], { DATABASE_URL: target.url, MONGO_URL: live.url, MONGO_DB: live.database });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`db=${live.database}`);
    expect(result.stdout).toMatch(/^TOTAL +3,362 +3,355 +7 .* ok$/m);
  } finally {
    await target.drop();
  }
});

test('validate:migration prints the table, writes the JSON report and exits 0 on a valid target, 3 on a broken one', async () => {
  const target = await freshDatabase('clivalid');
  const report = join(mkdtempSync(join(tmpdir(), 'report-')), 'validate.json');
  try {
    expect((await runMigrateCli(['--target-url', target.url])).code).toBe(0);
    const ok = await runCommand('npm', ['run', '--silent', 'validate:migration', '--', '--target-url', target.url, '--report', report]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Review +500 +498 +2 +0 +498 +ok +ok +ok +ok$/m);
    expect(ok.stdout).toContain('VALID: the target equals the source');
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ ok: true, samplePercent: 100 });
    await target.pool.query(`DELETE FROM order_lines WHERE position = 0 AND "orderId" = (SELECT min("orderId"::text)::uuid FROM order_lines)`);
    const broken = await runCommand('npm', ['run', '--silent', 'validate:migration', '--', '--target-url', target.url, '--report', report]);
    expect(broken.code).toBe(3);
    expect(broken.stdout).toMatch(/\[content\] OrderLine: missing-row ×1/);
    expect(broken.stdout).toMatch(/^Order .* FAIL$/m);
  } finally {
    await target.drop();
  }
});

test('migration:id-map exports every mapping as CSV', async () => {
  const target = await freshDatabase('idcsv');
  const out = join(mkdtempSync(join(tmpdir(), 'ids-')), 'ids.csv');
  try {
    expect((await runMigrateCli(['--target-url', target.url])).code).toBe(0);
    const result = await runCommand('npm', ['run', '--silent', 'migration:id-map', '--', '--out', out, '--target-url', target.url]);
    expect(result.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('model,source_id,source_kind,uuid');
    expect(lines).toHaveLength(1 + 3_355);
    expect(lines).toContain('User,5e0be1005e7cc513d2000000,objectId,016f5e66-e800-75e7-b314-4f4800000000');
  } finally {
    await target.drop();
  }
});
