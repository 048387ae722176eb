import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { REPO_ROOT, runMigrateCli } from '../support/run-cli.ts';
import { sampleDump } from '../support/sample-source.ts';

// Issue 8, item 8: an exception from a transformer's own code is a programming error. It must
// stop the run (exit 1) naming the transformer's file and line, and reject nothing, instead of
// rejecting every Post and, by cascade, every Comment while the run reports success.

let db: TestDatabase;
let dump: { dir: string };
let work: string;

/** A transformers module: the sample's User and Order transformers, and a Post transformer given as text. */
function writeTransformers(postTransform: string, imports: string[] = []): string {
  const file = join(work, 'index.ts');
  writeFileSync(
    file,
    [
      `import user from '${join(REPO_ROOT, 'transformers', 'user.ts')}';`,
      `import order from '${join(REPO_ROOT, 'transformers', 'order.ts')}';`,
      ...imports,
      `const post = {`,
      `  model: 'Post',`,
      `  transform(doc: Record<string, unknown>, ctx: any) {`,
      `    const stats = (doc['stats'] ?? {}) as Record<string, unknown>;`,
      postTransform,
      `  },`,
      `};`,
      `export default [user, order, post];`,
      ``,
    ].join('\n'),
  );
  return file;
}

function args(transformers: string): string[] {
  const config = join(work, 'migration.yaml');
  writeFileSync(config, `transformers: ${transformers}\ncheckpointDir: ${join(work, 'checkpoints')}\nlogDir: ${join(work, 'logs')}\n`);
  return ['--config', config, '--dump', dump.dir, '--target-url', db.url];
}

beforeAll(async () => {
  dump = await sampleDump(1);
  db = await freshDatabase('tbug');
  work = mkdtempSync(join(tmpdir(), 'tbug-'));
});
afterAll(async () => {
  await db?.drop();
});

test('a typo in a transformer stops the run with exit 1, the file and line, and rejects nothing', async () => {
  // Line 7 of the module: the field name is misspelled.
  const file = writeTransformers(`    return { rows: { Post: [{ ...ctx.defaultRow(doc), views: ctx.convert('Post', 'viewz', stats['views']) ?? 0, likes: 0 }] }, links: ctx.defaultLinks(doc) };`);
  const result = await runMigrateCli(args(file));
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`the transformer for Post (${file}:7:`);
  expect(result.stderr).toContain('model Post has no field viewz');
  expect(result.stderr).toContain('no document was rejected for it');
  const { rows: rejected } = await db.pool.query<{ model: string; n: number }>(`SELECT model, count(*)::int AS n FROM _migration.rejected WHERE model IN ('Post', 'Comment') GROUP BY model`);
  expect(rejected).toEqual([]);
  const { rows: runs } = await db.pool.query<{ status: string }>(`SELECT status FROM _migration.runs`);
  expect(runs).toEqual([{ status: 'failed' }]);
  expect(result.stdout).not.toMatch(/^TOTAL/m);
});

test('fixed, the same command resumes and completes', async () => {
  const file = writeTransformers(`    return { rows: { Post: [{ ...ctx.defaultRow(doc), views: ctx.convert('Post', 'views', stats['views']) ?? 0, likes: ctx.convert('Post', 'likes', stats['likes']) ?? 0 }] }, links: ctx.defaultLinks(doc) };`);
  // The transformers changed, so the run's configuration did: resuming it is a deliberate choice.
  const result = await runMigrateCli([...args(file), '--force']);
  expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
  // The same totals as the uninterrupted sample run: the planted dirt only.
  expect(result.stdout).toMatch(/^TOTAL +3,362 +3,355 +7 .* ok$/m);
  const { rows } = await db.pool.query<{ status: string }>(`SELECT status FROM _migration.runs`);
  expect(rows).toEqual([{ status: 'completed' }]);
});

test('a value problem found by the transformer still rejects only that document', async () => {
  const other = await freshDatabase('tbug_data');
  try {
    const file = writeTransformers(
      `    if (typeof doc['title'] === 'string' && doc['title'].length % 7 === 3) ctx.convert('Post', 'views', 'not a number');\n` +
        `    return { rows: { Post: [{ ...ctx.defaultRow(doc), views: 0, likes: 0 }] }, links: ctx.defaultLinks(doc) };`,
    );
    const config = join(work, 'data.yaml');
    // Many rejections are the point here: above the default --max-rejected (1%) the run would end with exit 3.
    writeFileSync(config, `transformers: ${file}\ncheckpointDir: ${join(work, 'checkpoints')}\nlogDir: ${join(work, 'logs')}\nmaxRejected: 100%\n`);
    const result = await runMigrateCli(['--config', config, '--dump', dump.dir, '--target-url', other.url]);
    expect(result.code).toBe(0);
    const { rows } = await other.pool.query<{ n: number; stage: string }>(`SELECT count(*)::int AS n, min(stage) AS stage FROM _migration.rejected WHERE model = 'Post' AND reason LIKE 'views:%'`);
    expect(rows[0]?.n).toBeGreaterThan(0);
    expect(rows[0]?.stage).toBe('transform');
  } finally {
    await other.drop();
  }
});

// The CLI runs compiled (dist/), while a transformer imports `reject` from the TypeScript source,
// as MIGRATION_README.md tells it to: two copies of reject.ts in one process. Its RejectError is
// still a rejection of that document, not a bug in the transformer.
test('reject() imported by a transformer from src/transform/reject.ts rejects only that document', async () => {
  const other = await freshDatabase('tbug_reject');
  try {
    const file = writeTransformers(
      `    if (typeof doc['title'] === 'string' && doc['title'].length % 7 === 3) reject('title: a length this test refuses');\n` +
        `    return { rows: { Post: [{ ...ctx.defaultRow(doc), views: 0, likes: 0 }] }, links: ctx.defaultLinks(doc) };`,
      [`import { reject } from '${join(REPO_ROOT, 'src', 'transform', 'reject.ts')}';`],
    );
    const config = join(work, 'reject.yaml');
    writeFileSync(config, `transformers: ${file}\ncheckpointDir: ${join(work, 'checkpoints')}\nlogDir: ${join(work, 'logs')}\nmaxRejected: 100%\n`);
    const result = await runMigrateCli(['--config', config, '--dump', dump.dir, '--target-url', other.url]);
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr.slice(-800) }).toEqual({ code: 0, stderr: '' });
    const { rows } = await other.pool.query<{ n: number; stage: string }>(`SELECT count(*)::int AS n, min(stage) AS stage FROM _migration.rejected WHERE model = 'Post' AND reason = 'title: a length this test refuses'`);
    expect(rows[0]?.n).toBeGreaterThan(0);
    expect(rows[0]?.stage).toBe('transform');
  } finally {
    await other.drop();
  }
});
