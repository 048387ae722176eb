import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ObjectId, type Document } from 'bson';
import type pg from 'pg';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { validate } from '../../src/validate/validate.ts';
import { MongoClient } from 'mongodb';
import { freshDatabase, mongoUrl, tableChecksum, type TestDatabase } from '../support/databases.ts';
import { fingerprint, sleep, spawnMigrate } from '../support/interrupt-helpers.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { runMigrateCli } from '../support/run-cli.ts';
import { tempFile, writeDumpFolder } from '../support/write-dump.ts';

// Issue 9, item 3: explicit junction models (`@@id([companyId, contactId])`, extra columns) and
// implicit m:n tables filled from arrays of ids on either side or both, the way Mongoose apps
// store them: `contactIDs`, `contact_ids`, `invoiceIDs` for the relation field `Invoices`,
// `connected_documents` (a name that tells nothing: decided by the ids), `tagIDs` on the side
// Prisma does not put first.

const SCHEMA = `
datasource db {
  provider = "postgresql"
}
model Company {
  id       String           @id @default(uuid()) @db.Uuid
  name     String
  contacts CompanyContact[]
  @@map("companies")
}
model Contact {
  id        String           @id @default(uuid()) @db.Uuid
  name      String
  companies CompanyContact[]
  deals     DealContact[]
  @@map("contacts")
}
model CompanyContact {
  companyId String   @map("company_id") @db.Uuid
  company   Company  @relation(fields: [companyId], references: [id])
  contactId String   @map("contact_id") @db.Uuid
  contact   Contact  @relation(fields: [contactId], references: [id])
  role      String?
  createdAt DateTime @default(now()) @map("created_at")
  updatedAt DateTime @updatedAt @map("updated_at")
  @@id([companyId, contactId])
  @@map("company_contacts")
}
model Deal {
  id        String         @id @default(uuid()) @db.Uuid
  title     String
  contacts  DealContact[]
  documents DealDocument[]
  @@map("deals")
}
model DealContact {
  dealId    String  @map("deal_id") @db.Uuid
  deal      Deal    @relation(fields: [dealId], references: [id])
  contactId String  @map("contact_id") @db.Uuid
  contact   Contact @relation(fields: [contactId], references: [id])
  role      String?
  updatedAt DateTime @updatedAt
  @@id([dealId, contactId])
  @@map("deal_contacts")
}
model Document {
  id       String         @id @default(uuid()) @db.Uuid
  fileName String         @map("file_name")
  deals    DealDocument[]
  @@map("documents")
}
model DealDocument {
  dealId     String   @map("deal_id") @db.Uuid
  deal       Deal     @relation(fields: [dealId], references: [id])
  documentId String   @map("document_id") @db.Uuid
  document   Document @relation(fields: [documentId], references: [id])
  @@id([dealId, documentId])
  @@map("deal_documents")
}
model Payment {
  id       String           @id @default(uuid()) @db.Uuid
  amount   Float
  Invoices PaymentInvoice[]
  @@map("payments")
}
model Invoice {
  id       String           @id @default(uuid()) @db.Uuid
  number   String
  payments PaymentInvoice[]
  @@map("invoices")
}
model PaymentInvoice {
  paymentId String  @map("payment_id") @db.Uuid
  payment   Payment @relation(fields: [paymentId], references: [id])
  invoiceId String  @map("invoice_id") @db.Uuid
  invoice   Invoice @relation(fields: [invoiceId], references: [id])
  @@id([paymentId, invoiceId])
  @@map("payment_invoices")
}
model Tag {
  id     String  @id @default(uuid()) @db.Uuid
  name   String
  videos Video[]
  @@map("tags")
}
model Video {
  id    String @id @default(uuid()) @db.Uuid
  title String
  tags  Tag[]
  @@map("videos")
}
`;

/** Deterministic ObjectIds per collection (a 6-hex prefix each), in insertion order like Mongo's. */
const oid = (prefix: string, i: number) => new ObjectId(`65${prefix}${i.toString(16).padStart(16, '0')}`);
const COMPANIES = 30;
const CONTACTS = 120;
const DEALS = 60;
const DOCUMENTS = 30;
/** Contact 119 lists a company that was deleted; deal 59 a document that never existed. */
const DANGLING_CONTACT = 119;
const DANGLING_DEAL = 59;
const missingCompany = oid('ffff01', 1);
const missingDocument = oid('ffff02', 2);

/** Company c ↔ contact k; listed on both sides, only on the company, or only on the contact. */
function memberships(): { c: number; k: number; on: 'both' | 'company' | 'contact' }[] {
  const out: { c: number; k: number; on: 'both' | 'company' | 'contact' }[] = [];
  for (let k = 0; k < CONTACTS; k++) {
    for (const c of new Set([k % COMPANIES, (k * 7 + 3) % COMPANIES])) out.push({ c, k, on: (['both', 'company', 'contact'] as const)[(c + k) % 3] ?? 'both' });
  }
  return out;
}

function fixture(): Record<string, Document[]> {
  const m = memberships();
  const companies = Array.from({ length: COMPANIES }, (_, c) => ({
    _id: oid('c0c0c0', c),
    name: `Company ${c}`,
    contactIDs: m.filter((x) => x.c === c && x.on !== 'contact').map((x) => oid('c0a7c7', x.k)),
    __v: 0,
  }));
  const contacts = Array.from({ length: CONTACTS }, (_, k) => ({
    _id: oid('c0a7c7', k),
    name: `Contact ${k}`,
    companyIDs: [...m.filter((x) => x.k === k && x.on !== 'company').map((x) => oid('c0c0c0', x.c)), ...(k === DANGLING_CONTACT ? [missingCompany] : [])],
  }));
  const deals = Array.from({ length: DEALS }, (_, d) => ({
    _id: oid('dea100', d),
    title: `Deal ${d}`,
    contact_ids: [...new Set([d % 100, (d + 5) % 100])].map((k) => oid('c0a7c7', k)),
    // The oldest deals were written before documents existed: their arrays are empty, and the sampled ids come from later ones.
    connected_documents: d < 25 ? [] : [...[...new Set([d % DOCUMENTS, (d * 3) % DOCUMENTS])].map((x) => oid('d0c000', x)), ...(d === DANGLING_DEAL ? [missingDocument] : [])],
  }));
  const documents = Array.from({ length: DOCUMENTS }, (_, x) => ({ _id: oid('d0c000', x), fileName: `file-${x}.pdf` }));
  const payments = Array.from({ length: 20 }, (_, p) => ({ _id: oid('9a9a9a', p), amount: 10 + p, invoiceIDs: [oid('1a1a1a', 2 * p), oid('1a1a1a', 2 * p + 1)] }));
  const invoices = Array.from({ length: 40 }, (_, i) => ({ _id: oid('1a1a1a', i), number: `INV-${i}` }));
  const tags = Array.from({ length: 10 }, (_, t) => ({ _id: oid('7a7a7a', t), name: `tag ${t}` }));
  const videos = Array.from({ length: 20 }, (_, v) => ({ _id: oid('71de00', v), title: `Video ${v}`, tagIDs: [oid('7a7a7a', v % 10), oid('7a7a7a', (v + 3) % 10)] }));
  return { companies, contacts, deals, documents, payments, invoices, tags, videos };
}

const hex = (id: ObjectId) => id.toHexString();

/** The pairs a junction must hold, in source ids: the union of both sides, each pair once, without the rejected documents. */
function expectedPairs(): Record<string, string[]> {
  const f = fixture();
  const union = new Set<string>();
  for (const c of f['companies'] ?? []) for (const k of c['contactIDs'] as ObjectId[]) union.add(`${hex(c['_id'] as ObjectId)}/${hex(k)}`);
  for (const k of f['contacts'] ?? []) for (const c of k['companyIDs'] as ObjectId[]) union.add(`${hex(c)}/${hex(k['_id'] as ObjectId)}`);
  const rejectedContact = hex(oid('c0a7c7', DANGLING_CONTACT));
  const rejectedDeal = hex(oid('dea100', DANGLING_DEAL));
  const pairs = (docs: Document[], field: string, reverse = false) =>
    docs.filter((d) => hex(d['_id'] as ObjectId) !== rejectedDeal).flatMap((d) => (d[field] as ObjectId[]).map((x) => (reverse ? `${hex(x)}/${hex(d['_id'] as ObjectId)}` : `${hex(d['_id'] as ObjectId)}/${hex(x)}`)));
  return {
    company_contacts: [...union].filter((p) => !p.endsWith(rejectedContact) && !p.startsWith(hex(missingCompany))).sort(),
    deal_contacts: pairs(f['deals'] ?? [], 'contact_ids').sort(),
    deal_documents: pairs(f['deals'] ?? [], 'connected_documents').sort(),
    payment_invoices: pairs(f['payments'] ?? [], 'invoiceIDs').sort(),
    _TagToVideo: pairs(f['videos'] ?? [], 'tagIDs', true).sort(),
  };
}

/** A junction's rows as source-id pairs, read back through the id map. */
async function pairsIn(pool: pg.Pool, table: string, a: { column: string; model: string }, b: { column: string; model: string }): Promise<string[]> {
  const { rows } = await pool.query<{ pair: string }>(
    `SELECT ma.source_id || '/' || mb.source_id AS pair FROM "${table}" j
       JOIN _migration.id_map ma ON ma.model = $1 AND ma.uuid = j."${a.column}"
       JOIN _migration.id_map mb ON mb.model = $2 AND mb.uuid = j."${b.column}" ORDER BY 1`,
    [a.model, b.model],
  );
  return rows.map((r) => r.pair);
}

async function allPairs(pool: pg.Pool): Promise<Record<string, string[]>> {
  return {
    company_contacts: await pairsIn(pool, 'company_contacts', { column: 'company_id', model: 'Company' }, { column: 'contact_id', model: 'Contact' }),
    deal_contacts: await pairsIn(pool, 'deal_contacts', { column: 'deal_id', model: 'Deal' }, { column: 'contact_id', model: 'Contact' }),
    deal_documents: await pairsIn(pool, 'deal_documents', { column: 'deal_id', model: 'Deal' }, { column: 'document_id', model: 'Document' }),
    payment_invoices: await pairsIn(pool, 'payment_invoices', { column: 'payment_id', model: 'Payment' }, { column: 'invoice_id', model: 'Invoice' }),
    _TagToVideo: await pairsIn(pool, '_TagToVideo', { column: 'A', model: 'Tag' }, { column: 'B', model: 'Video' }),
  };
}

/** Every table as the fingerprint has it, the load-time stamps (`createdAt` now(), `@updatedAt`) of the junctions left out. */
async function tables(pool: pg.Pool): Promise<Record<string, unknown>> {
  const { tables: all } = await fingerprint(pool);
  const { rows: cc } = await pool.query<{ n: string; md5: string }>(
    `SELECT count(*) AS n, md5(string_agg(company_id || '/' || contact_id || '/' || coalesce(role, '-'), ',' ORDER BY company_id, contact_id)) AS md5 FROM company_contacts`,
  );
  const { rows: dc } = await pool.query<{ n: string; md5: string }>(
    `SELECT count(*) AS n, md5(string_agg(deal_id || '/' || contact_id || '/' || coalesce(role, '-'), ',' ORDER BY deal_id, contact_id)) AS md5 FROM deal_contacts`,
  );
  return { ...all, company_contacts: cc[0], deal_contacts: dc[0] };
}

describe('junction tables filled from arrays of ids', () => {
  let dump: string;
  let schema: string;
  let reference: TestDatabase;
  const work = tempFile('.keep', '');
  const configFile = (extra = '') => tempFile('migration.yaml', `schema: ${schema}\ncheckpointDir: ${join(work, '..', 'checkpoints')}\nlogDir: ${join(work, '..', 'logs')}\n${extra}`);

  beforeAll(async () => {
    dump = writeDumpFolder(fixture());
    schema = tempFile('schema.prisma', SCHEMA);
    reference = await freshDatabase('junctions');
    const run = await migrateForTest({ source: { kind: 'mongodump', path: dump }, targetUrl: reference.url, overrides: { schema } });
    expect(run.status).toBe('completed');
  });
  afterAll(async () => {
    await reference?.drop();
  });

  test('the plan says which array fills which junction and how that was decided', async () => {
    const db = await freshDatabase('junctions_plan');
    try {
      const run = await migrateForTest({ source: { kind: 'mongodump', path: dump }, targetUrl: db.url, overrides: { schema }, dryRun: true });
      expect(run.status).toBe('planned');
      const lines = run.printed.split('\n').filter((l) => /^ {2}(junction|many-to-many) /.test(l));
      expect(lines).toEqual([
        '  many-to-many _TagToVideo ← Video.tagIDs (by name)',
        '  junction CompanyContact (company_contacts) ← Company.contactIDs (by name) ∪ Contact.companyIDs (by name), union of both sides, each pair once',
        '  junction DealContact (deal_contacts) ← Deal.contact_ids (by name)',
        expect.stringMatching(/^ {2}junction DealDocument \(deal_documents\) ← Deal\.connected_documents \(by ids sampled: \d+ of \d+ sampled ids found in documents\)$/),
        '  junction PaymentInvoice (payment_invoices) ← Payment.invoiceIDs (by name)',
      ]);
      // Dry run: nothing in the target.
      const { rows } = await db.pool.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(rows).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  test('one side, both sides (union), a name that tells nothing, Invoices ↔ invoiceIDs, tagIDs on the second side', async () => {
    expect(await allPairs(reference.pool)).toEqual(expectedPairs());
    // Extra columns of an explicit junction: NULL, their default, or (`@updatedAt`, which Prisma sets) the load's time.
    const { rows } = await reference.pool.query<{ roles: number; stamped: number; n: number }>(
      `SELECT count(role)::int AS roles, count(*) FILTER (WHERE created_at IS NOT NULL AND updated_at IS NOT NULL)::int AS stamped, count(*)::int AS n FROM company_contacts`,
    );
    expect(rows[0]).toEqual({ roles: 0, stamped: expectedPairs()['company_contacts']?.length, n: expectedPairs()['company_contacts']?.length });
    const { rows: deals } = await reference.pool.query<{ roles: number; stamped: number; n: number }>(
      `SELECT count(role)::int AS roles, count("updatedAt")::int AS stamped, count(*)::int AS n FROM deal_contacts`,
    );
    expect(deals[0]).toEqual({ roles: 0, stamped: expectedPairs()['deal_contacts']?.length, n: expectedPairs()['deal_contacts']?.length });
  });

  test('a dangling id in an array rejects the document that holds it, with a reason naming the array', async () => {
    const { rows } = await reference.pool.query<{ model: string; source_id: string; reason: string }>(`SELECT model, source_id, reason FROM _migration.rejected ORDER BY model`);
    expect(rows).toEqual([
      { model: 'Contact', source_id: hex(oid('c0a7c7', DANGLING_CONTACT)), reason: `dangling reference: Contact.companyIDs → Company ${hex(missingCompany)}: no such document in the source` },
      { model: 'Deal', source_id: hex(oid('dea100', DANGLING_DEAL)), reason: `dangling reference: Deal.connected_documents → Document ${hex(missingDocument)}: no such document in the source` },
    ]);
  });

  test('validate finds an exact migration VALID, then a deleted and an added junction row', async () => {
    const config = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: dump }, target: { url: reference.url } }, { schema }] });
    const logger = createLogger({ quiet: true });
    const report = await validate({ config, logger, samplePercent: 100 });
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);

    const copy = await freshDatabase('junctions_broken');
    try {
      // Break a copy, not the reference: the union junction loses a pair listed on one side only,
      // and a one-sided junction gains a pair no document lists.
      const run = await migrateForTest({ source: { kind: 'mongodump', path: dump }, targetUrl: copy.url, overrides: { schema } });
      expect(run.status).toBe('completed');
      const onlyOnContact = memberships().find((x) => x.on === 'contact' && x.k !== DANGLING_CONTACT);
      if (!onlyOnContact) throw new Error('fixture has no contact-only membership');
      const deleted = await copy.pool.query(
        `DELETE FROM company_contacts WHERE company_id = (SELECT uuid FROM _migration.id_map WHERE model = 'Company' AND source_id = $1)
           AND contact_id = (SELECT uuid FROM _migration.id_map WHERE model = 'Contact' AND source_id = $2)`,
        [hex(oid('c0c0c0', onlyOnContact.c)), hex(oid('c0a7c7', onlyOnContact.k))],
      );
      expect(deleted.rowCount).toBe(1);
      await copy.pool.query(
        `INSERT INTO deal_documents (deal_id, document_id) SELECT d.id, x.id FROM deals d, documents x
          WHERE NOT EXISTS (SELECT 1 FROM deal_documents j WHERE j.deal_id = d.id AND j.document_id = x.id) ORDER BY d.id, x.id LIMIT 1`,
      );
      const brokenConfig = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: dump }, target: { url: copy.url } }, { schema }] });
      const broken = await validate({ config: brokenConfig, logger, samplePercent: 100 });
      expect(broken.ok).toBe(false);
      expect(broken.findings.map((f) => `${f.model}:${f.kind}:${f.count}`).sort()).toEqual(['company_contacts:missing-link:1', 'deal_documents:extra-link:1']);
    } finally {
      await copy.drop();
    }
  });

  test('from a live server the same arrays fill the same pairs (ids sampled through the driver)', async () => {
    const database = `junctions_${Date.now().toString(36)}`;
    const client = new MongoClient(mongoUrl());
    const db = await freshDatabase('junctions_live');
    try {
      await client.connect();
      for (const [name, docs] of Object.entries(fixture())) await client.db(database).collection(name).insertMany(docs);
      const run = await migrateForTest({ source: { kind: 'mongodb', url: mongoUrl(), database }, targetUrl: db.url, overrides: { schema } });
      expect(run.status).toBe('completed');
      expect(await allPairs(db.pool)).toEqual(expectedPairs());
    } finally {
      await client.db(database).dropDatabase().catch(() => {});
      await client.close();
      await db.drop();
    }
  });

  test('with whole-table transactions the union is the same, and --restart empties and refills it', async () => {
    const db = await freshDatabase('junctions_table');
    try {
      const args = ['--config', configFile('transactions: table\n'), '--dump', dump, '--target-url', db.url];
      const first = await runMigrateCli(args);
      expect({ code: first.code, stderr: first.code === 0 ? '' : first.stderr }).toEqual({ code: 0, stderr: '' });
      expect(await allPairs(db.pool)).toEqual(expectedPairs());
      // A pair no source lists: a restart must not keep it.
      await db.pool.query(`INSERT INTO company_contacts (company_id, contact_id, updated_at) SELECT c.id, k.id, now() FROM companies c, contacts k ON CONFLICT DO NOTHING`);
      const again = await runMigrateCli([...args, '--restart', '--yes']);
      expect({ code: again.code, stderr: again.code === 0 ? '' : again.stderr }).toEqual({ code: 0, stderr: '' });
      expect(await allPairs(db.pool)).toEqual(expectedPairs());
    } finally {
      await db.drop();
    }
  });

  test('a run killed with SIGKILL while the second side loads resumes to identical tables', async () => {
    const expected = await tables(reference.pool);
    const db = await freshDatabase('junctions_kill');
    try {
      const args = ['--config', configFile(), '--dump', dump, '--target-url', db.url, '--batch-size', '5'];
      const run = spawnMigrate(args);
      expect(await run.waitFor(/STEP 3/)).toBe(true);
      // Kill once Contact (the second side of the union) has committed a few batches.
      const contactBatches = async () => {
        try {
          const { rows } = await db.pool.query<{ batches: number }>(`SELECT batches FROM _migration.progress WHERE model = 'Contact'`);
          return rows[0]?.batches ?? 0;
        } catch {
          return 0;
        }
      };
      while (run.running() && (await contactBatches()) < 3) await sleep(5);
      run.child.kill('SIGKILL');
      const killed = await run.done;
      expect(killed.signal).toBe('SIGKILL');
      const { rows: partial } = await db.pool.query<{ status: string; batches: number }>(`SELECT status, batches FROM _migration.progress WHERE model = 'Contact'`);
      expect(partial[0]?.status).toBe('loading');
      const resumed = await runMigrateCli(args);
      expect({ code: resumed.code, stderr: resumed.code === 0 ? '' : resumed.stderr }).toEqual({ code: 0, stderr: '' });
      expect(resumed.stderr).toMatch(/resuming run/);
      expect(await tables(db.pool)).toEqual(expected);
      expect(await allPairs(db.pool)).toEqual(expectedPairs());
    } finally {
      await db.drop();
    }
  });
});

describe('an array that could fill a junction two ways', () => {
  const SMALL = `
datasource db {
  provider = "postgresql"
}
model Company {
  id       String           @id @db.Uuid
  name     String
  contacts CompanyContact[]
  @@map("companies")
}
model Contact {
  id        String           @id @db.Uuid
  name      String
  companies CompanyContact[]
  @@map("contacts")
}
model CompanyContact {
  companyId String  @db.Uuid
  company   Company @relation(fields: [companyId], references: [id])
  contactId String  @db.Uuid
  contact   Contact @relation(fields: [contactId], references: [id])
  role      String?
  @@id([companyId, contactId])
  @@map("company_contacts")
}
`;
  const contacts = Array.from({ length: 6 }, (_, k) => ({ _id: oid('c0a7c7', k), name: `Contact ${k}` }));
  // Two arrays whose names both say "contacts": the current one and one left from an old import.
  const companies = Array.from({ length: 3 }, (_, c) => ({
    _id: oid('c0c0c0', c),
    name: `Company ${c}`,
    contactIds: [oid('c0a7c7', c), oid('c0a7c7', c + 3)],
    contacts: [oid('c0a7c7', (c + 1) % 6)],
  }));
  let dump: string;
  let schema: string;
  const work = tempFile('.keep', '');
  const configFile = (extra = '') => tempFile('migration.yaml', `schema: ${schema}\ncheckpointDir: ${join(work, '..', 'checkpoints')}\nlogDir: ${join(work, '..', 'logs')}\n${extra}`);
  beforeAll(() => {
    dump = writeDumpFolder({ companies, contacts });
    schema = tempFile('schema.prisma', SMALL);
  });

  test('is refused with exit 2, naming the junction, the candidates and the config key, before the target is touched', async () => {
    const db = await freshDatabase('junctions_ambiguous');
    try {
      const result = await runMigrateCli(['--config', configFile(), '--dump', dump, '--target-url', db.url]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('junction CompanyContact (company_contacts): cannot tell which array of Company fills it: Company.contactIds (by name), Company.contacts (by name)');
      expect(result.stderr).toContain("junctions: { CompanyContact: { from: ['Company.contactIds'] } }");
      const { rows } = await db.pool.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = '_migration' UNION ALL SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(rows).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  test('a config naming no junction, or a field of neither side, is refused with exit 2', async () => {
    const unknown = await runMigrateCli(['--config', configFile(`junctions:\n  Membership:\n    from: []\n`), '--dump', dump, '--dry-run']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('config junctions.Membership: no many-to-many of the schema is named so (CompanyContact)');
    const wrongSide = await runMigrateCli(['--config', configFile(`junctions:\n  CompanyContact:\n    from: ['Deal.contactIds']\n`), '--dump', dump, '--dry-run']);
    expect(wrongSide.code).toBe(2);
    expect(wrongSide.stderr).toContain("config junctions.CompanyContact.from: 'Deal.contactIds' must be Model.field with Model one of its sides (Company, Contact)");
  });

  test('config junctions.<J>.from settles it; from: [] leaves it empty on purpose, and says so', async () => {
    const db = await freshDatabase('junctions_config');
    try {
      const settled = await runMigrateCli(['--config', configFile(`junctions:\n  CompanyContact:\n    from: ['Company.contactIds']\n`), '--dump', dump, '--target-url', db.url]);
      expect({ code: settled.code, stderr: settled.code === 0 ? '' : settled.stderr }).toEqual({ code: 0, stderr: '' });
      expect(settled.stderr).toContain('junction CompanyContact (company_contacts) ← Company.contactIds (by config)');
      const expected = companies.flatMap((c) => c.contactIds.map((k) => `${hex(c._id)}/${hex(k)}`)).sort();
      const { rows } = await db.pool.query<{ pair: string }>(
        `SELECT ma.source_id || '/' || mb.source_id AS pair FROM company_contacts j JOIN _migration.id_map ma ON ma.uuid = j."companyId" JOIN _migration.id_map mb ON mb.uuid = j."contactId" ORDER BY 1`,
      );
      expect(rows.map((r) => r.pair)).toEqual(expected);

      const empty = await runMigrateCli(['--config', configFile(`junctions:\n  CompanyContact:\n    from: []\n`), '--dump', dump, '--target-url', db.url, '--restart', '--yes']);
      expect({ code: empty.code, stderr: empty.code === 0 ? '' : empty.stderr }).toEqual({ code: 0, stderr: '' });
      expect(empty.stderr).toContain('junction CompanyContact (company_contacts): stays empty on purpose (config junctions.CompanyContact.from: [])');
      expect((await tableChecksum(db.pool, 'company_contacts')).rows).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
