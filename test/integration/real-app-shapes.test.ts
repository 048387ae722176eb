import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Binary, Decimal128, ObjectId, type Document } from 'bson';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { validate } from '../../src/validate/validate.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { committedBatches, fingerprint, sleep, spawnMigrate, type Fingerprint } from '../support/interrupt-helpers.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { runCommand, runMigrateCli } from '../support/run-cli.ts';
import { tempFile, writeDumpFolder } from '../support/write-dump.ts';
import { surveyFixture } from '../support/survey-fixture.ts';

// Issue 9, items 1 and 2: shapes every real Prisma app has. Scalar lists must not make the
// tool refuse its own tables on the next run; a derived model with a composite key must
// validate (its rows share the first key column).

const TYPES = ['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes', 'Level'] as const;
const LIST_SCHEMA = `
datasource db {
  provider = "postgresql"
}
enum Level {
  LOW
  HIGH
}
model Everything {
  id String @id @default(uuid()) @db.Uuid
${TYPES.map((t, i) => `  r${i} ${t}\n  o${i} ${t}?\n  l${i} ${t}[]`).join('\n')}
  u  String   @db.Uuid
  ul String[] @db.Uuid
  @@map("everything")
}
`;

/** A value of each type for document `i`, element `k`. */
function value(type: (typeof TYPES)[number], i: number, k = 0): unknown {
  const n = i * 10 + k;
  switch (type) {
    case 'String': return `text ${n} é`;
    case 'Int': return n - 500;
    case 'BigInt': return 2n ** 60n + BigInt(n);
    case 'Float': return n + 0.25;
    case 'Decimal': return Decimal128.fromString(`${n}.125`);
    case 'Boolean': return n % 2 === 0;
    case 'DateTime': return new Date(Date.UTC(2024, 0, 1) + n * 1_001);
    case 'Json': return { n, nested: [n, { k }] };
    case 'Bytes': return new Binary(Buffer.from([n % 256, 0, 255]));
    case 'Level': return n % 2 === 0 ? 'LOW' : 'HIGH';
  }
}

const uuidOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Optional fields missing, null or set; lists missing, null, empty or with two elements, in turn. */
function everything(i: number): Document {
  const doc: Document = { _id: new ObjectId(`${'65a0b0c0'}${i.toString(16).padStart(16, '0')}`), u: uuidOf(i) };
  TYPES.forEach((t, f) => {
    doc[`r${f}`] = value(t, i);
    if (i % 3 === 1) doc[`o${f}`] = null;
    if (i % 3 === 2) doc[`o${f}`] = value(t, i, 1);
    if (i % 5 === 1) doc[`l${f}`] = null;
    if (i % 5 === 2) doc[`l${f}`] = [];
    if (i % 5 >= 3) doc[`l${f}`] = [value(t, i, 1), value(t, i, 2)];
  });
  if (i % 2 === 0) doc['ul'] = [uuidOf(i + 1), uuidOf(i + 2)];
  return doc;
}

describe('every Prisma scalar type as required, optional and list', () => {
  const COUNT = 5_000;
  let dumpDir: string;
  let schema: string;
  let reference: TestDatabase;
  let expected: Fingerprint;
  const work = tempFile('.keep', '');
  const args = (db: TestDatabase, ...extra: string[]) => {
    const config = tempFile('migration.yaml', `schema: ${schema}\ncheckpointDir: ${join(work, '..', 'checkpoints')}\nlogDir: ${join(work, '..', 'logs')}\n`);
    return ['--config', config, '--dump', dumpDir, '--target-url', db.url, ...extra];
  };

  beforeAll(async () => {
    dumpDir = writeDumpFolder({ everything: Array.from({ length: COUNT }, (_, i) => everything(i)) });
    schema = tempFile('schema.prisma', LIST_SCHEMA);
    reference = await freshDatabase('lists_ref');
    const first = await runMigrateCli(args(reference));
    expect({ code: first.code, stderr: first.code === 0 ? '' : first.stderr }).toEqual({ code: 0, stderr: '' });
    const { rows: reasons } = await reference.pool.query<{ reason: string }>(`SELECT DISTINCT left(reason, 200) AS reason FROM _migration.rejected LIMIT 5`);
    expect(reasons).toEqual([]);
    expect(first.stdout).toMatch(/^Everything +5,000 +5,000 +0 +0 .* ok$/m);
    expected = await fingerprint(reference.pool);
  });
  afterAll(async () => {
    await reference?.drop();
  });

  test('lists are loaded as arrays; a missing or null list is an empty one', async () => {
    const { rows } = await reference.pool.query<{ missing: number; empty: number; full: number; nulls: number }>(
      `SELECT count(*) FILTER (WHERE l0 IS NULL)::int AS nulls, count(*) FILTER (WHERE cardinality(l0) = 0)::int AS empty,
              count(*) FILTER (WHERE cardinality(l0) = 2)::int AS full, count(*) FILTER (WHERE cardinality(l4) = 2 AND l4[1] = 31.125)::int AS missing
         FROM everything`,
    );
    expect(rows[0]).toEqual({ nulls: 0, empty: COUNT * 0.6, full: COUNT * 0.4, missing: 1 });
  });

  test('running the same command again is not refused by the tables the tool created', async () => {
    const again = await runMigrateCli(args(reference));
    expect({ code: again.code, stderr: again.code === 0 ? '' : again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(again.stderr).toMatch(/already completed/);
    expect(await fingerprint(reference.pool)).toEqual(expected);
  });

  test('a run killed with SIGKILL resumes to the same tables', async () => {
    const db = await freshDatabase('lists_kill');
    try {
      const run = spawnMigrate(args(db, '--batch-size', '10'));
      expect(await run.waitFor(/STEP 3/)).toBe(true);
      // Wait for a real condition: a batch committed in the target.
      while (run.running() && (await committedBatches(db.pool)).batches < 1) await sleep(5);
      run.child.kill('SIGKILL');
      const killed = await run.done;
      expect({ signal: killed.signal, batches: (await committedBatches(db.pool)).batches > 0 }).toEqual({ signal: 'SIGKILL', batches: true });
      const resumed = await runMigrateCli(args(db));
      expect({ code: resumed.code, stderr: resumed.code === 0 ? '' : resumed.stderr }).toEqual({ code: 0, stderr: '' });
      expect(resumed.stderr).toMatch(/resuming run/);
      const actual = await fingerprint(db.pool);
      expect(actual.tables).toEqual(expected.tables);
      expect(actual.idMap).toEqual(expected.idMap);
    } finally {
      await db.drop();
    }
  });

  test('--restart --yes empties and loads again', async () => {
    const restarted = await runMigrateCli(args(reference, '--restart', '--yes'));
    expect({ code: restarted.code, stderr: restarted.code === 0 ? '' : restarted.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await fingerprint(reference.pool)).tables).toEqual(expected.tables);
  });

  test('validate:migration finds the target equal to the source', async () => {
    const result = await runCommand('npm', ['run', '--silent', 'validate:migration', '--', ...args(reference), '--report', join(work, '..', 'report.json')]);
    expect({ code: result.code, out: result.code === 0 ? '' : result.stdout + result.stderr }).toEqual({ code: 0, out: '' });
  });
});

describe('a derived model with a composite key', () => {
  const { SCHEMA, TRANSFORMERS } = surveyFixture();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase('composite');
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('an exact migration validates; a changed answer is found', async () => {
    const surveys = Array.from({ length: 40 }, (_, i) => ({ _id: new ObjectId(), title: `survey ${i}`, answers: Array.from({ length: i % 4 }, (_, k) => ({ text: `answer ${i}.${k}` })) }));
    const path = writeDumpFolder({ surveys });
    const overrides = { schema: tempFile('schema.prisma', SCHEMA), transformers: tempFile('transformers.mjs', TRANSFORMERS) };
    const run = await migrateForTest({ source: { kind: 'mongodump', path }, targetUrl: db.url, overrides });
    expect(run.status).toBe('completed');
    const config = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path }, target: { url: db.url } }, overrides] });
    const report = await validate({ config, logger: createLogger({ quiet: true }), samplePercent: 100 });
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);

    await db.pool.query(`UPDATE answers SET text = 'edited' WHERE position = 1 AND text = 'answer 6.1'`);
    const broken = await validate({ config, logger: createLogger({ quiet: true }), samplePercent: 100 });
    expect(broken.findings.map((f) => `${f.model}:${f.kind}`)).toEqual(['Answer:content-differs']);
  });
});
