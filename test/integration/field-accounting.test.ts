import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { deserialize, ObjectId, type Document } from 'bson';
import { databasesForThisFile, type TestDatabase } from '../support/databases.ts';
import { committedBatches, sleep, spawnMigrate } from '../support/interrupt-helpers.ts';
import { runCli, runMigrateCli, type CliResult } from '../support/run-cli.ts';
import { tempFile, writeDumpFolder } from '../support/write-dump.ts';

// Issue 9, item 6: every source field is accounted for per model (mapped, ignored on purpose,
// left behind with counts and an example), in migrate's summary, the run report, the log and
// validate's findings; `unmappedFields: fail` makes both exit 3.

const SCHEMA = `
datasource db {
  provider = "postgresql"
}
model User {
  id        String   @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  email     String   @unique
  name      String
  city      String?  @map("address_city")
  createdAt DateTime @default(now()) @map("created_at")
  posts     Post[]
  @@map("users")
}
model Post {
  id       String @id @default(uuid()) @db.Uuid
  title    String
  authorId String @map("author_id") @db.Uuid
  author   User   @relation(fields: [authorId], references: [id])
  @@map("posts")
}
`;

const USERS = 300;
const userId = (i: number) => new ObjectId(`65a0b0c0${i.toString(16).padStart(16, '0')}`);
const postId = (i: number) => new ObjectId(`65a0b0d0${i.toString(16).padStart(16, '0')}`);

/** Mongoose-style users: `__v` everywhere, `nickname` on every 7th (schema drift), an address on every other. */
function user(i: number): Document {
  return {
    _id: userId(i),
    email: `u${i}@example.com`,
    name: `User ${i}`,
    ...(i % 2 === 0 ? { address: { city: `City ${i}`, zip: `${10000 + i}` } } : {}),
    ...(i % 7 === 3 ? { nickname: `nick${i}` } : {}),
    createdAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
    __v: 0,
  };
}
const NICKNAMES = Array.from({ length: USERS }, (_, i) => i).filter((i) => i % 7 === 3);
const ADDRESSES = Math.ceil(USERS / 2);

const dump = writeDumpFolder({
  users: Array.from({ length: USERS }, (_, i) => user(i)),
  posts: Array.from({ length: 100 }, (_, i) => ({ _id: postId(i), title: `Post ${i}`, authorId: userId(i % USERS), __v: 0 })),
});
const schemaFile = tempFile('schema.prisma', SCHEMA);

/** A config file in a temp folder with the run's files beside it; `extra` is YAML appended as is. */
function configFile(extra = ''): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'accounting-'));
  const file = join(dir, 'migration.yaml');
  writeFileSync(file, `checkpointDir: ${join(dir, 'checkpoints')}\nlogDir: ${join(dir, 'logs')}\n${extra}`);
  return { file, dir };
}

const NESTED = `models:\n  User:\n    fields: { city: 'address.city' }\n`;

function validateCli(args: readonly string[]): Promise<CliResult> {
  return runCli('validate', args);
}

interface ReportJson {
  ok: boolean;
  findings: { check: string; model: string; kind: string; count: number; ids: string[]; warning?: boolean }[];
  fields: { policy: string; leftBehind: number; models: { model: string; fields: { path: string; use: string; documents: number; example: string | null }[] }[] };
}

const database = databasesForThisFile();

describe('a field the schema does not map', () => {
  let db: TestDatabase;
  let migrated: CliResult;
  let config: { file: string; dir: string };
  beforeAll(async () => {
    db = await database('acct');
    config = configFile(NESTED);
    migrated = await runMigrateCli(['--config', config.file, '--dump', dump, '--schema', schemaFile, '--target-url', db.url]);
  });

  test('is named in the migrate summary with its count and an example; the run still exits 0 (warn)', () => {
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain('FIELDS LEFT BEHIND (unmappedFields: warn)');
    expect(migrated.stdout).toContain(`User: users.nickname in ${NICKNAMES.length} document(s), e.g. ${userId(NICKNAMES[0] ?? 0).toHexString()}`);
    // address.city is read by a column, so address is partly read and its other child is named.
    expect(migrated.stdout).toContain(`User: users.address.zip in ${ADDRESSES} document(s), e.g. ${userId(0).toHexString()}`);
    expect(migrated.stdout).not.toMatch(/users\.address\.city|users\.address in/);
    expect(migrated.stdout).not.toMatch(/users\.(email|name|createdAt) /);
    expect(migrated.stderr).toMatch(/WARN 2 source field\(s\) left behind/);
  });

  test('__v is named as ignored (Mongoose version key), not as left behind', () => {
    expect(migrated.stdout).toMatch(new RegExp(`^ {2}__v in ${USERS + 100} document\\(s\\) \\(ignored \\(Mongoose version key\\)\\): (Post 100, User ${USERS}|User ${USERS}, Post 100)$`, 'm'));
    expect(migrated.stdout).not.toMatch(/FIELDS LEFT BEHIND[\s\S]*__v[\s\S]*ignored on purpose/);
  });

  test('the run report in _migration.runs, the archived checkpoint and the log file hold the same accounting', async () => {
    const { rows } = await db.pool.query<{ summary: { fields: ReportJson['fields'] } }>(`SELECT summary FROM _migration.runs`);
    const fields = rows[0]?.summary.fields;
    expect(fields?.leftBehind).toBe(2);
    const userFields = fields?.models.find((m) => m.model === 'User')?.fields ?? [];
    expect(userFields).toEqual(
      expect.arrayContaining([
        { path: 'nickname', use: 'left-behind', detail: '', documents: NICKNAMES.length, example: userId(NICKNAMES[0] ?? 0).toHexString() },
        { path: 'address', use: 'partly-read', detail: '', documents: ADDRESSES, example: userId(0).toHexString() },
        { path: 'address.city', use: 'column', detail: 'city', documents: ADDRESSES, example: userId(0).toHexString() },
        { path: '_id', use: 'id', detail: 'id', documents: USERS, example: userId(0).toHexString() },
      ]),
    );
    const archiveDir = join(config.dir, 'checkpoints', 'archive');
    const archived = readdirSync(archiveDir).map((f) => JSON.parse(readFileSync(join(archiveDir, f), 'utf8')) as { fields?: ReportJson['fields'] });
    expect(archived.map((a) => a.fields)).toEqual([fields]);
    const logDir = join(config.dir, 'logs');
    const log = readdirSync(logDir).filter((f) => f.startsWith('migrate-')).map((f) => readFileSync(join(logDir, f), 'utf8')).join('');
    const events = log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['event'] === 'field');
    expect(events).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'User', path: 'nickname', use: 'left-behind', documents: NICKNAMES.length })]));
  });

  test('validate recounts it from its own pass: a warning finding, VALID, exit 0', async () => {
    const report = join(config.dir, 'report.json');
    const result = await validateCli(['--config', config.file, '--dump', dump, '--schema', schemaFile, '--target-url', db.url, '--report', report]);
    expect(result.stdout).toContain(`User: users.nickname in ${NICKNAMES.length} document(s), e.g. ${userId(NICKNAMES[0] ?? 0).toHexString()}`);
    expect(result.stdout).toContain('VALID: the target equals the source');
    expect(result.code).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8')) as ReportJson;
    expect(json.ok).toBe(true);
    expect(json.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'fields', model: 'User', kind: 'left-behind nickname', count: NICKNAMES.length, ids: [userId(NICKNAMES[0] ?? 0).toHexString()], severity: 'warning' }),
      ]),
    );
    expect(json.fields.leftBehind).toBe(2);
  });
});

test('models.<Model>.ignore turns them into "ignored on purpose"', async () => {
  const db = await database('acctign');
  const { file } = configFile(`${NESTED}    ignore: [nickname, address.zip]\n`);
  const result = await runMigrateCli(['--config', file, '--dump', dump, '--schema', schemaFile, '--target-url', db.url]);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('fields: every source field is mapped or ignored on purpose');
  expect(result.stdout).toContain(`User: users.nickname in ${NICKNAMES.length} document(s) (ignored (config))`);
  expect(result.stdout).toContain(`User: users.address.zip in ${ADDRESSES} document(s) (ignored (config))`);
  expect(result.stdout).not.toContain('FIELDS LEFT BEHIND');
});

test('unmappedFields: fail makes migrate exit 3 and validate NOT VALID, exit 3', async () => {
  const db = await database('acctfail');
  const { file, dir } = configFile(`unmappedFields: fail\n${NESTED}`);
  const args = ['--config', file, '--dump', dump, '--schema', schemaFile, '--target-url', db.url];
  const migrated = await runMigrateCli(args);
  expect(migrated.stdout).toContain('FIELDS LEFT BEHIND (unmappedFields: fail)');
  expect(migrated.stderr).toMatch(/unmappedFields is fail, so the tool cannot vouch for the result/);
  expect(migrated.code).toBe(3);
  const validated = await validateCli([...args, '--report', join(dir, 'report.json')]);
  expect(validated.stdout).toMatch(/\[fields\] User: left-behind nickname ×\d+/);
  expect(validated.stdout).toContain('NOT VALID');
  expect(validated.code).toBe(3);
});

test('paused after the first batch and resumed, the counts equal an uninterrupted run', async () => {
  const reference = await database('acctref');
  const paused = await database('acctpause');
  const { file } = configFile(`batchSize: 5\nparallelism: 1\n${NESTED}`);
  const args = (db: TestDatabase) => ['--config', file, '--dump', dump, '--schema', schemaFile, '--target-url', db.url];
  expect((await runMigrateCli(args(reference))).code).toBe(0);

  const child = spawnMigrate(args(paused));
  // The first committed batch is in the target's progress table: then the pause.
  while ((await committedBatches(paused.pool)).batches < 1 && child.running()) await sleep(20);
  child.child.kill('SIGINT');
  const first = await child.done;
  expect(first.code).toBe(4);
  const { rows: partial } = await paused.pool.query<{ n: string }>(`SELECT coalesce(sum(documents), 0) AS n FROM _migration.fields WHERE use = 'id'`);
  expect(Number(partial[0]?.n)).toBeLessThan(USERS + 100);
  const resumed = await runMigrateCli(args(paused));
  expect(resumed.code).toBe(0);

  const counts = async (db: TestDatabase) =>
    (await db.pool.query(`SELECT model, use, path, detail, documents::int, example_id FROM _migration.fields ORDER BY model, use, path`)).rows;
  const expected = await counts(reference);
  expect(expected.length).toBeGreaterThan(8);
  expect(await counts(paused)).toEqual(expected);
  expect(resumed.stdout).toContain(`User: users.nickname in ${NICKNAMES.length} document(s)`);
});

test('the bundled sample with a nickname added to some users (hand-written User transformer): named by migrate and validate', async () => {
  const db = await database('acctsample');
  const copy = join(mkdtempSync(join(tmpdir(), 'sample-copy-')), 'dump');
  cpSync('sample/mongodump', copy, { recursive: true });
  const usersFile = join(copy, 'shop', 'users.bson');
  const users = readBson(readFileSync(usersFile));
  const withNickname = users.filter((_, i) => i % 10 === 4).map((u) => u.id);
  // Appended at the byte level, so every other value keeps its exact BSON type (a Double stays a Double).
  writeFileSync(usersFile, Buffer.concat(users.map((u, i) => (i % 10 === 4 ? withString(u.bytes, 'nickname', `nick${i}`) : u.bytes))));
  const { file, dir } = configFile();
  const args = ['--config', file, '--dump', copy, '--target-url', db.url];
  const migrated = await runMigrateCli(args);
  expect(migrated.code).toBe(0);
  const pattern = new RegExp(`^ {2}User: users\\.nickname in ${withNickname.length} document\\(s\\), e\\.g\\. ([0-9a-f]{24})$`, 'm');
  expect(withNickname).toContain(pattern.exec(migrated.stdout)?.[1]);
  // Nothing else of the sample is left behind: the nickname is the only line with an example.
  expect(migrated.stdout.match(/^ {2}\w+: \S+ in .* e\.g\./gm)).toHaveLength(1);
  const validated = await validateCli([...args, '--report', join(dir, 'report.json')]);
  expect(withNickname).toContain(pattern.exec(validated.stdout)?.[1]);
  expect(validated.stdout).toContain('VALID: the target equals the source');
  expect(validated.code).toBe(0);
});

/** The documents of a `.bson` file (concatenated BSON, each prefixed by its int32 length), with their ids. */
function readBson(buffer: Buffer): { bytes: Buffer; id: string }[] {
  const docs: { bytes: Buffer; id: string }[] = [];
  for (let at = 0; at < buffer.length; ) {
    const bytes = buffer.subarray(at, at + buffer.readInt32LE(at));
    docs.push({ bytes, id: (deserialize(bytes)['_id'] as ObjectId).toHexString() });
    at += bytes.length;
  }
  return docs;
}

/** The document with one more string element, before its terminating zero. */
function withString(doc: Buffer, name: string, value: string): Buffer {
  const text = Buffer.from(`${value}\0`, 'utf8');
  const length = Buffer.alloc(4);
  length.writeInt32LE(text.length);
  const element = Buffer.concat([Buffer.from([0x02]), Buffer.from(`${name}\0`, 'utf8'), length, text]);
  const out = Buffer.concat([doc.subarray(0, doc.length - 1), element, Buffer.from([0])]);
  out.writeInt32LE(out.length, 0);
  return out;
}
