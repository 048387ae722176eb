import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { ObjectId, type Document } from 'bson';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { validate } from '../../src/validate/validate.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { tempFile, writeDumpFolder } from '../support/write-dump.ts';

// Issue 9, item 7: shapes real MongoDB apps store that used to need a transformer. Each is a
// documented default or one line of config, and each value it changes is counted.

const SCHEMA = `
datasource db {
  provider = "postgresql"
}
enum DealStatus {
  OPEN
  WON  @map("closed_won")
  LOST @map("closed_lost")
}
model DealStage {
  id       String @id @db.Uuid
  name     String
  position Int
  deals    Deal[]
  @@map("deal_stages")
}
model Deal {
  id           String     @id @db.Uuid
  title        String
  slug         String
  status       DealStatus
  amount       Float?
  score        Float?
  closeDate    DateTime?  @db.Date
  rating       Float?
  addressCity  String?    @map("address_city")
  addressZip   String?    @map("address_zip")
  stageId      String     @db.Uuid
  stage        DealStage  @relation(fields: [stageId], references: [id])
  @@map("deals")
}
`;

const stages = [0, 1].map((i) => ({ _id: new ObjectId(`65b00000000000000000000${i}`), name: `stage ${i}`, position: i + 0.0, __v: 0 }));
const statuses = ['OPEN', 'open', 'Won', 'closed_won', 'Closed Won', 'WON', 'closed-lost', 'LOST', 'lost'];

function deal(i: number): Document {
  const doc: Document = {
    _id: new ObjectId(`65c0000000000000000${String(i).padStart(5, '0')}`),
    title: `deal ${i}`,
    status: statuses[i % statuses.length],
    amount: i % 10 === 3 ? '' : i * 100.5,
    score: i === 7 ? -0.0 : i / 4,
    closeDate: i % 10 === 5 ? '' : new Date(Date.UTC(2024, 0, 1 + i)),
    rating: { value: i % 5, votes: i },
    address: { city: `City ${i}`, ...(i % 2 === 0 ? { zip: `${10000 + i}` } : {}) },
    stageId: stages[i % 2]?._id,
    __v: 0,
  };
  return doc;
}

let db: TestDatabase;
let path: string;
let schema: string;
beforeAll(async () => {
  const deals = Array.from({ length: 60 }, (_, i) => deal(i));
  deals.push({ ...deal(60), status: 'maybe' });
  deals.push({ ...deal(61), amount: 5, title: '' , status: 'OPEN' });
  path = writeDumpFolder({ dealStages: stages, deals });
  schema = tempFile('schema.prisma', SCHEMA);
  db = await freshDatabase('shapes');
});
afterAll(async () => {
  await db?.drop();
});

test('defaults and one line of config: camelCase collection, free-string enums, "" as NULL, nested paths, a computed required column', async () => {
  const transformers = tempFile(
    'transformers.mjs',
    `export default [{ model: 'Deal', transform(doc, ctx) { return { rows: { Deal: [{ ...ctx.defaultRow(doc), slug: String(doc.title).toLowerCase().replace(/\\W+/g, '-') }] } }; } }];`,
  );
  const run = await migrateForTest({ source: { kind: 'mongodump', path }, targetUrl: db.url, overrides: { schema, transformers, models: { Deal: { fields: { rating: 'rating.value' } } } } });
  expect(run.status).toBe('completed');
  expect(run.printed).toMatch(/^DealStage +2 +2 +0 +0/m);
  // 'maybe' is no spelling of any value: rejected. Every other document loads.
  expect(run.printed).toMatch(/^Deal +62 +61 +1 +0/m);
  const { rows: rejected } = await db.pool.query<{ reason: string }>(`SELECT reason FROM _migration.rejected`);
  expect(rejected.map((r) => r.reason)).toEqual([expect.stringMatching(/^status: Invalid option: expected one of "OPEN"\|"closed_won"\|"closed_lost"/)]);

  const { rows } = await db.pool.query<{ status: string; n: number }>(`SELECT status::text, count(*)::int AS n FROM deals GROUP BY 1 ORDER BY 1`);
  expect(rows).toEqual([
    { status: 'OPEN', n: 15 },
    { status: 'closed_lost', n: 18 },
    { status: 'closed_won', n: 28 },
  ]);
  const { rows: values } = await db.pool.query<Record<string, unknown>>(
    `SELECT count(*) FILTER (WHERE amount IS NULL)::int AS "nullAmounts", count(*) FILTER (WHERE "closeDate" IS NULL)::int AS "nullDates",
            (SELECT score::text FROM deals WHERE title = 'deal 7') AS "negativeZero", (SELECT rating FROM deals WHERE title = 'deal 13') AS "rating",
            (SELECT address_city || '/' || coalesce(address_zip, '-') FROM deals WHERE title = 'deal 13') AS "address13",
            (SELECT address_zip FROM deals WHERE title = 'deal 14') AS "zip14", (SELECT slug FROM deals WHERE title = 'deal 14') AS "slug14"
       FROM deals`,
  );
  expect(values[0]).toEqual({ nullAmounts: 6, nullDates: 6, negativeZero: '-0', rating: 3, address13: 'City 13/-', zip14: '10014', slug14: 'deal-14' });
});

test('without the transformer the computed column is refused by name; emptyStrings: reject refuses the empty strings', async () => {
  const other = await freshDatabase('shapes_strict');
  try {
    const run = await migrateForTest({ source: { kind: 'mongodump', path, emptyStrings: 'reject' }, targetUrl: other.url, overrides: { schema, models: { Deal: { fields: { rating: 'rating.value' } } } } });
    expect(run.status).toBe('completed');
    const { rows } = await other.pool.query<{ reason: string; n: number }>(`SELECT split_part(reason, ';', 1) AS reason, count(*)::int AS n FROM _migration.rejected GROUP BY 1 ORDER BY 1`);
    expect(rows).toEqual([
      { reason: 'amount: expected a number, got string ""', n: 6 },
      { reason: 'closeDate: malformed date ""', n: 6 },
      { reason: 'slug: required field is missing', n: 50 },
    ]);
  } finally {
    await other.drop();
  }
});

test('microseconds written as text reach a timestamp(6) column exactly and validate', async () => {
  const other = await freshDatabase('shapes_micro');
  try {
    const micro = `
datasource db {
  provider = "postgresql"
}
model Visit {
  id       String   @id @db.Uuid
  at       DateTime @db.Timestamptz(6)
  rounded  DateTime
  @@map("visits")
}
`;
    const visits = Array.from({ length: 20 }, (_, i) => ({
      _id: new ObjectId(`65d0000000000000000${String(i).padStart(5, '0')}`),
      at: `2024-05-0${1 + (i % 9)}T08:00:00.${String(123456 + i).padStart(6, '0')}+02:00`,
      rounded: `2024-05-01T08:00:00.${String(999500 + i).padStart(6, '0')}Z`,
    }));
    const visitPath = writeDumpFolder({ visits });
    const overrides = { schema: tempFile('schema.prisma', micro) };
    const run = await migrateForTest({ source: { kind: 'mongodump', path: visitPath }, targetUrl: other.url, overrides });
    expect(run.status).toBe('completed');
    const { rows } = await other.pool.query<{ at: string; rounded: string }>(`SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at, to_char(rounded, 'HH24:MI:SS.MS') AS rounded FROM visits ORDER BY id LIMIT 2`);
    expect(rows).toEqual([
      { at: '2024-05-01 06:00:00.123456', rounded: '08:00:01.000' },
      { at: '2024-05-02 06:00:00.123457', rounded: '08:00:01.000' },
    ]);
    const config = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: visitPath }, target: { url: other.url } }, overrides] });
    const report = await validate({ config, logger: createLogger({ quiet: true }), samplePercent: 100 });
    expect(report.findings).toEqual([]);
  } finally {
    await other.drop();
  }
});
