/**
 * --since's fast path (diff-model.ts, since-filter.ts): baseline and sync decide "not changed
 * since" from the raw source document, before transforming it, for documents the id map holds.
 *
 * Why this proves the path is taken: a mapped document that the transformer now rejects is
 * `now-rejects` whenever it is prepared, --since or not, because the rejection is known before
 * any time is looked at (without the fast path a rejected document has no prepared rows to read
 * an `@updatedAt` column from, and diffModel tests `now-rejects` first). So a document that
 * would reject, whose time is old, can only count as `unchanged` under --since if it was never
 * prepared. The full baseline shows it does reject when prepared. Both readings are covered: an
 * `@updatedAt` column read from its @map name (`modified`) through the converter, and a source
 * field `updatedAt` the schema does not map.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from '@jest/globals';
import { ObjectId, serialize, type Document } from 'bson';
import { baseline, type BaselineReport, type ModelBaseline } from '../../src/baseline/baseline.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { sync } from '../../src/sync/sync.ts';
import { databasesForThisFile } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';

const database = databasesForThisFile();
const TIMEOUT = 240_000;
const OLD = new Date('2024-01-01T00:00:00Z');
const SINCE = new Date('2025-01-01T00:00:00Z');
const NEW = new Date('2025-06-01T00:00:00Z');

const SCHEMA = [
  'datasource db {\n  provider = "postgresql"\n}',
  'model Note {\n  id    String   @id @db.Uuid\n  title String   @db.VarChar(20)\n  stamp DateTime @updatedAt @map("modified") @db.Timestamptz(3)\n  @@map("notes")\n}',
  'model Memo {\n  id    String @id @db.Uuid\n  title String @db.VarChar(20)\n  @@map("memos")\n}',
  '',
].join('\n\n');

const ids = Array.from({ length: 6 }, () => new ObjectId());
/** Per collection: three documents, all last changed at OLD; notes keep it in `modified`, memos in an unmapped `updatedAt`. */
const documents = (): Record<'notes' | 'memos', Document[]> => ({
  notes: ids.slice(0, 3).map((_id, i) => ({ _id, title: `note ${i}`, modified: OLD })),
  memos: ids.slice(3).map((_id, i) => ({ _id, title: `memo ${i}`, updatedAt: OLD })),
});

let dir: string;
let schema: string;
const writeDump = (collections: Record<string, readonly Document[]>) => {
  for (const [name, docs] of Object.entries(collections)) writeFileSync(join(dir, `${name}.bson`), Buffer.concat(docs.map((d) => serialize(d))));
};
const configFor = (url: string) =>
  loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: dir }, target: { url }, schema, models: { Note: { collection: 'notes' }, Memo: { collection: 'memos' } } }] });
const model = (r: BaselineReport, name: string): ModelBaseline => {
  const m = r.models.find((x) => x.model === name);
  if (!m) throw new Error(`no model ${name} in the report`);
  return m;
};
const counts = (m: ModelBaseline) => ({ changed: m.changed, unchanged: m.unchanged, nowRejects: m.nowRejects, compared: m.compared, new: m.new, deleted: m.deleted });

beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'since-fast-'));
  dir = join(root, 'app');
  mkdirSync(dir);
  schema = join(root, 'schema.prisma');
  writeFileSync(schema, SCHEMA);
});

test('a mapped document that now rejects but has an old time is unchanged under --since (never prepared), now-rejects without', async () => {
  const url = (await database('since_fast')).url;
  writeDump(documents());
  const migrated = await migrateForTest({ source: { kind: 'mongodump', path: dir }, targetUrl: url, overrides: { schema, models: { Note: { collection: 'notes' }, Memo: { collection: 'memos' } } } });
  expect(migrated.status).toBe('completed');

  const changed = documents();
  for (const list of [changed.notes, changed.memos]) {
    const [broken, edited] = list as [Document, Document, Document];
    // Longer than VarChar(20): the row check rejects it once prepared. Its time stays old.
    broken['title'] = 'a title far too long for twenty characters';
    edited['title'] = 'edited';
  }
  (changed.notes[1] as Document)['modified'] = NEW;
  (changed.memos[1] as Document)['updatedAt'] = NEW;
  writeDump(changed);

  const config = await configFor(url);
  const full = await baseline({ config, logger: createLogger({ quiet: true }) });
  for (const name of ['Note', 'Memo']) expect({ name, ...counts(model(full, name)) }).toEqual({ name, changed: 1, unchanged: 1, nowRejects: 1, compared: 2, new: 0, deleted: 0 });

  const since = await baseline({ config, logger: createLogger({ quiet: true }), since: SINCE });
  expect(model(since, 'Note').since).toBe('Note.stamp (@updatedAt)');
  expect(model(since, 'Memo').since).toBe('source field updatedAt');
  // Only the edited document (its time after --since) was prepared and compared; the broken one was not prepared at all.
  for (const name of ['Note', 'Memo']) {
    const m = model(since, name);
    expect({ name, ...counts(m) }).toEqual({ name, changed: 1, unchanged: 2, nowRejects: 0, compared: 1, new: 0, deleted: 0 });
    expect(m.source).toBe(m.new + m.changed + m.unchanged + m.wasRejected + m.nowRejects + m.stillRejected + m.skipped);
  }

  // sync reads the same difference: under --since it updates the edited document and leaves the broken one in place.
  const synced = await sync({ config, logger: createLogger({ quiet: true }), since: SINCE, signal: new AbortController().signal });
  if (synced.status !== 'done') throw new Error(`sync ${synced.status}: ${synced.message}`);
  for (const name of ['Note', 'Memo']) {
    const m = synced.report.models.find((x) => x.model === name);
    expect({ name, updated: m?.updated, deleted: m?.deleted, rejected: m?.rejected, unchanged: m?.unchanged }).toEqual({ name, updated: 1, deleted: 0, rejected: 0, unchanged: 2 });
  }
  // A full baseline afterwards still finds the rejection --since did not look at: what the fast path trades.
  const after = await baseline({ config, logger: createLogger({ quiet: true }) });
  for (const name of ['Note', 'Memo']) expect({ name, ...counts(model(after, name)) }).toEqual({ name, changed: 0, unchanged: 2, nowRejects: 1, compared: 2, new: 0, deleted: 0 });
}, TIMEOUT);
