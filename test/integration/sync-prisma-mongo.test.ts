/**
 * migration:sync on a Prisma MongoDB app (test/fixtures/prisma-mongo/marketplace.prisma, drafted
 * by migration:init --prisma-mongo): its many-to-many arrays sit on both sides (`followingIDs` /
 * `followerIDs`, `Tag.productIDs` / `Product.tagIDs`), so a pair stays while either side lists
 * it. The changes are the ones Prisma's client makes (a disconnect removes the id from both
 * arrays) and the ones hand-written code makes (one side only); a tag listed by products is
 * deleted. The synced target must equal a fresh migration of the changed dump.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { ObjectId, type Document } from 'bson';
import { parse, stringify } from 'yaml';
import type { SyncReport } from '../../src/sync/sync.ts';
import { databasesForThisFile } from '../support/databases.ts';
import { fingerprint } from '../support/interrupt-helpers.ts';
import { marketplaceDocuments, writeMarketplaceDump } from '../support/marketplace-data.ts';
import { runCli, runCommand } from '../support/run-cli.ts';

const database = databasesForThisFile();
const FIXTURE = 'test/fixtures/prisma-mongo/marketplace.prisma';

const ids = (doc: Document | undefined, field: string) => (doc?.[field] as ObjectId[] | undefined) ?? [];
const has = (list: readonly ObjectId[], id: unknown) => list.some((x) => x.equals(id as ObjectId));
const without = (list: readonly ObjectId[], id: unknown) => list.filter((x) => !x.equals(id as ObjectId));

test('pairs listed on both sides: a disconnect, a one-sided removal and a deleted tag sync to what a fresh migration gives', async () => {
  const work = mkdtempSync(join(tmpdir(), 'sync-prisma-mongo-'));
  const out = join(work, 'draft');
  const init = await runCommand(process.execPath, ['--enable-source-maps', 'dist/src/cli/init-cli.js', '--prisma-mongo', FIXTURE, '--out', out]);
  expect({ code: init.code, err: init.stderr }).toEqual({ code: 0, err: '' });
  const draft = parse(readFileSync(join(out, 'migration.yaml'), 'utf8')) as Record<string, unknown>;
  const configFor = (name: string, dump: string, url: string) => {
    const file = join(work, `${name}.yaml`);
    writeFileSync(file, stringify({ ...draft, source: { kind: 'mongodump', path: dump }, target: { url }, checkpointDir: join(work, name, 'checkpoints'), logDir: join(work, name, 'logs') }));
    return file;
  };
  const synced = await database('sypm');
  const before = configFor('before', writeMarketplaceDump(marketplaceDocuments()), synced.url);
  expect((await runCli('migrate', ['-c', before])).code).toBe(0);

  const docs = marketplaceDocuments();
  const users = docs['users'] ?? [];
  const products = docs['products'] ?? [];
  const tags = docs['tags'] ?? [];
  // Prisma's disconnect: the follow leaves both arrays.
  const follower = users.find((u) => ids(u, 'followingIDs').length > 0);
  const followed = users.find((u) => has(ids(follower, 'followingIDs'), u['_id']));
  if (!follower || !followed) throw new Error('no follow in the fixture');
  follower['followingIDs'] = without(ids(follower, 'followingIDs'), followed['_id']);
  followed['followerIDs'] = without(ids(followed, 'followerIDs'), follower['_id']);
  // Hand-written code: the product drops a tag that still lists the product (the pair stays).
  const tagged = products.find((p) => ids(p, 'tagIDs').some((t) => has(ids(tags.find((x) => (x['_id'] as ObjectId).equals(t)), 'productIDs'), p['_id'])));
  if (!tagged) throw new Error('no pair listed on both sides');
  const kept = ids(tagged, 'tagIDs').find((t) => has(ids(tags.find((x) => (x['_id'] as ObjectId).equals(t)), 'productIDs'), tagged['_id']));
  tagged['tagIDs'] = without(ids(tagged, 'tagIDs'), kept);
  // A pair only one side lists, removed from that side: it goes.
  const oneSided = products.find((p) => p !== tagged && ids(p, 'tagIDs').some((t) => !has(ids(tags.find((x) => (x['_id'] as ObjectId).equals(t)), 'productIDs'), p['_id'])));
  if (oneSided) oneSided['tagIDs'] = ids(oneSided, 'tagIDs').filter((t) => has(ids(tags.find((x) => (x['_id'] as ObjectId).equals(t)), 'productIDs'), oneSided['_id']));
  // A tag deleted while products and posts still list it.
  const gone = tags.find((t) => ids(t, 'productIDs').length > 0 && t !== tags.find((x) => (x['_id'] as ObjectId).equals(kept as ObjectId)));
  if (!gone) throw new Error('no listed tag');
  tags.splice(tags.indexOf(gone), 1);
  // Created together, as Prisma's client creates a product with a new tag: each lists the other.
  const seller = products[0] as Document;
  const newTag: Document = { _id: new ObjectId(), name: 'sync-new-tag', productIDs: [] as ObjectId[], postIDs: [] as ObjectId[] };
  const newProduct: Document = { ...seller, _id: new ObjectId(), sku: 'SYNC-NEW-1', slug: 'sync-new-1', tagIDs: [newTag['_id']] };
  (newTag['productIDs'] as ObjectId[]).push(newProduct['_id'] as ObjectId);
  tags.push(newTag);
  products.push(newProduct);
  const changedDump = writeMarketplaceDump(docs);

  const after = configFor('after', changedDump, synced.url);
  const result = await runCli('sync', ['-c', after, '--json']);
  const report = JSON.parse(result.stdout) as SyncReport;
  expect({ code: result.code, balanced: report.balanced, exceeded: report.rejectedLimit.exceeded }).toEqual({ code: 3, balanced: true, exceeded: true });
  expect(report.models.find((m) => m.model === 'Tag')).toMatchObject({ deleted: 1, inserted: 1 });
  expect(report.models.find((m) => m.model === 'Product')?.inserted).toBe(1);

  const fresh = await database('sypm_fresh');
  const freshRun = await runCli('migrate', ['-c', configFor('fresh', changedDump, fresh.url)]);
  // The deleted tag rejects what lists it, and their orders in turn: more than --max-rejected allows, so both exit 3.
  expect({ code: freshRun.code, limit: /rejected \d+ of \d+ .* > --max-rejected 1%/.test(freshRun.stdout) }).toEqual({ code: 3, limit: true });
  const [a, b] = [await fingerprint(synced.pool), await fingerprint(fresh.pool)];
  expect(a.tables).toEqual(b.tables);
  expect(a.idMap).toEqual(b.idMap);
  const repairs = async (pool: typeof synced.pool) =>
    (await pool.query<{ r: string }>(`SELECT concat_ws('|', model, source_id, field, target_model, missing_id, action) AS r FROM _migration.repairs ORDER BY 1`)).rows.map((x) => x.r);
  expect(await repairs(synced.pool)).toEqual(await repairs(fresh.pool));
  const validated = await runCli('validate', ['-c', after]);
  expect({ code: validated.code, out: validated.code === 0 ? '' : validated.stdout }).toEqual({ code: 0, out: '' });
}, 300_000);
