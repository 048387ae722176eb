/**
 * migration:baseline (issue 13, item 1): the read-only difference between a source and the
 * target a full migration made of it. Each source is migrated, then changed in known ways
 * (an insert, an update to a mapped field, an update to a field the schema does not read, a
 * delete, a changed many-to-many array, a changed embedded array); the baseline must name
 * exactly those documents, with the unmapped change counted as unchanged.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { ObjectId, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import { baseline, type BaselineReport, type ModelBaseline } from '../../src/baseline/baseline.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { databasesForThisFile } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { runCli } from '../support/run-cli.ts';
import { sampleDump, sampleLive } from '../support/sample-source.ts';
import { workConfigFile } from '../support/work-config.ts';
import { writeDumpFolder } from '../support/write-dump.ts';
import { changeLiveSample, type LiveChanges } from '../support/live-sample-changes.ts';

const database = databasesForThisFile();
const TIMEOUT = 240_000;

async function baselineOf(url: string, source: Record<string, unknown>, since?: Date): Promise<BaselineReport> {
  const config = await loadConfig(undefined, { overrides: [{ source, target: { url } }] });
  return baseline({ config, logger: createLogger({ quiet: true }), ...(since ? { since } : {}) });
}

const model = (r: BaselineReport, name: string): ModelBaseline => {
  const m = r.models.find((x) => x.model === name);
  if (!m) throw new Error(`no model ${name} in the report`);
  return m;
};
const ids = (m: ModelBaseline, kind: 'new' | 'changed' | 'deleted') => (m.examples[kind] ?? []).map((e) => e.sourceId).sort();
/** Every model's counts that are not "unchanged", as `Model kind ×n`. */
const differences = (r: BaselineReport) =>
  r.models.flatMap((m) => (['new', 'changed', 'deleted', 'wasRejected', 'nowRejects'] as const).filter((k) => m[k] > 0).map((k) => `${m.model} ${k} ×${m[k]}`)).sort();
/** The identities the counts keep: source = every source kind, target = changed + unchanged + deleted (+ mapped now rejecting). */
function expectBalanced(r: BaselineReport): void {
  for (const m of r.models) {
    expect({ model: m.model, source: m.new + m.changed + m.unchanged + m.wasRejected + m.nowRejects + m.stillRejected + m.skipped }).toEqual({ model: m.model, source: m.source });
    expect({ model: m.model, target: m.changed + m.unchanged + m.deleted }).toEqual({ model: m.model, target: m.target });
  }
}

/** The six changes, chosen from the sample's own documents: each model's first documents with the needed shape. */
type Picks = LiveChanges;

describe('a mongodump source', () => {
  let dump: Awaited<ReturnType<typeof sampleDump>>;
  let url: string;
  beforeAll(async () => {
    dump = await sampleDump(0.3, 21);
    url = (await database('bl_dump')).url;
    expect((await migrateForTest({ source: { kind: 'mongodump', path: dump.dir }, targetUrl: url })).status).toBe('completed');
  }, TIMEOUT);

  test('unchanged: no differences, every mapped document compared', async () => {
    const report = await baselineOf(url, { kind: 'mongodump', path: dump.dir });
    expect(differences(report)).toEqual([]);
    expect(report.same).toBe(true);
    expectBalanced(report);
    for (const m of report.models) expect(m.compared).toBe(m.unchanged);
    expect(report.models.every((m) => m.seconds >= 0)).toBe(true);
  }, TIMEOUT);

  test('a changed dump: exactly the inserts, updates and deletes, the unmapped change unchanged', async () => {
    const collections: Record<string, Document[]> = {};
    for (const c of dump.sample.collections) collections[c] = [...dump.sample.documents(c)];
    const products = collections['products'] ?? [];
    const tags = collections['tags'] ?? [];
    const [renamed, unmapped, retagged] = products.filter((p) => Array.isArray(p['tagIds']) && (p['tagIds'] as unknown[]).length > 0);
    if (!renamed || !unmapped || !retagged) throw new Error('the sample has too few tagged products');
    renamed['name'] = `${String(renamed['name'])} (renamed)`;
    unmapped['legacyBarcode'] = '4006381333931';
    const tagIds = retagged['tagIds'] as ObjectId[];
    const unused = tags.find((t) => !tagIds.some((id) => id.equals(t['_id'] as ObjectId)));
    retagged['tagIds'] = [...tagIds.slice(1), unused?.['_id']];
    const inserted = { ...renamed, _id: new ObjectId(), sku: 'SKU-BASELINE-1', name: 'Baseline Umbrella' };
    products.push(inserted);
    const relined = (collections['orders'] ?? []).find((o) => Array.isArray(o['lines']) && (o['lines'] as unknown[]).length > 0);
    if (!relined) throw new Error('no order with lines');
    const lines = relined['lines'] as Document[];
    relined['lines'] = [{ ...lines[0], quantity: Number(lines[0]?.['quantity'] ?? 1) + 1 }, ...lines.slice(1)];
    const reviews = collections['reviews'] ?? [];
    const deleted = reviews.shift();
    if (!deleted) throw new Error('no review');
    const dir = writeDumpFolder(collections, 'shop');
    const picks: Picks = { renamed: hex(renamed), unmapped: hex(unmapped), retagged: hex(retagged), relined: hex(relined), deleted: hex(deleted), inserted: hex(inserted) };

    const report = await baselineOf(url, { kind: 'mongodump', path: dir });
    expectChanges(report, picks);
  }, TIMEOUT);
});

describe('a live MongoDB source (FerretDB)', () => {
  test('inserts, updates and deletes made with the driver', async () => {
    const live = await sampleLive(0.3, 22);
    const url = (await database('bl_live')).url;
    const source = { kind: 'mongodb', url: live.url, database: live.database };
    expect((await migrateForTest({ source, targetUrl: url })).status).toBe('completed');
    expect(differences(await baselineOf(url, source))).toEqual([]);

    const client = await MongoClient.connect(live.url);
    try {
      const db = client.db(live.database);
      const picks: Picks = await changeLiveSample(db);
      expectChanges(await baselineOf(url, source), picks);
    } finally {
      await client.close();
    }
  }, TIMEOUT);
});

function hex(doc: Document): string {
  return (doc['_id'] as ObjectId).toHexString();
}

function expectChanges(report: BaselineReport, picks: Picks): void {
  expect(differences(report)).toEqual(['Order changed ×1', 'Product changed ×2', 'Product new ×1', 'Review deleted ×1']);
  expect(report.same).toBe(false);
  expectBalanced(report);
  const product = model(report, 'Product');
  expect(ids(product, 'changed')).toEqual([picks.renamed, picks.retagged].sort());
  expect(ids(product, 'new')).toEqual([picks.inserted]);
  expect(ids(model(report, 'Order'), 'changed')).toEqual([picks.relined]);
  expect(ids(model(report, 'Review'), 'deleted')).toEqual([picks.deleted]);
  // The first differing columns, as validate words them.
  const detail = (id: string) => product.examples.changed?.find((e) => e.sourceId === id)?.detail ?? '';
  expect(detail(picks.renamed)).toMatch(/^Product: name: expected .*renamed|^Product: name: expected Renamed live/);
  expect(detail(picks.retagged)).toMatch(/^_ProductToTag: (missing|extra)-link /);
  expect(model(report, 'Order').examples.changed?.[0]?.detail).toMatch(/^OrderLine: quantity: expected \d+, found \d+/);
}

describe('a SQLite file', () => {
  const work = mkdtempSync(join(tmpdir(), 'baseline-sqlite-'));
  const file = join(work, 'library.sqlite');
  const edit = (sql: string) => {
    const db = new Database(file);
    db.exec(sql);
    db.close();
  };
  beforeAll(() => {
    edit(`CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at TEXT NOT NULL);
          CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id), title TEXT NOT NULL, shelf_note TEXT);
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
            INSERT INTO authors SELECT i, 'Author ' || i, '2024-01-01 10:00:00' FROM n;
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 90)
            INSERT INTO books SELECT i, (i % 30) + 1, 'Book ' || i, NULL FROM n;`);
  });

  test('direct mode, through the CLI: UPDATE, INSERT and DELETE on the file; exit 0 then 3; --json and --out; --since', async () => {
    const url = (await database('bl_sqlite')).url;
    const config = workConfigFile(work, 'direct');
    const args = ['--from', 'sqlite', '--sqlite', file, '--mode', 'direct', '--target-url', url, '--config', config];
    expect((await runCli('migrate', args)).code).toBe(0);
    const clean = await runCli('baseline', args);
    expect({ code: clean.code, out: clean.code === 0 ? '' : clean.stdout + clean.stderr }).toEqual({ code: 0, out: '' });
    expect(clean.stdout).toMatch(/model\s+source\s+target\s+new\s+changed\s+deleted\s+unchanged\s+other\s+seconds/);
    expect(clean.stdout).toContain('NO DIFFERENCES');

    edit(`UPDATE books SET title = 'Retitled' WHERE id = 7;
          UPDATE authors SET name = 'Renamed', updated_at = '2025-06-01 12:00:00' WHERE id = 3;
          UPDATE authors SET name = 'Renamed quietly' WHERE id = 4;
          INSERT INTO books VALUES (91, 1, 'New book', NULL);
          DELETE FROM books WHERE id = 12;`);
    const out = join(work, 'baseline.json');
    const changed = await runCli('baseline', [...args, '--json', '--out', out]);
    expect({ code: changed.code, err: changed.code === 3 ? '' : changed.stderr }).toEqual({ code: 3, err: '' });
    const report = JSON.parse(changed.stdout) as BaselineReport;
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    expect(differences(report)).toEqual(['Authors changed ×2', 'Books changed ×1', 'Books deleted ×1', 'Books new ×1']);
    expectBalanced(report);
    expect(ids(model(report, 'Authors'), 'changed')).toEqual(['3', '4']);
    expect(ids(model(report, 'Books'), 'changed')).toEqual(['7']);
    expect(ids(model(report, 'Books'), 'new')).toEqual(['91']);
    expect(ids(model(report, 'Books'), 'deleted')).toEqual(['12']);

    // --since: authors by their updated_at (author 4 was changed without it: not seen); books have no time: compared in full.
    const since = await runCli('baseline', [...args, '--json', '--since', '2025-01-01T00:00:00Z']);
    expect(since.code).toBe(3);
    const narrowed = JSON.parse(since.stdout) as BaselineReport;
    expect(model(narrowed, 'Authors').since).toBe('source field updated_at');
    expect(model(narrowed, 'Authors').compared).toBe(1);
    expect(model(narrowed, 'Books').since).toMatch(/^full comparison/);
    expect(differences(narrowed)).toEqual(['Authors changed ×1', 'Books changed ×1', 'Books deleted ×1', 'Books new ×1']);
    expect(ids(model(narrowed, 'Authors'), 'changed')).toEqual(['3']);

    const bad = await runCli('baseline', [...args, '--since', 'yesterday']);
    expect(bad.code).toBe(2);
  }, TIMEOUT);

  test('schema mode onto a Prisma schema: a change to a column the schema does not read is unchanged', async () => {
    const copy = join(work, 'library-schema.sqlite');
    writeFileSync(copy, readFileSync(file));
    const schema = join(work, 'library.prisma');
    writeFileSync(
      schema,
      [
        'datasource db {\n  provider = "postgresql"\n}',
        'model Author {\n  id    String @id @db.Uuid\n  name  String\n  books Book[]\n  @@map("authors")\n}',
        'model Book {\n  id       String @id @db.Uuid\n  authorId String @map("author_id") @db.Uuid\n  author   Author @relation(fields: [authorId], references: [id])\n  title    String\n  @@map("books")\n}',
        '',
      ].join('\n\n'),
    );
    const url = (await database('bl_schema')).url;
    const source = { kind: 'sqlite', path: copy, mode: 'schema' };
    const overrides = { schema, models: { Author: { collection: 'authors', ignore: ['updated_at'] }, Book: { collection: 'books', ignore: ['shelf_note'] } } };
    expect((await migrateForTest({ source, targetUrl: url, overrides })).status).toBe('completed');
    const run = async () => {
      const config = await loadConfig(undefined, { overrides: [{ source, target: { url } }, overrides] });
      return baseline({ config, logger: createLogger({ quiet: true }) });
    };
    expect(differences(await run())).toEqual([]);
    const db = new Database(copy);
    db.exec(`UPDATE books SET shelf_note = 'top shelf' WHERE id = 5; UPDATE books SET title = 'Retitled' WHERE id = 6; DELETE FROM books WHERE id = 8; INSERT INTO authors VALUES (31, 'Newcomer', '2025-01-01 00:00:00');`);
    db.close();
    const report = await run();
    expect(differences(report)).toEqual(['Author new ×1', 'Book changed ×1', 'Book deleted ×1']);
    expectBalanced(report);
    expect(ids(model(report, 'Book'), 'changed')).toEqual(['6']);
    expect(ids(model(report, 'Book'), 'deleted')).toEqual(['8']);
    expect(ids(model(report, 'Author'), 'new')).toEqual(['31']);
  }, TIMEOUT);
});
