import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { ObjectId } from 'bson';
import type { Sample } from '../../scripts/sample/index.ts';
import { renderDdl } from '../../src/schema/ddl.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { runCommand } from '../support/run-cli.ts';
import { sampleDump } from '../support/sample-source.ts';
import { readFileSync } from 'node:fs';

let dump: { sample: Sample; dir: string };
beforeAll(async () => {
  dump = await sampleDump(0.3, 5);
});

test('one row that breaks a database constraint is rejected alone; the rest of its batch lands', async () => {
  const db = await freshDatabase('check');
  try {
    const ddl = await renderDdl(readFileSync('prisma/schema.prisma', 'utf8'));
    await db.pool.query(ddl.script);
    const tags = [...dump.sample.documents('tags')];
    const victim = tags[Math.floor(tags.length / 2)];
    const name = String(victim?.['name']);
    await db.pool.query(`ALTER TABLE tags ADD CONSTRAINT tags_name_not_banned CHECK (name <> '${name.replace(/'/g, "''")}')`);
    const run = await migrateForTest({ source: { kind: 'mongodump', path: dump.dir }, targetUrl: db.url, overrides: { batchSize: 1000 } });
    expect(run.status).toBe('completed');
    const tag = run.summary?.models.find((m) => m.model === 'Tag');
    expect(tag).toMatchObject({ source: tags.length, written: tags.length - 1, rejected: 1 });
    const { rows } = await db.pool.query<{ source_id: string; stage: string; reason: string; document: string }>(`SELECT source_id, stage, reason, document FROM _migration.rejected WHERE model = 'Tag'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.source_id).toBe((victim?.['_id'] as ObjectId).toHexString());
    expect(rows[0]?.stage).toBe('load');
    expect(rows[0]?.reason).toMatch(/violates check constraint "tags_name_not_banned".*SQLSTATE 23514/);
    expect(rows[0]?.document).toContain(JSON.stringify(name).slice(1, -1));
    const { rows: count } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM tags`);
    expect(Number(count[0]?.n)).toBe(tags.length - 1);
  } finally {
    await db.drop();
  }
});

describe('--retry-failed', () => {
  let db: TestDatabase;
  let work: string;
  beforeAll(async () => {
    db = await freshDatabase('retry');
    work = mkdtempSync(join(tmpdir(), 'retry-'));
  });
  afterAll(async () => {
    await db.drop();
  });

  test('after a transformer is fixed, brings the rejected records in and the accounting still adds up', async () => {
    const first = await migrateForTest({ source: { kind: 'mongodump', path: dump.dir }, targetUrl: db.url });
    expect(first.status).toBe('completed');
    const reviewBefore = first.summary?.models.find((m) => m.model === 'Review');
    const wrongType = dump.sample.dirt.find((d) => d.kind === 'wrong-type');
    expect(wrongType?.model).toBe('Review');

    // The fix a user would write: ratings spelled as words become numbers.
    const fixed = join(work, 'transformers.ts');
    writeFileSync(
      fixed,
      `import { transformers as sample } from ${JSON.stringify(resolve('transformers/index.ts'))};
const words: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };
const review = {
  model: 'Review',
  transform(doc: Record<string, unknown>, ctx: { defaultRow(d: unknown): Record<string, unknown> }) {
    const rating = doc['rating'];
    const patched = typeof rating === 'string' && rating in words ? { ...doc, rating: words[rating] } : doc;
    return { rows: { Review: [ctx.defaultRow(patched)] } };
  },
};
export const transformers = [...sample, review];
`,
    );
    const config = join(work, 'migration.yaml');
    writeFileSync(config, `source:\n  kind: mongodump\n  path: ${dump.dir}\ntarget:\n  url: ${db.url}\ntransformers: ${fixed}\ncheckpointDir: ${join(work, 'checkpoints')}\nlogDir: ${join(work, 'logs')}\n`);

    const result = await runCommand('npm', ['run', '--silent', 'migration:errors', '--', '--retry-failed', '--config', config]);
    expect(result.stderr).toMatch(/Review: 2 retried, 1 now in the target, 1 rejected again/);
    expect(result.code).toBe(3); // rejections remain: the planted dirt the fix does not cover
    expect(result.stdout).toMatch(/rejected records: 6 open, 1 resolved by retries/);
    expect(result.stdout).toMatch(/^Review +\d[\d,]* +[\d,]+ +1 .* ok$/m);

    const { rows } = await db.pool.query<{ rating: number }>(`SELECT r.rating FROM reviews r JOIN _migration.id_map m ON m.uuid = r.id WHERE m.model = 'Review' AND m.source_id = $1`, [wrongType?.id]);
    expect(rows).toEqual([{ rating: 5 }]);
    const { rows: progress } = await db.pool.query<{ written: string; rejected: string; source_count: string }>(`SELECT written, rejected, source_count FROM _migration.progress WHERE model = 'Review'`);
    expect(Number(progress[0]?.written)).toBe((reviewBefore?.written ?? 0) + 1);
    expect(Number(progress[0]?.written) + Number(progress[0]?.rejected)).toBe(Number(progress[0]?.source_count));
    const { rows: open } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM _migration.rejected WHERE resolved_at IS NULL`);
    expect(Number(open[0]?.n)).toBe(dump.sample.dirt.length - 1);
  });

  test('migration:errors summarises by model, by reason pattern, and lists the failed ids', async () => {
    const result = await runCommand('npm', ['run', '--silent', 'migration:errors', '--', '--target-url', db.url, '--dump', dump.dir]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/by model:\n\s+2\s+User/);
    expect(result.stdout).toMatch(/top \d+ reasons:/);
    expect(result.stdout).toMatch(/dangling reference: comments\.postId → posts <id>: not in the target/);
    for (const d of dump.sample.dirt.filter((x) => x.kind !== 'wrong-type')) expect(result.stdout).toContain(d.id);
  });
});

test('--retry-failed: a rejected record the fixed transformer now skips leaves the error log as skipped, and the counts add up', async () => {
  const db = await freshDatabase('retryskip');
  const work = mkdtempSync(join(tmpdir(), 'retry-skip-'));
  try {
    const first = await migrateForTest({ source: { kind: 'mongodump', path: dump.dir }, targetUrl: db.url });
    expect(first.status).toBe('completed');
    const wrongType = dump.sample.dirt.find((d) => d.kind === 'wrong-type');
    expect(wrongType?.model).toBe('Review');
    // The fix chosen here: a review whose rating is not a number is dropped, not loaded.
    const fixed = join(work, 'transformers.ts');
    writeFileSync(
      fixed,
      `import { transformers as sample } from ${JSON.stringify(resolve('transformers/index.ts'))};
const review = {
  model: 'Review',
  transform(doc: Record<string, unknown>, ctx: { defaultRow(d: unknown): Record<string, unknown> }) {
    return { rows: { Review: typeof doc['rating'] === 'number' ? [ctx.defaultRow(doc)] : [] } };
  },
};
export const transformers = [...sample, review];
`,
    );
    const config = join(work, 'migration.yaml');
    writeFileSync(config, `source:\n  kind: mongodump\n  path: ${dump.dir}\ntarget:\n  url: ${db.url}\ntransformers: ${fixed}\ncheckpointDir: ${join(work, 'checkpoints')}\nlogDir: ${join(work, 'logs')}\n`);
    const result = await runCommand('npm', ['run', '--silent', 'migration:errors', '--', '--retry-failed', '--config', config]);
    expect(result.code).toBe(3); // the other planted dirt is still rejected
    const { rows: entry } = await db.pool.query<{ resolved: boolean }>(`SELECT resolved_at IS NOT NULL AS resolved FROM _migration.rejected WHERE model = 'Review' AND source_id = $1`, [wrongType?.id]);
    expect(entry).toEqual([{ resolved: true }]);
    const { rows } = await db.pool.query<{ written: number; rejected: number; skipped: number; source_count: number }>(
      `SELECT written::int, rejected::int, skipped::int, source_count::int FROM _migration.progress WHERE model = 'Review'`,
    );
    const before = first.summary?.models.find((m) => m.model === 'Review');
    expect(rows[0]).toEqual({ written: before?.written, rejected: (before?.rejected ?? 0) - 1, skipped: (before?.skipped ?? 0) + 1, source_count: before?.source });
  } finally {
    await db.drop();
  }
});
