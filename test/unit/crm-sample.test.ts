import { beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from 'bson';
import { ObjectId } from 'bson';
import { generateCrm, writeCrmDump, type CrmDirtRecord, type CrmSample } from '../../scripts/crm/index.ts';
import { renderDdl } from '../../src/schema/ddl.ts';
import { readDmmf, type Dmmf } from '../../src/schema/dmmf.ts';

const schemaText = readFileSync(new URL('../../prisma/crm.prisma', import.meta.url), 'utf8');
const bundled = new URL('../../sample/crm/', import.meta.url).pathname;

/** Every file under `dir`, relative path → bytes. */
function filesOf(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, entry.name);
    if (entry.isDirectory()) for (const [k, v] of filesOf(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}

async function dumpOf(sample: CrmSample): Promise<Map<string, Buffer>> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-sample-'));
  try {
    await writeCrmDump(dir, sample);
    return filesOf(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Byte comparison that names the first differing file instead of printing two buffers. */
function expectSameFiles(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  const differing = [...actual].filter(([name, bytes]) => !bytes.equals(expected.get(name) ?? Buffer.alloc(0))).map(([name]) => name);
  expect(differing).toEqual([]);
}

const isOid = (v: unknown): v is ObjectId => v instanceof ObjectId;
/** Letters and digits only, lower case: "closed_won", "Closed Won" and "CLOSEDWON" compare equal. */
const squash = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');

describe('the CRM sample (prisma/crm.prisma, scripts/crm/)', () => {
  let sample: CrmSample;
  let docs: Map<string, Document[]>;
  let byId: Map<string, Document>;

  beforeAll(() => {
    sample = generateCrm({ scale: 1 });
    docs = new Map(sample.collections.map((c) => [c, [...sample.documents(c)]]));
    byId = new Map([...docs.values()].flat().map((d) => [(d._id as ObjectId).toHexString(), d]));
  });

  test('the schema renders PostgreSQL DDL and reads as DMMF, offline', async () => {
    const ddl = await renderDdl(schemaText);
    const created = ddl.tables.map((sql) => /^CREATE TABLE "([^"]+)"/.exec(sql)?.[1]).filter((t) => t !== undefined);
    expect(created).toEqual(expect.arrayContaining(['companies', 'deal_stages', 'company_contacts', 'payment_invoices', '_DealToTag', '_ContactToTag']));
    expect(ddl.foreignKeys.length).toBeGreaterThan(0);
    const dmmf: Dmmf = readDmmf(schemaText);
    const dealStatus = dmmf.datamodel.enums.find((e) => e.name === 'DealStatus');
    expect(dealStatus?.values.map((v) => v.dbName ?? v.name)).toEqual(['OPEN', 'closed_won', 'closed_lost']);
  });

  test('scale 1 written twice gives the same bytes', async () => {
    expectSameFiles(await dumpOf(generateCrm({ scale: 1 })), await dumpOf(generateCrm({ scale: 1 })));
  });

  test('the bundled sample/crm is a fresh generation at scale 1, seed 42', async () => {
    expectSameFiles(filesOf(bundled), await dumpOf(sample));
  });

  test('the counts are those the manifest states, a few thousand documents in all', () => {
    const manifest = JSON.parse(readFileSync(join(bundled, 'manifest.json'), 'utf8')) as { counts: Record<string, number> };
    for (const [c, list] of docs) expect([c, list.length]).toEqual([c, manifest.counts[c]]);
    const total = [...docs.values()].reduce((n, list) => n + list.length, 0);
    expect(total).toBeGreaterThan(3000);
    expect(total).toBeLessThan(10000);
  });

  describe('every dirt.json entry is in the data as described', () => {
    const enums = (): Dmmf['datamodel']['enums'] => readDmmf(schemaText).datamodel.enums;
    const referencedIds = (record: CrmDirtRecord): string[] => {
      const value: unknown = byId.get(record._id)?.[record.field];
      return (Array.isArray(value) ? value : [value]).filter(isOid).map((v) => v.toHexString());
    };

    test.each(JSON.parse(readFileSync(join(bundled, 'dirt.json'), 'utf8')) as CrmDirtRecord[])('$collection $_id $field: $kind', (record) => {
      const doc = byId.get(record._id);
      expect(doc).toBeDefined();
      expect(docs.get(record.collection)).toContain(doc);
      const value: unknown = doc?.[record.field];
      switch (record.kind) {
        case 'missing-required':
          expect(doc).not.toHaveProperty(record.field);
          break;
        case 'duplicate-unique': {
          const same = docs.get(record.collection)?.filter((d) => d[record.field] === value) ?? [];
          expect(typeof value).toBe('string');
          expect(same.length).toBe(2);
          expect(same[1]).toBe(doc);
          break;
        }
        case 'malformed-date':
          expect(typeof value).toBe('string');
          expect(Number.isNaN(Date.parse(String(value)))).toBe(true);
          break;
        case 'wrong-type':
          expect(typeof value).toBe('string');
          break;
        case 'unknown-enum': {
          const known = enums().flatMap((e) => e.values.flatMap((v) => [squash(v.name), squash(v.dbName ?? v.name)]));
          expect(typeof value).toBe('string');
          expect(known).not.toContain(squash(String(value)));
          break;
        }
        case 'dangling-required-ref':
        case 'dangling-optional-ref':
        case 'dangling-link': {
          const dangling = referencedIds(record).filter((id) => !byId.has(id));
          expect(dangling).toHaveLength(1);
          expect(record.what).toContain(dangling[0]);
          break;
        }
      }
    });
  });

  test('every quirk of the manifest is at its document, and no clean document refers to one to be rejected', () => {
    for (const quirk of sample.quirks) expect(byId.get(quirk._id)).toHaveProperty(quirk.field);
    const rejected = new Set(sample.dirt.filter((d) => d.expected === 'reject-document').map((d) => d._id));
    const referrers: string[] = [];
    for (const doc of byId.values()) {
      for (const [field, value] of Object.entries(doc)) {
        if (field === '_id') continue;
        for (const v of Array.isArray(value) ? value : [value]) if (isOid(v) && rejected.has(v.toHexString())) referrers.push(`${String(doc._id)}.${field}`);
      }
    }
    expect(referrers).toEqual([]);
  });

  test('every clean free-string enum value matches its enum, squashed, by Prisma name or @map label (the README rule)', () => {
    const enums = new Map(readDmmf(schemaText).datamodel.enums.map((e) => [e.name, e.values.flatMap((v) => [squash(v.name), squash(v.dbName ?? v.name)])]));
    const fields: [string, string, string][] = [
      ['users', 'role', 'UserRole'], ['contacts', 'lifecycleStage', 'ContactLifecycle'], ['deals', 'status', 'DealStatus'],
      ['invoices', 'status', 'InvoiceStatus'], ['payments', 'method', 'PaymentMethod'], ['tasks', 'priority', 'TaskPriority'],
    ];
    const dirty = new Set(sample.dirt.map((d) => `${d._id}.${d.field}`));
    for (const [collection, field, enumName] of fields) {
      const spellings = new Set((docs.get(collection) ?? []).filter((d) => !dirty.has(`${String(d._id)}.${field}`)).map((d) => String(d[field])));
      // Several spellings per enum: that is the convention under test.
      expect(spellings.size).toBeGreaterThan(3);
      const unmatched = [...spellings].filter((s) => !(enums.get(enumName) ?? []).includes(squash(s)));
      expect([collection, field, unmatched]).toEqual([collection, field, []]);
    }
  });

  test('the conventions are there: both-sided memberships differ, late linkedinUrl, __v and timestamps everywhere', () => {
    const pairs = (collection: string, field: string, flip: boolean): Set<string> =>
      new Set((docs.get(collection) ?? []).flatMap((d) => (d[field] as ObjectId[]).map((o) => (flip ? `${o.toHexString()}/${String(d._id)}` : `${String(d._id)}/${o.toHexString()}`))));
    const fromCompanies = pairs('companies', 'contactIDs', false);
    const fromContacts = pairs('contacts', 'companyIDs', true);
    const shared = [...fromCompanies].filter((p) => fromContacts.has(p));
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.length).toBeLessThan(Math.min(fromCompanies.size, fromContacts.size));
    const contacts = docs.get('contacts') ?? [];
    const firstLinkedin = contacts.findIndex((c) => 'linkedinUrl' in c);
    expect(firstLinkedin).toBeGreaterThanOrEqual(Math.floor((contacts.length * 2) / 3) - 30);
    for (const doc of byId.values()) {
      expect(doc).toHaveProperty('__v');
      expect(doc).toHaveProperty('createdAt');
    }
    expect(contacts.some((c) => typeof c.lastContactedAt === 'string') && contacts.some((c) => c.lastContactedAt instanceof Date)).toBe(true);
  });
});
