import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Decimal128, Document, ObjectId } from 'bson';
import type { Sample } from '../../scripts/sample/index.ts';
import { uuidV7FromObjectId } from '../../src/ids/uuid.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { sampleDump } from '../support/sample-source.ts';

let db: TestDatabase;
let prisma: InstanceType<typeof PrismaClient>;
let sample: Sample;

beforeAll(async () => {
  const dump = await sampleDump(0.3, 11);
  sample = dump.sample;
  db = await freshDatabase('client');
  const run = await migrateForTest({ source: { kind: 'mongodump', path: dump.dir }, targetUrl: db.url });
  expect(run.status).toBe('completed');
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) });
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

const dirtyIds = () => new Set(sample.dirt.map((d) => d.id));
const money = (v: unknown) => (v as Decimal128).toString();
const oid = (v: unknown) => uuidV7FromObjectId(v as ObjectId);

test('orders read back with their user, lines, products and payment, as the source holds them', async () => {
  const orders = [...sample.documents('orders')] as Document[];
  expect(orders.length).toBeGreaterThan(10);
  for (const source of orders.slice(0, 40)) {
    const order = await prisma.order.findUniqueOrThrow({
      where: { id: oid(source['_id']) },
      include: { user: true, lines: { include: { product: { include: { tags: true, category: true } } }, orderBy: { position: 'asc' } }, payment: true },
    });
    expect(order.number).toBe(source['number']);
    expect(order.total.toFixed(2)).toBe(money(source['total']));
    expect(order.placedAt.toISOString()).toBe((source['placedAt'] as Date).toISOString());
    expect(order.shippingAddress).toEqual(source['shippingAddress']);
    expect(order.user.id).toBe(oid(source['userId']));
    const lines = source['lines'] as Document[];
    expect(order.lines.map((l) => [l.product.id, l.quantity, l.unitPrice.toFixed(2)])).toEqual(lines.map((l) => [oid(l['productId']), l['quantity'], money(l['unitPrice'])]));
    const payment = source['payment'] as Document | undefined;
    expect(order.payment?.amount.toFixed(2)).toBe(payment ? money(payment['amount']) : undefined);
    expect(order.payment?.method).toBe(payment?.['method']);
  }
});

test('many-to-many and self-relations come back through nested includes', async () => {
  const products = ([...sample.documents('products')] as Document[]).filter((p) => !dirtyIds().has((p['_id'] as ObjectId).toHexString()));
  for (const source of products.slice(0, 40)) {
    const product = await prisma.product.findUniqueOrThrow({ where: { id: oid(source['_id']) }, include: { tags: { include: { products: true } }, category: { include: { parent: true } } } });
    expect(product.tags.map((t) => t.id).sort()).toEqual(((source['tagIds'] as ObjectId[] | undefined) ?? []).map(oid).sort());
    for (const tag of product.tags) expect(tag.products.map((p) => p.id)).toContain(product.id);
    expect(product.price.toFixed(2)).toBe(money(source['price']));
    expect(product.attributes ?? null).toEqual(source['attributes'] ?? null);
  }
  const comments = ([...sample.documents('comments')] as Document[]).filter((c) => c['parentId'] && !dirtyIds().has((c['_id'] as ObjectId).toHexString()));
  expect(comments.length).toBeGreaterThan(0);
  for (const source of comments.slice(0, 20)) {
    const reply = await prisma.comment.findUniqueOrThrow({ where: { id: oid(source['_id']) }, include: { parent: { include: { replies: true } }, post: { include: { author: true, tags: true } } } });
    expect(reply.parent?.id).toBe(oid(source['parentId']));
    expect(reply.parent?.replies.map((r) => r.id)).toContain(reply.id);
    expect(reply.body).toBe(source['body']);
  }
});

test('users come back with profile, addresses and exact scalar values', async () => {
  const users = ([...sample.documents('users')] as Document[]).filter((u) => !dirtyIds().has((u['_id'] as ObjectId).toHexString()));
  const profiles = new Map(([...sample.documents('profiles')] as Document[]).map((p) => [(p['userId'] as ObjectId).toHexString(), p]));
  for (const source of users) {
    const user = await prisma.user.findUniqueOrThrow({ where: { id: oid(source['_id']) }, include: { profile: true, addresses: { orderBy: { position: 'asc' } }, referredBy: true } });
    expect([user.email, user.name, user.role, user.bio ?? undefined]).toEqual([source['email'], source['name'], source['role'], source['bio'] ?? undefined]);
    expect(user.createdAt.toISOString()).toBe((source['createdAt'] as Date).toISOString());
    expect(user.loginCount).toBe(source['loginCount'] ?? 0);
    expect(user.referredBy?.id).toBe(source['referredById'] ? oid(source['referredById']) : undefined);
    const addresses = (source['addresses'] as Document[] | undefined) ?? [];
    expect(user.addresses.map((a) => [a.street, a.city, a.country])).toEqual(addresses.map((a) => [a['street'], a['city'], a['country']]));
    const profile = profiles.get((source['_id'] as ObjectId).toHexString());
    const hash = profile?.['avatarHash'] as { buffer: Uint8Array } | undefined;
    expect(user.profile?.avatarHash ? Buffer.from(user.profile.avatarHash).toString('hex') : undefined).toBe(hash ? Buffer.from(hash.buffer).toString('hex') : undefined);
    expect(user.profile?.headline ?? undefined).toBe(profile?.['headline'] ?? undefined);
  }
  const logs = [...sample.documents('audit_logs')] as Document[];
  const big = logs.filter((l) => (l['sequence'] as { toBigInt(): bigint }).toBigInt() > 2n ** 53n).slice(0, 20);
  expect(big.length).toBeGreaterThan(0);
  for (const source of big) {
    const log = await prisma.auditLog.findUniqueOrThrow({ where: { id: oid(source['_id']) } });
    expect(log.sequence).toBe((source['sequence'] as { toBigInt(): bigint }).toBigInt());
  }
});
