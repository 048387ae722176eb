import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Binary, Int32, Long, ObjectId, serialize, type Document } from 'bson';
import { seededRandom } from './seeded-random.ts';

/**
 * Documents for test/fixtures/prisma-mongo/marketplace.prisma, as Prisma's MongoDB client
 * writes them: `_id`s, ObjectId references, `@map`ped names (`first_name`, `seller_id`),
 * enum labels (`buyer`, `bank_transfer`), embedded documents and arrays of them, arrays of ids
 * on both sides of a many-to-many (one side missing some pairs), a one-sided array (wishlists),
 * optional fields left out. Deterministic: the same seed gives the same bytes.
 */
export function marketplaceDocuments(seed = 7): Record<string, Document[]> {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const chance = (p: number) => random() < p;
  let counter = 0;
  // Time-ordered ObjectIds with a fixed timestamp base: v7-objectid keeps their order.
  const oid = () => new ObjectId(`${(0x65a00000 + counter * 97).toString(16)}00000000${(++counter).toString(16).padStart(8, '0')}`);
  const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000 + Math.floor(random() * 86_400) * 1000 + Math.floor(random() * 1000));

  const countries = [
    { _id: 'DE', name: 'Germany', currency: 'EUR' },
    { _id: 'FR', name: 'France', currency: 'EUR' },
    { _id: 'GB', name: 'United Kingdom', currency: 'GBP' },
  ];
  const address = (i: number): Document => ({
    ...(chance(0.5) ? { label: pick(['home', 'work', 'other']) } : {}),
    street: `${i} ${pick(['Main', 'Market', 'Station', 'Lake'])} Street`,
    city: pick(['Berlin', 'Paris', 'London', 'Hamburg']),
    postal_code: String(10000 + i * 7),
    country: pick(['DE', 'FR', 'GB']),
    ...(chance(0.5) ? { geo: { lat: 48 + random(), lng: 2 + random() * 10 } } : {}),
  });

  const users: Document[] = Array.from({ length: 24 }, (_, i) => ({
    _id: oid(),
    email: `user${i}@example.com`,
    role: i < 6 ? 'seller' : i === 23 ? 'admin' : 'buyer',
    first_name: `First${i}`,
    ...(chance(0.8) ? { last_name: `Last${i}` } : {}),
    ...(chance(0.7)
      ? { profile: { displayName: `user ${i}`, ...(chance(0.5) ? { bio: `bio of ${i}` } : {}), ...(chance(0.4) ? { birthday: day(-9000 - i * 40) } : {}), ...(chance(0.5) ? { social: { website: `https://u${i}.example` } } : {}), interests: chance(0.5) ? ['books', 'music'] : [] } }
      : {}),
    // Older documents have no addresses at all: the list is then empty.
    ...(i % 5 === 4 ? {} : { addresses: Array.from({ length: i % 3 }, (_, k) => address(i * 10 + k)) }),
    ...(chance(0.3) ? { avatar: new Binary(Buffer.from(`avatar-${i}`)) } : {}),
    points: Long.fromNumber(i * 1_000_000_007),
    loginCount: new Int32(i * 3),
    ...(chance(0.7) ? { lastLoginAt: day(300 + i) } : {}),
    ...(chance(0.5) ? { preferences: { theme: pick(['dark', 'light']), locale: pick(['de', 'fr', 'en']) } } : {}),
    marketing: chance(0.5),
    ...(chance(0.9) ? { country_code: pick(countries)._id } : {}),
    followingIDs: [] as ObjectId[],
    followerIDs: [] as ObjectId[],
    created_at: day(i),
    updated_at: day(200 + i),
  }));
  const userId = (i: number) => users[i]?.['_id'] as ObjectId;
  for (let i = 1; i < users.length; i++) if (i % 4 !== 0) (users[i] as Document)['managerId'] = userId(i % 4 === 1 ? 0 : i - 1);
  for (let i = 0; i < users.length; i++) {
    for (const j of [(i + 1) % users.length, (i + 7) % users.length]) {
      (users[i]?.['followingIDs'] as ObjectId[]).push(userId(j));
      (users[j]?.['followerIDs'] as ObjectId[]).push(userId(i));
    }
  }

  const sessions = users.slice(0, 12).map((u, i) => ({ _id: oid(), token: `tok-${i}-${Math.floor(random() * 1e9)}`, userId: u['_id'], ...(chance(0.5) ? { userAgent: 'Mozilla/5.0' } : {}), ...(chance(0.5) ? { ip: `10.0.0.${i}` } : {}), expiresAt: day(400 + i) }));
  const stores = users.slice(0, 5).map((u, i) => ({ _id: oid(), name: `Store ${i}`, slug: `store-${i}`, ownerId: u['_id'], address: address(900 + i), createdAt: day(10 + i) }));
  const categories: Document[] = [];
  for (let i = 0; i < 8; i++) categories.push({ _id: oid(), name: `Category ${i}`, slug: `cat-${i}`, ...(i >= 2 ? { parentId: categories[i % 2]?.['_id'] } : {}) });
  const tags: Document[] = Array.from({ length: 10 }, (_, i) => ({ _id: oid(), name: `tag${i}`, productIDs: [] as ObjectId[], postIDs: [] as ObjectId[] }));

  const products: Document[] = Array.from({ length: 40 }, (_, i) => {
    const store = stores[i % stores.length] as Document;
    const tagIDs = [...new Set([pick(tags), pick(tags)])].map((t) => t['_id'] as ObjectId);
    return {
      _id: oid(),
      title: `Product ${i}`,
      sku: `SKU-${String(i).padStart(4, '0')}`,
      ...(chance(0.7) ? { description: `The product number ${i}.` } : {}),
      price: Math.round((5 + random() * 200) * 100) / 100,
      ...(chance(0.5) ? { weightGrams: Long.fromNumber(100 + i * 13) } : {}),
      images: chance(0.5) ? [`https://img.example/${i}.jpg`] : [],
      ...(chance(0.6) ? { dimensions: { widthCm: 10 + i, heightCm: 5.5, depthCm: 2 } } : {}),
      variants: chance(0.5) ? [{ sku: `SKU-${i}-S`, size: 'S', priceDelta: 0, stock: 3 }, { sku: `SKU-${i}-L`, color: 'red', size: 'L', priceDelta: 2.5, stock: 0 }] : [],
      ...(chance(0.4) ? { attributes: { material: pick(['wood', 'steel', 'cotton']), organic: chance(0.5) } } : {}),
      active: chance(0.9),
      storeId: store['_id'],
      seller_id: store['ownerId'],
      ...(chance(0.8) ? { categoryId: pick(categories)['_id'] } : {}),
      tagIDs,
      ...(chance(0.5) ? { createdById: userId(23) } : {}),
      createdAt: day(20 + i),
      updatedAt: day(250 + i),
    };
  });
  // Both sides hold the pairs, except a few the tags forgot: the table is their union.
  for (const p of products) for (const t of p['tagIDs'] as ObjectId[]) if (chance(0.8)) (tags.find((x) => x['_id'] === t)?.['productIDs'] as ObjectId[]).push(p['_id'] as ObjectId);

  const orders: Document[] = Array.from({ length: 30 }, (_, i) => {
    const lines = Array.from({ length: 1 + (i % 3) }, () => {
      const p = pick(products);
      return { productId: p['_id'], title: p['title'], quantity: 1 + Math.floor(random() * 3), unitPrice: p['price'] };
    });
    const total = Math.round(lines.reduce((s, l) => s + (l.unitPrice as number) * l.quantity, 0) * 100) / 100;
    return {
      _id: oid(),
      number: 1000 + i,
      status: pick(['pending', 'paid', 'shipped', 'delivered', 'cancelled']),
      buyerId: userId(6 + (i % 17)),
      sellerId: userId(i % 5),
      lines,
      shippingAddress: address(500 + i),
      ...(chance(0.3) ? { billingAddress: address(700 + i) } : {}),
      total,
      currency: 'EUR',
      ...(chance(0.2) ? { couponCode: 'WELCOME10' } : {}),
      placedAt: day(100 + i),
      ...(chance(0.5) ? { shippedAt: day(103 + i) } : {}),
    };
  });
  const payments = orders.filter((_, i) => i % 3 !== 2).map((o) => ({
    _id: oid(),
    orderId: o['_id'],
    amount: o['total'],
    method: pick(['CARD', 'PAYPAL', 'bank_transfer']),
    ...(chance(0.7) ? { providerRef: `pay_${Math.floor(random() * 1e9)}` } : {}),
    ...(chance(0.5) ? { raw: { status: 'succeeded', fee: 0.3 } } : {}),
    ...(chance(0.3) ? { receipt: new Binary(Buffer.from('%PDF-1.4 receipt')) } : {}),
    paidAt: day(101),
  }));
  const coupons = [
    { _id: oid(), code: 'WELCOME10', percentOff: 10, uses: 6, createdById: userId(23) },
    { _id: oid(), code: 'FIVEOFF', amountOff: 5, validUntil: day(500), uses: 0, createdById: userId(0) },
  ];
  const reviews = products.slice(0, 20).flatMap((p, i) =>
    [6, 7].slice(0, 1 + (i % 2)).map((u) => ({ _id: oid(), productId: p['_id'], authorId: userId(u + (i % 10)), rating: 1 + (i % 5), ...(chance(0.6) ? { body: 'Good.' } : {}), createdAt: day(150 + i) })),
  );
  const posts: Document[] = Array.from({ length: 12 }, (_, i) => ({
    _id: oid(),
    slug: `post-${i}`,
    title: `Post ${i}`,
    body: `Body of post ${i}`,
    status: pick(['DRAFT', 'PUBLISHED', 'ARCHIVED']),
    author_id: userId(i % 8),
    tagIDs: [pick(tags)['_id']],
    ...(chance(0.6) ? { publishedAt: day(60 + i) } : {}),
    viewCount: Math.floor(random() * 500),
  }));
  // Only some tags list their posts: the posts' arrays fill the rest.
  for (const post of posts) for (const t of post['tagIDs'] as ObjectId[]) if (chance(0.5)) (tags.find((x) => x['_id'] === t)?.['postIDs'] as ObjectId[]).push(post['_id'] as ObjectId);
  const comments: Document[] = [];
  for (let i = 0; i < 30; i++) {
    const parent = i >= 10 && chance(0.5) ? comments[i % 10] : undefined;
    comments.push({ _id: oid(), postId: parent ? parent['postId'] : pick(posts)['_id'], authorId: userId(i % 20), ...(parent ? { parentId: parent['_id'] } : {}), body: `comment ${i}`, ...(chance(0.2) ? { editedAt: day(90 + i) } : {}), createdAt: day(80 + i) });
  }
  const notifications = Array.from({ length: 20 }, (_, i) => ({ _id: oid(), userId: userId(i % 24), kind: pick(['order.update', 'follower.new', 'mention']), payload: { ref: `n${i}`, count: i }, ...(chance(0.5) ? { readAt: day(120 + i) } : {}), sentAt: day(110 + i) }));
  const wishlists = users.slice(6, 16).map((u, i) => ({ _id: oid(), userId: u['_id'], productIds: products.slice(i, i + 1 + (i % 3)).map((p) => p['_id']), updatedAt: day(260 + i) }));
  const auditLogs = Array.from({ length: 15 }, (_, i) => {
    const [entityType, list] = pick([['Product', products], ['Order', orders], ['User', users]] as const);
    return { _id: oid(), ...(i % 4 === 0 ? {} : { actorId: userId(23) }), entityType, entityId: pick(list)['_id'], action: pick(['create', 'update', 'delete']), ...(chance(0.5) ? { diff: { field: 'price', from: 1, to: 2 } } : {}), at: day(130 + i) };
  });
  const dailyStats = Array.from({ length: 7 }, (_, i) => ({ _id: oid(), day: new Date(Date.UTC(2024, 5, 1 + i)), orders: 10 + i, revenue: 100.5 + i, visitors: Long.fromNumber(10_000 + i) }));

  return {
    countries,
    users,
    sessions,
    stores,
    categories,
    tags,
    products,
    orders,
    payments,
    coupons,
    reviews,
    posts,
    comments,
    notifications,
    wishlists,
    audit_logs: auditLogs,
    daily_stats: dailyStats,
  };
}

/**
 * The documents as a mongodump folder: `<dir>/<database>/<collection>.bson` (concatenated BSON)
 * and `.metadata.json` (the `_id` index), as mongodump writes them. Returns `<dir>/<database>`.
 */
export function writeMarketplaceDump(collections: Readonly<Record<string, readonly Document[]>>, database = 'marketplace'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'marketplace-dump-')), database);
  mkdirSync(dir, { recursive: true });
  for (const [name, docs] of Object.entries(collections)) {
    writeFileSync(join(dir, `${name}.bson`), Buffer.concat(docs.map((d) => serialize(d))));
    const metadata = { indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }], uuid: '', collectionName: name, type: 'collection' };
    writeFileSync(join(dir, `${name}.metadata.json`), JSON.stringify(metadata));
  }
  return dir;
}
