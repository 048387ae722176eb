import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Document, ObjectId } from 'bson';
import { parse, stringify } from 'yaml';
import { uuidV7FromObjectId } from '../../src/ids/uuid.ts';
import { readMongoDatamodel } from '../../src/init/mongo-dmmf.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { buildModelGraph, type ModelGraph } from '../../src/schema/model-graph.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { marketplaceDocuments, writeMarketplaceDump } from '../support/marketplace-data.ts';
import { REPO_ROOT, runCli, runCommand, runMigrateCli } from '../support/run-cli.ts';
import { tempFile } from '../support/write-dump.ts';

// migration:init --prisma-mongo: a Prisma MongoDB schema in the style of a real app (17 models, 7
// composite types, self and two-way relations, arrays of ids on both sides and on one) converted
// to PostgreSQL, then the generated data migrated with the generated config and validated, for
// both ways of converting composite types.

const FIXTURE = 'test/fixtures/prisma-mongo/marketplace.prisma';
const documents = marketplaceDocuments();
let work: string;
let dump: string;

function runInit(args: readonly string[]) {
  return runCommand(process.execPath, ['--enable-source-maps', 'dist/src/cli/init-cli.js', ...args]);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'init-prisma-mongo-'));
  dump = writeMarketplaceDump(documents);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const uuid = (v: unknown) => uuidV7FromObjectId(v as ObjectId);

describe.each(['json', 'models'] as const)('--composite-types %s', (mode) => {
  let out: string;
  let schema: string;
  let graph: ModelGraph;
  let config: Record<string, unknown>;
  let db: TestDatabase;

  beforeAll(async () => {
    out = join(work, mode);
    const result = await runInit(['--prisma-mongo', FIXTURE, '--out', out, '--composite-types', mode]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`read ${FIXTURE}: 17 model(s), 7 composite type(s), 5 enum(s) (MongoDB)`);
    schema = readFileSync(join(out, 'schema.prisma'), 'utf8');
    // Prisma's own parser and the run's model graph: what migrate will read.
    graph = buildModelGraph(readDmmf(schema));
    config = parse(readFileSync(join(out, 'migration.yaml'), 'utf8')) as Record<string, unknown>;
    db = await freshDatabase(`pm_${mode}`);
  });
  afterAll(async () => {
    await db.drop();
  });

  test('every id is a UUID, every reference a UUID foreign key, names and @map kept', () => {
    for (const model of graph.models.values()) expect([model.name, model.id.type, model.id.native?.name]).toEqual([model.name, 'String', 'Uuid']);
    const user = graph.models.get('User');
    expect(user?.table).toBe('users');
    expect(user?.columns.find((c) => c.field === 'firstName')?.column).toBe('first_name');
    expect(user?.columns.find((c) => c.field === 'role')?.enumValues).toEqual(['buyer', 'seller', 'admin']);
    expect(user?.columns.find((c) => c.field === 'countryCode')).toMatchObject({ column: 'country_code', native: { name: 'Uuid' }, references: { model: 'Country' } });
    expect(user?.columns.find((c) => c.field === 'createdAt')?.native).toEqual({ name: 'Timestamptz', args: ['3'] });
    expect(graph.models.get('Country')?.id.field).toBe('code');
    const product = graph.models.get('Product');
    expect(product?.columns.find((c) => c.field === 'sellerId')).toMatchObject({ column: 'seller_id', native: { name: 'Uuid' }, references: { model: 'User' } });
    expect(product?.columns.find((c) => c.field === 'createdById')).toMatchObject({ native: { name: 'Uuid' }, required: false });
    expect(product?.columns.some((c) => c.field === 'tagIDs')).toBe(false);
    // One-to-many, self-relations, two relations between Order and User, one-to-one.
    const relations = (m: string) => graph.models.get(m)?.relations.map((r) => `${r.field}→${r.target} ${r.name}${r.required ? '' : '?'}`);
    expect(relations('Order')).toEqual(expect.arrayContaining(['buyer→User OrderBuyer', 'seller→User OrderSeller']));
    expect(relations('User')).toEqual(expect.arrayContaining(['manager→User UserManager?', 'country→Country CountryToUser?']));
    expect(relations('Comment')).toEqual(expect.arrayContaining(['parent→Comment CommentReplies?']));
    expect(graph.models.get('Payment')?.uniques).toContainEqual(['orderId']);
    // The NoAction Prisma demands of MongoDB self-relations is gone; other actions stay.
    expect(schema).not.toMatch(/NoAction/);
    expect(schema).toMatch(/store\s+Store\s+@relation\(fields: \[storeId\], references: \[id\], onDelete: Cascade\)/);
  });

  test('arrays of ids are implicit many-to-many tables: both sides, one side, self', () => {
    expect(graph.junctions.map((j) => `${j.table}: ${j.a.model}.${j.a.field} / ${j.b.model}.${j.b.field}`).sort()).toEqual([
      '_PostToTag: Post.tags / Tag.posts',
      '_ProductToTag: Product.tags / Tag.products',
      '_ProductToWishlist: Product.wishlists / Wishlist.products',
      '_UserFollows: User.followers / User.following',
    ]);
    expect(config['junctions']).toEqual({
      UserFollows: { from: ['User.followingIDs', 'User.followerIDs'] },
      ProductToTag: { from: ['Tag.productIDs', 'Product.tagIDs'] },
      PostToTag: { from: ['Tag.postIDs', 'Post.tagIDs'] },
      ProductToWishlist: { from: ['Wishlist.productIds'] },
    });
  });

  test('composite types are what the mode says', () => {
    const column = (m: string, f: string) => graph.models.get(m)?.columns.find((c) => c.field === f);
    const indexes = readMongoDatamodel([['schema.prisma', schema]], 'schema.prisma').indexes.filter((i) => i.type === 'normal');
    if (mode === 'json') {
      expect(column('User', 'addresses')).toMatchObject({ type: 'Json', isList: false, required: true, literalDefault: [] });
      expect(column('User', 'profile')).toMatchObject({ type: 'Json', required: false });
      expect(column('Order', 'lines')).toMatchObject({ type: 'Json', required: true });
      expect(column('Order', 'shippingAddress')).toMatchObject({ type: 'Json', required: true });
      expect(graph.models.size).toBe(17);
      expect(indexes.some((i) => i.fields.some((f) => f.name.includes('city')))).toBe(false);
      expect(readFileSync(join(out, 'conversion.md'), 'utf8')).toContain('- `@@index([addresses.city])` → dropped: addresses is a Json column now');
      expect(config['models']).toBeUndefined();
    } else {
      expect(graph.models.size).toBe(25);
      const address = graph.models.get('UserAddress');
      expect(address?.relations).toEqual([expect.objectContaining({ field: 'user', target: 'User', fromFields: ['userId'], required: true })]);
      expect(address?.columns.map((c) => c.column)).toEqual(['id', 'userId', 'position', 'label', 'street', 'city', 'postal_code', 'country', 'geo']);
      expect(column('UserAddress', 'geo')?.type).toBe('Json');
      expect(column('OrderLine', 'productId')?.native?.name).toBe('Uuid');
      expect(graph.models.get('OrderShippingAddress')?.uniques).toContainEqual(['orderId']);
      expect(indexes).toContainEqual(expect.objectContaining({ model: 'UserAddress', fields: [{ name: 'city' }] }));
      expect(schema).toMatch(/user\s+User\s+@relation\(fields: \[userId\], references: \[id\], onDelete: Cascade\)/);
      expect((config['models'] as Record<string, unknown>)['UserAddress']).toEqual({ embeddedIn: 'User.addresses' });
      expect((config['references'] as Record<string, unknown>)['OrderLine.productId']).toEqual({ model: 'Product' });
    }
  });

  test('the config and the report: a source to set, whose ids each id column holds, no password anywhere', () => {
    expect(config['source']).toEqual({ kind: 'mongodb', url: 'mongodb://localhost:27017', database: 'marketplace' });
    expect(config['ids']).toEqual({ strategy: 'v7-objectid' });
    expect(config['unmappedFields']).toBe('warn');
    expect(config['references']).toMatchObject({ 'Product.createdById': { model: 'User' }, 'Coupon.createdById': { model: 'User' }, 'AuditLog.actorId': { model: 'User' }, 'AuditLog.entityId': {} });
    const yaml = readFileSync(join(out, 'migration.yaml'), 'utf8');
    expect(yaml).toMatch(/# TODO: whose ids\? .*\n {2}AuditLog\.entityId: \{\}/);
    const conversion = readFileSync(join(out, 'conversion.md'), 'utf8');
    expect(conversion).toContain('- `User.id` → `String @id @db.Uuid`: the source `_id` (ObjectId) becomes its UUIDv7');
    expect(conversion).toContain('- `Country.code` → `String @id @db.Uuid`: the source `_id` is a String, not an ObjectId');
    expect(conversion).toContain('- `User.lastLoginAt @db.Date` → `DateTime? @db.Timestamptz(3)`');
    expect(conversion).toContain('- `@@fulltext([title, description])` → dropped');
    expect(conversion).toContain('- `User.manager onDelete/onUpdate: NoAction` → dropped');
    expect(conversion).toMatch(/## To decide before the real run\n\n- \*\*TODO\*\* `source`/);
    for (const file of ['schema.prisma', 'migration.yaml', 'conversion.md']) expect(readFileSync(join(out, file), 'utf8')).not.toContain('s3cr3t');
  });

  test('the generated data migrates with the generated config, and validate:migration exits 0', async () => {
    const run = { ...config, source: { kind: 'mongodump', path: dump }, target: { url: db.url }, checkpointDir: join(out, 'checkpoints'), logDir: join(out, 'logs') };
    const file = join(out, 'run.yaml');
    writeFileSync(file, stringify(run));
    const migrated = await runMigrateCli(['-c', file]);
    // The log is on stderr: shown only when the run failed.
    expect({ code: migrated.code, ...(migrated.code === 0 ? {} : { log: migrated.stderr }) }).toEqual({ code: 0 });
    expect(migrated.stdout).toMatch(/TOTAL\s+278\s+278\s+0\s+0/);
    expect(migrated.stdout).toContain('fields: every source field is mapped or ignored on purpose');
    const validated = await runCli('validate', ['-c', file]);
    expect({ code: validated.code, ...(validated.code === 0 ? {} : { log: validated.stderr, out: validated.stdout }) }).toEqual({ code: 0 });
    expect(validated.stdout).toContain('VALID: the target equals the source');

    // Read as Prisma reads `_UserFollows` (a row A, B: B follows A): each user follows whom the source says.
    const users = documents['users'] ?? [];
    const { rows } = await db.pool.query<{ b: string; a: string[] }>('SELECT "B"::text AS b, array_agg("A"::text ORDER BY "A") AS a FROM "_UserFollows" GROUP BY "B"');
    const following = new Map(rows.map((r) => [r.b, r.a]));
    for (const u of users) expect(following.get(uuid(u['_id'])) ?? []).toEqual(((u['followingIDs'] as ObjectId[]) ?? []).map(uuid).sort());
    // A document without the array of composites: an empty array (Json) or no rows (models).
    const bare = users.find((u) => u['addresses'] === undefined) as Document;
    if (mode === 'json') {
      const { rows: a } = await db.pool.query<{ addresses: unknown }>('SELECT addresses FROM users WHERE id = $1', [uuid(bare['_id'])]);
      expect(a[0]?.addresses).toEqual([]);
    } else {
      const { rows: lines } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM "OrderLine"');
      expect(Number(lines[0]?.n)).toBe((documents['orders'] ?? []).reduce((n, o) => n + (o['lines'] as unknown[]).length, 0));
      const { rows: a } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM "UserAddress" WHERE "userId" = $1', [uuid(bare['_id'])]);
      expect(Number(a[0]?.n)).toBe(0);
    }
  });
});

describe('bad input exits 2 with a clear message and writes nothing', () => {
  test.each([
    ['a PostgreSQL schema', () => join(REPO_ROOT, 'prisma/schema.prisma'), /not a MongoDB schema \(datasource provider "postgresql"\)/],
    ['a file that does not parse', () => tempFile('broken.prisma', 'datasource db {\n  provider = "mongodb"\n}\nmodel User {\n  id String @id @map("_id"\n'), /the schema does not parse: .*broken\.prisma/s],
    ['a file that is not there', () => join(work, 'missing.prisma'), /missing\.prisma: no such file or folder/],
  ])('%s', async (_, file, message) => {
    const out = join(work, `bad-${Math.random().toString(36).slice(2)}`);
    const result = await runInit(['--prisma-mongo', file(), '--out', out]);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  test('files already in --out are kept without --force, replaced with it', async () => {
    const out = join(work, 'again');
    expect((await runInit(['--prisma-mongo', FIXTURE, '--out', out])).code).toBe(0);
    writeFileSync(join(out, 'schema.prisma'), '// edited by hand\n');
    const before = statSync(join(out, 'conversion.md')).mtimeMs;
    const refused = await runInit(['--prisma-mongo', FIXTURE, '--out', out, '--composite-types', 'models']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already exist: init does not overwrite a schema or config (yours may hold edits); choose another --out or add --force');
    expect(readFileSync(join(out, 'schema.prisma'), 'utf8')).toBe('// edited by hand\n');
    expect(statSync(join(out, 'conversion.md')).mtimeMs).toBe(before);
    expect((await runInit(['--prisma-mongo', FIXTURE, '--out', out, '--force'])).code).toBe(0);
    expect(readFileSync(join(out, 'schema.prisma'), 'utf8')).toContain('model User {');
  });
});
