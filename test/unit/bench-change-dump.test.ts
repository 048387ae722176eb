import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from 'bson';
import { allocate, changeDump, type DumpChanges } from '../../scripts/bench/change-dump.ts';
import { SILENT_EVERY, STAMP_FIELD, UNMAPPED_FIELD } from '../../scripts/bench/change-recipe.ts';
import { appendDate, decodeFaithfully, encode, rawDocuments } from '../../scripts/bench/dump-documents.ts';
import { baselineProblems, differenceProblems, missedBySince } from '../../scripts/bench/sync-checks.ts';
import { COLLECTIONS } from '../../scripts/sample/collection-names.ts';
import { generateSample, writeDump } from '../../scripts/sample/index.ts';

let dir: string;
let changes: DumpChanges;
const docs = (root: string, c: string): Document[] => rawDocuments(join(root, 'shop', `${c}.bson`)).map((b) => decodeFaithfully(b));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'change-dump-'));
  await writeDump(join(dir, 'before'), generateSample({ scale: 2 }));
  changes = changeDump(join(dir, 'before'), join(dir, 'after'), { seed: 7 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('allocate splits a total in proportion to the sizes, adding up exactly', () => {
  const out = allocate(10, new Map([['users', 1], ['orders', 2], ['reviews', 3]] as const));
  expect([...out.values()].reduce((a, b) => a + b, 0)).toBe(10);
  expect(out.get('reviews')).toBe(5);
  expect(out.get('users')).toBe(2);
});

test('1% of the documents change: the shares of each kind, over the collections', () => {
  const n = changes.documents;
  expect(changes.totals).toEqual({ mapped: Math.round(n * 0.004), unmapped: Math.round(n * 0.001), inserted: Math.round(n * 0.003), deleted: Math.round(n * 0.002) });
  expect(changes.changedDocuments).toBe(n + changes.totals.inserted - changes.totals.deleted);
  const after = COLLECTIONS.reduce((a, c) => a + docs(join(dir, 'after'), c).length, 0);
  expect(after).toBe(changes.changedDocuments);
  for (const c of changes.collections.filter((c) => c.deleted > 0)) expect(['profiles', 'orders', 'reviews', 'comments', 'audit_logs']).toContain(c.collection);
});

test('the same seed gives the same bytes', () => {
  changeDump(join(dir, 'before'), join(dir, 'again'), { seed: 7 });
  for (const c of COLLECTIONS) expect(readFileSync(join(dir, 'again', 'shop', `${c}.bson`)).equals(readFileSync(join(dir, 'after', 'shop', `${c}.bson`)))).toBe(true);
});

test('dirt is left alone, unique keys stay unique, and nothing left references a deleted document', () => {
  const dirt = (JSON.parse(readFileSync(join(dir, 'before', 'dirt.json'), 'utf8')) as { id: string }[]).map((d) => d.id);
  const before = new Map(COLLECTIONS.flatMap((c) => docs(join(dir, 'before'), c).map((d) => [String(d['_id']), JSON.stringify(d)] as const)));
  const after = new Map(COLLECTIONS.flatMap((c) => docs(join(dir, 'after'), c).map((d) => [String(d['_id']), d] as const)));
  for (const id of dirt) expect(JSON.stringify(after.get(id))).toBe(before.get(id));
  // The planted duplicate e-mail aside: it is dirt, rejected by the migration.
  const unique = (c: string, key: (d: Document) => string) => {
    const keys = docs(join(dir, 'after'), c).filter((d) => !dirt.includes(String(d['_id']))).map(key);
    expect(new Set(keys).size).toBe(keys.length);
  };
  unique('users', (d) => String(d['email']));
  unique('profiles', (d) => String(d['userId']));
  unique('categories', (d) => String(d['slug']));
  unique('tags', (d) => String(d['name']));
  unique('products', (d) => String(d['sku']));
  unique('orders', (d) => String(d['number']));
  unique('reviews', (d) => `${String(d['productId'])}/${String(d['userId'])}`);
  unique('posts', (d) => String(d['slug']));
  unique('audit_logs', (d) => String(d['sequence']));
  const gone = [...before.keys()].filter((id) => !after.has(id));
  expect(gone).toHaveLength(changes.totals.deleted);
  const text = [...after.values()].map((d) => JSON.stringify(d)).join('\n');
  for (const id of gone) expect(text).not.toContain(id);
  expect([...after.values()].filter((d) => UNMAPPED_FIELD in d)).toHaveLength(changes.totals.unmapped);
});

test('a baseline is right only with exactly the changes made, per model', () => {
  const models = changes.collections.map((c) => ({ model: c.model, source: 0, new: c.inserted, changed: c.mapped, deleted: c.deleted, unchanged: 0, wasRejected: 0, nowRejects: 0, stillRejected: 0 }));
  const totals = { source: 0, target: 0, new: changes.totals.inserted, changed: changes.totals.mapped, deleted: changes.totals.deleted, unchanged: 0, wasRejected: 0, nowRejects: 0 };
  expect(baselineProblems({ same: false, seconds: 1, models, totals }, changes)).toEqual([]);
  const off = models.map((m) => (m.model === 'Review' ? { ...m, changed: m.changed + 1 } : m));
  const made = changes.collections.find((c) => c.model === 'Review')?.mapped ?? 0;
  expect(baselineProblems({ same: false, seconds: 1, models: off, totals: { ...totals, changed: totals.changed + 1 } }, changes)).toEqual([
    `Review changed ${made + 1}, made ${made}`,
    `total changed ${totals.changed + 1}, made ${totals.changed}`,
  ]);
});

test('appendDate gives the bytes the BSON encoder gives the document with the date added last', () => {
  const doc = { _id: 'x', n: 1, nested: { a: [1, 2] } };
  const at = new Date('2025-03-04T05:06:07.089Z');
  expect(appendDate(encode(doc), 'updatedAt', at).equals(encode({ ...doc, updatedAt: at }))).toBe(true);
});

test('stamped: untouched clean documents a day old, edits and copies new, every silent update old, audit logs and dirt unstamped', () => {
  const before = new Date('2025-01-01T00:00:00Z');
  const after = new Date('2025-01-02T00:00:00Z');
  // More mapped updates than 1%, so that each stamped collection has a silent one at scale 2.
  const shares = { mapped: 0.05, unmapped: 0.001, inserted: 0.003, deleted: 0.002 };
  const stamped = changeDump(join(dir, 'before'), join(dir, 'stamped'), { seed: 7, shares, stamp: { before, after } });
  const dirt = new Set((JSON.parse(readFileSync(join(dir, 'before', 'dirt.json'), 'utf8')) as { id: string }[]).map((d) => d.id));
  const original = new Map(COLLECTIONS.flatMap((c) => docs(join(dir, 'before'), c).map((d) => [String(d['_id']), JSON.stringify(d)] as const)));
  const silent = new Set(stamped.collections.flatMap((c) => c.silentIds));
  expect(stamped.stamp).toEqual({ field: STAMP_FIELD, before: before.toISOString(), after: after.toISOString(), silent: silent.size });
  for (const c of stamped.collections) {
    expect({ c: c.collection, stamped: c.stamped }).toEqual({ c: c.collection, stamped: c.collection !== 'audit_logs' });
    expect({ c: c.collection, silent: c.silent }).toEqual({ c: c.collection, silent: c.stamped ? Math.floor(c.mapped / SILENT_EVERY) : 0 });
    for (const d of docs(join(dir, 'stamped'), c.collection)) {
      const id = String(d['_id']);
      const { [STAMP_FIELD]: stamp, ...rest } = d;
      if (!c.stamped || dirt.has(id)) {
        expect({ id, stamp }).toEqual({ id, stamp: undefined });
        continue;
      }
      const untouched = original.get(id) === JSON.stringify(rest);
      expect({ id, stamp }).toEqual({ id, stamp: untouched || silent.has(id) ? before : after });
    }
  }
  // What a full baseline after a --since sync may find: the silent updates, no more.
  const models = stamped.collections.map((c) => ({ model: c.model, source: 0, new: 0, changed: c.silent, deleted: 0, unchanged: 0, wasRejected: 0, nowRejects: 0, stillRejected: 0 }));
  const totals = { source: 0, target: 0, new: 0, changed: silent.size, deleted: 0, unchanged: 0, wasRejected: 0, nowRejects: 0 };
  expect(differenceProblems({ same: false, seconds: 1, models, totals }, missedBySince(stamped))).toEqual([]);
  expect(baselineProblems({ same: false, seconds: 1, models, totals }, stamped)).not.toEqual([]);
});
