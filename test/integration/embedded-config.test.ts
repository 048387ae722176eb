import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Decimal128, ObjectId, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import { createIdMapper } from '../../src/ids/id-mapper.ts';
import { uuidV7FromObjectId } from '../../src/ids/uuid.ts';
import { freshDatabase, mongoUrl, type TestDatabase } from '../support/databases.ts';
import { fingerprint } from '../support/interrupt-helpers.ts';
import { runCli, runMigrateCli, type CliResult } from '../support/run-cli.ts';
import { workConfigFile } from '../support/work-config.ts';
import { tempFile, writeDumpFolder } from '../support/write-dump.ts';

// Embedded documents become child rows by one line of config, no transformer: users.addresses →
// Address rows, users.profile → a Profile row, users.profile.links → Link rows (a path inside a
// sub-document), orders.lines → OrderLine rows (a composite key, references, a Decimal, a rename).

const SCHEMA = `
datasource db {
  provider = "postgresql"
}
model User {
  id        String    @id @db.Uuid
  email     String    @unique
  name      String
  addresses Address[]
  profile   Profile?
  links     Link[]
  orders    Order[]
  @@map("users")
}
model Address {
  id       String  @id @db.Uuid
  userId   String  @db.Uuid
  user     User    @relation(fields: [userId], references: [id], onDelete: Cascade)
  position Int
  label    String?
  street   String
  city     String
  geoLat   Float?
  country  String  @default("DE") @db.Char(2)
  @@unique([userId, position])
  @@map("addresses")
}
model Profile {
  id      String  @id @db.Uuid
  userId  String  @unique @db.Uuid
  user    User    @relation(fields: [userId], references: [id], onDelete: Cascade)
  bio     String?
  website String? @map("web_site")
  @@map("profiles")
}
model Link {
  id     String @id @db.Uuid
  userId String @db.Uuid
  user   User   @relation(fields: [userId], references: [id], onDelete: Cascade)
  index  Int
  url    String
  @@map("links")
}
model Product {
  id    String      @id @db.Uuid
  sku   String      @unique
  price Decimal     @db.Decimal(12, 2)
  lines OrderLine[]
  @@map("products")
}
model Order {
  id       String      @id @db.Uuid
  number   Int         @unique
  userId   String      @db.Uuid
  user     User        @relation(fields: [userId], references: [id])
  placedAt DateTime    @db.Timestamptz(3)
  lines    OrderLine[]
  @@map("orders")
}
model OrderLine {
  orderId   String  @db.Uuid
  order     Order   @relation(fields: [orderId], references: [id], onDelete: Cascade)
  position  Int
  productId String  @db.Uuid
  product   Product @relation(fields: [productId], references: [id])
  quantity  Int
  unitPrice Decimal @db.Decimal(12, 2)
  note      String?
  createdBy String? @db.Uuid
  @@id([orderId, position])
  @@map("order_lines")
}
`;

const MODELS = {
  Address: { embeddedIn: 'User.addresses' },
  Profile: { embeddedIn: 'User.profile' },
  Link: { embeddedIn: 'User.profile.links' },
  // A rename relative to the element: the lines hold `qty`.
  OrderLine: { embeddedIn: 'Order.lines', fields: { quantity: 'qty' } },
  User: { ignore: ['addresses.internal'] },
};

const oid = (prefix: string, n: number) => new ObjectId(`${prefix}${n.toString(16).padStart(16, '0')}`);
const userId = (n: number) => oid('65c0a0a0', n);
const productId = (n: number) => oid('65c0b0b0', n);
const orderId = (n: number) => oid('65c0c0c0', n);
const USERS = 40;
const PRODUCTS = 5;
const ORDERS = 30;
/** Holds a string among its addresses: rejected, alone. */
const BAD_USER = 7;
/** A line without its required unit price. */
const NO_PRICE_ORDER = 5;
/** A line whose quantity is text. */
const TEXT_QTY_ORDER = 11;

/** Addresses with a missing optional label, a city in another case, a flattened `geo`, an unread `note`, an ignored `internal`. */
function address(u: number, k: number): Document {
  return {
    ...(k % 2 === 0 ? { label: k === 0 ? 'home' : 'work' } : {}),
    street: `${u} Main St ${k}`,
    ...(u % 5 === 0 ? { City: `City ${u}` } : { city: `City ${u}` }),
    ...(u % 3 === 0 ? { geo: { lat: u + 0.5, lng: -u } } : {}),
    ...(u % 4 === 1 ? { country: 'FR' } : {}),
    ...(u % 6 === 2 ? { internal: 'x' } : {}),
    ...(u % 8 === 3 ? { note: 'ring twice' } : {}),
  };
}

/** Every 8th user has no addresses field, every 4th an empty array; a third a full profile with links, a third an empty one. */
function user(u: number): Document {
  return {
    _id: userId(u),
    email: `u${u}@example.com`,
    name: `User ${u}`,
    ...(u % 8 === 0 ? {} : { addresses: u === BAD_USER ? [address(u, 0), 'not an address'] : Array.from({ length: u % 4 }, (_, k) => address(u, k)) }),
    ...(u % 3 === 1 ? { profile: { bio: `bio ${u}`, web_site: `https://u${u}.example`, links: [{ url: `https://a${u}` }, { url: `https://b${u}` }] } } : {}),
    ...(u % 3 === 2 ? { profile: { bio: null } } : {}),
  };
}

/** Lines naming products by ObjectId, prices as Decimal128 and as doubles, `createdBy` on some. None belongs to BAD_USER. */
function order(o: number): Document {
  return {
    _id: orderId(o),
    number: 1000 + o,
    userId: userId(o === BAD_USER ? BAD_USER + 1 : o),
    placedAt: new Date(Date.UTC(2024, 0, 1) + o * 3_600_000),
    lines: Array.from({ length: (o % 3) + 1 }, (_, k) => ({
      productId: productId((o + k) % PRODUCTS),
      qty: o === TEXT_QTY_ORDER && k === 2 ? 'three' : k + 1,
      ...(o === NO_PRICE_ORDER && k === 1 ? {} : { unitPrice: k % 2 === 0 ? Decimal128.fromString(`${o}.50`) : 12.25 }),
      ...(k === 0 ? { note: 'gift' } : {}),
      ...(o % 5 === 0 ? { createdBy: userId(1) } : {}),
    })),
  };
}

const users = Array.from({ length: USERS }, (_, i) => user(i));
const collections = {
  users,
  products: Array.from({ length: PRODUCTS }, (_, p) => ({ _id: productId(p), sku: `SKU-${p}`, price: Decimal128.fromString(`${p}.99`) })),
  orders: Array.from({ length: ORDERS }, (_, o) => order(o)),
};
const dump = writeDumpFolder(collections);
const schema = tempFile('schema.prisma', SCHEMA);
const work = mkdtempSync(join(tmpdir(), 'embedded-'));
const config = (name: string, settings: Record<string, unknown> = {}) => workConfigFile(work, name, { schema, models: MODELS, maxRejected: 5, ...settings });
const args = (db: TestDatabase, name = 'run') => ['--config', config(name), '--dump', dump, '--target-url', db.url];
const derived = createIdMapper().derived;
const docsWhere = (test: (u: number) => boolean) => users.filter((_, u) => u !== BAD_USER && test(u));

let dbs: TestDatabase[] = [];
async function database(prefix: string): Promise<TestDatabase> {
  const db = await freshDatabase(prefix);
  dbs.push(db);
  return db;
}
afterAll(async () => {
  for (const db of dbs) await db.drop();
  dbs = [];
});

describe('a dump migrated by config only', () => {
  let db: TestDatabase;
  let migrated: CliResult;
  beforeAll(async () => {
    db = await database('embedded');
    migrated = await runMigrateCli(args(db));
  });

  test('exits 0; the summary names each embedded table with its path', () => {
    expect({ code: migrated.code, stderr: migrated.code === 0 ? '' : migrated.stderr }).toEqual({ code: 0, stderr: '' });
    expect(migrated.stdout).toMatch(/^User +40 +39 +1 +0 .* ok$/m);
    expect(migrated.stdout).toMatch(/^Order +30 +28 +2 +0 .* ok$/m);
    expect(migrated.stdout).toMatch(/^addresses +User\.addresses \(embedded\) +\d+$/m);
    expect(migrated.stdout).toMatch(/^links +User\.profile\.links \(embedded\) +\d+$/m);
    expect(migrated.stdout).toMatch(/^order_lines +Order\.lines \(embedded\) +\d+$/m);
  });

  test('one row per element, in order; an element field read by its name, its case variant, a flattened path; a literal default where one is missing', async () => {
    const { rows } = await db.pool.query<Record<string, unknown>>(`SELECT * FROM addresses ORDER BY "userId", position`);
    const expected = docsWhere(() => true).reduce((n, d) => n + ((d['addresses'] as unknown[] | undefined)?.length ?? 0), 0);
    expect(rows).toHaveLength(expected);
    const of = (u: number) => rows.filter((r) => r['userId'] === uuidV7FromObjectId(userId(u)));
    // User 15: three addresses, `City` in another case, a geo document, no country.
    expect(of(15)).toEqual([0, 1, 2].map((k) => ({
      id: derived('User', userId(15), `addresses/${k}`), userId: uuidV7FromObjectId(userId(15)), position: k,
      label: k === 1 ? null : k === 0 ? 'home' : 'work', street: `15 Main St ${k}`, city: 'City 15', geoLat: 15.5, country: 'DE',
    })));
    expect(of(13).map((r) => r['country'])).toEqual(['FR']);
    // No array, an empty one: no rows.
    expect(of(8)).toEqual([]);
    expect(of(12)).toEqual([]);
  });

  test('a single sub-document is one row; one inside it (profile.links) rows of their own; an @map name read from the element', async () => {
    const { rows: profiles } = await db.pool.query<Record<string, unknown>>(`SELECT * FROM profiles WHERE "userId" = $1`, [uuidV7FromObjectId(userId(4))]);
    expect(profiles).toEqual([{ id: derived('User', userId(4), 'profile'), userId: uuidV7FromObjectId(userId(4)), bio: 'bio 4', web_site: 'https://u4.example' }]);
    const { rows: counts } = await db.pool.query<{ profiles: number; links: number }>(`SELECT (SELECT count(*)::int FROM profiles) AS profiles, (SELECT count(*)::int FROM links) AS links`);
    expect(counts[0]).toEqual({ profiles: docsWhere((u) => u % 3 !== 0).length, links: 2 * docsWhere((u) => u % 3 === 1).length });
    const { rows: links } = await db.pool.query<Record<string, unknown>>(`SELECT * FROM links WHERE "userId" = $1 ORDER BY index`, [uuidV7FromObjectId(userId(4))]);
    expect(links).toEqual([0, 1].map((k) => ({ id: derived('User', userId(4), `profile.links/${k}`), userId: uuidV7FromObjectId(userId(4)), index: k, url: `https://${k === 0 ? 'a' : 'b'}4` })));
  });

  test('order lines: a composite key of owner and position, references and id columns as UUIDs, Decimals exact, a renamed field', async () => {
    const { rows } = await db.pool.query<Record<string, unknown>>(`SELECT * FROM order_lines WHERE "orderId" = $1 ORDER BY position`, [uuidV7FromObjectId(orderId(20))]);
    expect(rows).toEqual([0, 1, 2].map((k) => ({
      orderId: uuidV7FromObjectId(orderId(20)), position: k, productId: uuidV7FromObjectId(productId((20 + k) % PRODUCTS)),
      quantity: k + 1, unitPrice: k % 2 === 0 ? '20.50' : '12.25', note: k === 0 ? 'gift' : null, createdBy: uuidV7FromObjectId(userId(1)),
    })));
  });

  test('a non-document element rejects only its parent document, naming path and index; so do a missing required field and a value that does not fit', async () => {
    const { rows } = await db.pool.query<{ model: string; source_id: string; stage: string; reason: string }>(`SELECT model, source_id, stage, reason FROM _migration.rejected ORDER BY model, source_id`);
    expect(rows).toEqual([
      { model: 'Order', source_id: orderId(NO_PRICE_ORDER).toHexString(), stage: 'check', reason: 'OrderLine[1]: unitPrice: required field is missing' },
      { model: 'Order', source_id: orderId(TEXT_QTY_ORDER).toHexString(), stage: 'transform', reason: expect.stringMatching(/^lines\[2\]\.quantity: .*"three"/) },
      { model: 'User', source_id: userId(BAD_USER).toHexString(), stage: 'transform', reason: 'addresses[1]: expected an embedded document, got string' },
    ]);
    const { rows: left } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM addresses WHERE "userId" = $1`, [uuidV7FromObjectId(userId(BAD_USER))]);
    expect(left[0]?.n).toBe(0);
  });

  test('element fields no column reads are reported as left behind, per document; ignored ones as ignored; the path itself is read', () => {
    const notes = docsWhere((u) => u % 8 === 3 && u % 4 > 0);
    const lng = docsWhere((u) => u % 3 === 0 && u % 8 !== 0 && u % 4 > 0);
    expect(migrated.stdout).toContain(`User: users.addresses.note in ${notes.length} document(s), e.g. ${(notes[0]?._id as ObjectId).toHexString()}`);
    expect(migrated.stdout).toContain(`User: users.addresses.geo.lng in ${lng.length} document(s), e.g. ${(lng[0]?._id as ObjectId).toHexString()}`);
    expect(migrated.stdout).toMatch(/^ {2}User: users\.addresses\.internal in \d+ document\(s\) \(ignored \(config\)\)$/m);
    // The rest of the shop is read: these two are the only paths left behind.
    expect(migrated.stdout.match(/^ {2}\w+: \S+ in .* e\.g\./gm)).toHaveLength(2);
    expect(migrated.stdout).not.toMatch(/users\.addresses in|users\.profile in|orders\.lines/);
  });

  test('validate:migration re-derives every row and finds the target equal to the source', async () => {
    const result = await runCli('validate', [...args(db), '--report', join(work, 'report.json')]);
    expect({ code: result.code, out: result.code === 0 ? '' : result.stdout + result.stderr }).toEqual({ code: 0, out: '' });
    expect(result.stdout).toContain('VALID: the target equals the source');
  });

  test('a second run into another target derives the same ids: identical tables', async () => {
    const again = await database('embedded2');
    const second = await runMigrateCli(args(again));
    expect(second.code).toBe(0);
    const [a, b] = [await fingerprint(db.pool), await fingerprint(again.pool)];
    expect(b.tables).toEqual(a.tables);
    expect(b.rejected).toEqual(a.rejected);
    expect(a.tables['addresses']?.rows).toBeGreaterThan(0);
  });

  test('from a live server (the driver decodes the sub-documents) the same rows', async () => {
    const dbName = `embedded_${Date.now().toString(36)}`;
    const client = new MongoClient(mongoUrl());
    const live = await database('embeddedlive');
    try {
      await client.connect();
      // FerretDB has no Decimal128: the same amounts as doubles, which the 2-digit columns store alike.
      for (const [name, docs] of Object.entries(collections)) await client.db(dbName).collection(name).insertMany(docs.map(withDoubles));
      const result = await runMigrateCli(['--config', config('live'), '--mongo-url', mongoUrl(), '--mongo-db', dbName, '--target-url', live.url]);
      expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
      expect((await fingerprint(live.pool)).tables).toEqual((await fingerprint(db.pool)).tables);
    } finally {
      await client.db(dbName).dropDatabase().catch(() => {});
      await client.close();
    }
  });
});

/** A document with every Decimal128 in it as a double. */
function withDoubles(value: Document): Document {
  const convert = (v: unknown): unknown =>
    v instanceof Decimal128 ? Number(v.toString()) : Array.isArray(v) ? v.map(convert) : v !== null && typeof v === 'object' && !(v instanceof ObjectId) && !(v instanceof Date) ? withDoubles(v as Document) : v;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
}

test('--dry-run names each embedded child, where its rows come from and where the position goes', async () => {
  const db = await database('embeddeddry');
  const result = await runMigrateCli([...args(db, 'dry'), '--dry-run']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('Address ← User.addresses (embedded, 1 row per element, position in Address.position)');
  expect(result.stdout).toContain('Profile ← User.profile (embedded, 1 row per sub-document)');
  expect(result.stdout).toContain('Link ← User.profile.links (embedded, 1 row per element, position in Link.index)');
  expect(result.stdout).toContain('OrderLine ← Order.lines (embedded, 1 row per element, position in OrderLine.position)');
  expect(result.stdout).toMatch(/OrderLine\.createdBy +→ User/);
});

describe('config errors exit 2 naming the key, before anything is touched', () => {
  const refused = async (name: string, settings: Record<string, unknown>): Promise<CliResult> => {
    const db = await database('embeddedbad');
    const result = await runMigrateCli(['--config', config(name, settings), '--dump', dump, '--target-url', db.url]);
    const { rows } = await db.pool.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = '_migration'`);
    expect({ code: result.code, touched: rows.length > 0 }).toEqual({ code: 2, touched: false });
    return result;
  };

  test('not Parent.path', async () => {
    const result = await refused('format', { models: { Address: { embeddedIn: 'addresses' } } });
    expect(result.stderr).toContain('models.Address.embeddedIn: expected Parent.path');
  });

  test('a child without a required relation to its parent', async () => {
    const result = await refused('relation', { models: { ...MODELS, Product: { embeddedIn: 'Order.products' } } });
    expect(result.stderr).toContain('models.Product.embeddedIn (Order.products): Product has no relation to Order');
  });

  test('a parent with a hand-written transformer', async () => {
    const transformers = tempFile('transformers.mjs', `export default [{ model: 'User', transform: (doc, ctx) => ({ rows: { User: [ctx.defaultRow(doc)] } }) }];\n`);
    const result = await refused('custom', { transformers });
    expect(result.stderr).toContain('models.Address.embeddedIn (User.addresses): User has a hand-written transformer');
  });
});
