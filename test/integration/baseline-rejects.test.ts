/**
 * migration:baseline and the error log (issue 13, item 1): a document the migration rejected
 * that transforms fine now is `was-rejected` (migration:errors --retry-failed is its tool, not a
 * sync); a mapped document the transformer now refuses is `now-rejects`, with the reason.
 */
import { beforeAll, expect, test } from '@jest/globals';
import type { ObjectId, Document } from 'bson';
import pg from 'pg';
import { baseline } from '../../src/baseline/baseline.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { databasesForThisFile } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { sampleDump } from '../support/sample-source.ts';
import { writeDumpFolder } from '../support/write-dump.ts';

const database = databasesForThisFile();
let dump: Awaited<ReturnType<typeof sampleDump>>;
let url: string;

beforeAll(async () => {
  dump = await sampleDump(0.3, 23);
  url = (await database('bl_rejects')).url;
  expect((await migrateForTest({ source: { kind: 'mongodump', path: dump.dir }, targetUrl: url })).status).toBe('completed');
}, 240_000);

test('a rejected document fixed in the source is was-rejected; a mapped one broken now is now-rejects', async () => {
  const target = new pg.Pool({ connectionString: url, max: 1 });
  const { rows } = await target.query<{ source_id: string }>(`SELECT source_id FROM _migration.rejected WHERE model = 'Review' AND stage = 'transform' ORDER BY source_id LIMIT 1`);
  const { rows: mapped } = await target.query<{ source_id: string }>(`SELECT source_id FROM _migration.id_map WHERE model = 'Review' ORDER BY source_id LIMIT 1`);
  await target.end();
  const fixed = rows[0]?.source_id;
  const broken = mapped[0]?.source_id;
  if (!fixed || !broken) throw new Error('the sample has no Review rejected at transform');

  const collections: Record<string, Document[]> = {};
  for (const c of dump.sample.collections) collections[c] = [...dump.sample.documents(c)];
  const reviews = collections['reviews'] ?? [];
  const byId = (id: string) => reviews.find((r) => (r['_id'] as ObjectId).toHexString() === id);
  const fixedDoc = byId(fixed);
  const brokenDoc = byId(broken);
  if (!fixedDoc || !brokenDoc) throw new Error('review not in the sample');
  fixedDoc['rating'] = 4;
  brokenDoc['rating'] = 'five';

  const config = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: writeDumpFolder(collections, 'shop') }, target: { url } }] });
  const report = await baseline({ config, logger: createLogger({ quiet: true }) });
  const review = report.models.find((m) => m.model === 'Review');
  expect(review && { wasRejected: review.wasRejected, nowRejects: review.nowRejects, changed: review.changed, new: review.new, deleted: review.deleted }).toEqual({ wasRejected: 1, nowRejects: 1, changed: 0, new: 0, deleted: 0 });
  expect(review?.examples['was-rejected']?.map((e) => e.sourceId)).toEqual([fixed]);
  expect(review?.examples['now-rejects']).toEqual([{ sourceId: broken, detail: expect.stringMatching(/rating/) }]);
  expect(report.same).toBe(false);
  expect(review && review.source).toBe(review && review.new + review.changed + review.unchanged + review.wasRejected + review.nowRejects + review.stillRejected + review.skipped);
}, 240_000);
