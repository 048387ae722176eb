import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { MongoClient } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { readDmmf, type DmmfModel } from '../../src/schema/dmmf.ts';
import { appDocuments } from '../support/app-documents.ts';
import { databasesForThisFile, mongoUrl, type TestDatabase } from '../support/databases.ts';
import { REPO_ROOT, runCli, type CliResult } from '../support/run-cli.ts';
import { writeDumpFolder } from '../support/write-dump.ts';

// Issue 12: a team with a MongoDB database and no PostgreSQL schema reaches a first exact,
// validated run without writing a line: init drafts schema.prisma + migration.yaml from a
// sample, migrate runs them as they are, validate:migration finds the target equal to the source.

const TIMEOUT = 600_000;

/** init into a fresh folder; the config gets this test's own checkpoint and log folders. */
async function init(args: readonly string[]): Promise<{ out: string; result: CliResult; config: string; schema: string }> {
  const work = mkdtempSync(join(tmpdir(), 'init-'));
  const out = join(work, 'draft');
  const result = await runCli('init', [...args, '--out', out]);
  const config = join(out, 'migration.yaml');
  if (existsSync(config)) writeFileSync(config, `${readFileSync(config, 'utf8')}checkpointDir: ${join(work, 'checkpoints')}\nlogDir: ${join(work, 'logs')}\n`);
  return { out, result, config, schema: existsSync(join(out, 'schema.prisma')) ? readFileSync(join(out, 'schema.prisma'), 'utf8') : '' };
}

async function migrateAndValidate(config: string, db: TestDatabase, extra: readonly string[] = []): Promise<{ migrate: CliResult; validate: CliResult }> {
  const migrate = await runCli('migrate', ['-c', config, '--target-url', db.url, ...extra]);
  const validate = await runCli('validate', ['-c', config, '--target-url', db.url, ...extra]);
  // What a failing run said, for whoever reads the test's output.
  if (migrate.code !== 0 || validate.code !== 0) process.stdout.write(`${migrate.stdout.slice(-4000)}\n${validate.stdout.slice(-4000)}\n`);
  return { migrate, validate };
}

const database = databasesForThisFile();

/** Relations of a model as `field → table (optional)`, foreign keys only. */
function relations(model: DmmfModel, tableOf: (model: string) => string): string[] {
  return model.fields
    .filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0)
    .map((f) => `${(f.relationFromFields ?? []).join(',')} → ${tableOf(f.type)}${f.isRequired ? '' : ' (optional)'}`)
    .sort();
}

describe('the bundled sample with its schema hidden', () => {
  let draft: Awaited<ReturnType<typeof init>>;
  let dump: string;
  beforeAll(async () => {
    // A copy in a folder of its own: nothing of the hand-written schema or transformers is near it.
    dump = join(mkdtempSync(join(tmpdir(), 'hidden-')), 'shop');
    cpSync(join(REPO_ROOT, 'sample', 'mongodump', 'shop'), dump, { recursive: true });
    draft = await init(['--dump', dump]);
  }, TIMEOUT);

  test('init writes a schema, a config and the field report, and exits 0', () => {
    expect(draft.result.stdout + draft.result.stderr).not.toMatch(/ERROR/);
    expect(draft.result.code).toBe(0);
    for (const f of ['schema.prisma', 'migration.yaml', 'fields.md', 'fields.json']) expect(existsSync(join(draft.out, f))).toBe(true);
    const report = JSON.parse(readFileSync(join(draft.out, 'fields.json'), 'utf8')) as { collections: { collection: string; fields: { path: string }[] }[] };
    // Every top-level field of every collection is in the report with a decision.
    const users = report.collections.find((c) => c.collection === 'users');
    expect(users?.fields.map((f) => f.path)).toEqual(expect.arrayContaining(['_id', 'email', 'addresses', 'referredById', 'settings', 'createdAt']));
  });

  test('the draft runs as it is: migrate then validate exit 0', async () => {
    const db = await database('init_sample');
    const { migrate, validate } = await migrateAndValidate(draft.config, db);
    expect(migrate.code).toBe(0);
    expect(validate.stdout).toMatch(/VALID/);
    expect(validate.code).toBe(0);
    // Every user, and every embedded address as a child row.
    const users = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(users.rows[0]?.n).toBeGreaterThan(190);
    const addresses = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM "UserAddress"');
    expect(addresses.rows[0]?.n).toBe(240);
  }, TIMEOUT);

  test('relations and optionality agree with the hand-written sample schema, differences listed', () => {
    const inferred = readDmmf(draft.schema, 'draft.prisma').datamodel.models;
    const written = readDmmf(readFileSync(join(REPO_ROOT, 'prisma', 'schema.prisma'), 'utf8'), 'schema.prisma').datamodel.models;
    const tableOf = (models: readonly DmmfModel[]) => (name: string) => models.find((m) => m.name === name)?.dbName ?? name;
    const differences: string[] = [];
    const same: string[] = [];
    for (const w of written) {
      const table = w.dbName ?? w.name;
      const i = inferred.find((m) => (m.dbName ?? m.name) === table);
      if (!i) {
        differences.push(`${table}: no model in the draft (${w.name} is embedded in the source)`);
        continue;
      }
      const a = relations(w, tableOf(written));
      const b = relations(i, tableOf(inferred));
      for (const r of a) (b.includes(r) ? same : differences).push(`${table}: hand-written ${r}${b.includes(r) ? '' : `; draft: ${b.find((x) => x.split(' ')[0] === r.split(' ')[0]) ?? 'none'}`}`);
      for (const f of w.fields.filter((x) => x.kind !== 'object')) {
        const d = i.fields.find((x) => (x.dbName ?? x.name) === (f.dbName ?? f.name) || x.name === f.name);
        if (!d) differences.push(`${table}.${f.name}: not a column of the draft`);
        else if (d.type !== f.type || d.isRequired !== f.isRequired || d.isList !== f.isList) differences.push(`${table}.${f.name}: hand-written ${f.type}${f.isRequired ? '' : '?'}, draft ${d.type}${d.isRequired ? '' : '?'}`);
      }
    }
    process.stdout.write(`init vs the hand-written sample schema — ${same.length} relations the same; differences:\n  ${differences.join('\n  ')}\n`);
    // The references a person would draw, all found from the ids alone.
    for (const r of ['orders: userId → users', 'comments: parentId → comments (optional)', 'posts: authorId → users', 'profiles: userId → users', 'products: categoryId → categories', 'users: referredById → users (optional)', 'audit_logs: userId → users (optional)'])
      expect(same.map((s) => s.replace(/^([^:]+): hand-written /, '$1: '))).toContain(r);
    const product = inferred.find((m) => m.dbName === 'products');
    expect(product?.fields.find((f) => f.name === 'tags')).toMatchObject({ kind: 'object', type: 'Tag', isList: true });
  });
});

describe('a project tracker nobody wrote a schema for', () => {
  test('from a dump: drafted, migrated, validated; references, children, m:n, dirt as documented', async () => {
    const dump = writeDumpFolder(appDocuments({ decimals: true }));
    // A view as mongodump writes one: its definition, no documents.
    writeFileSync(join(dump, 'active_accounts.metadata.json'), JSON.stringify({ options: { viewOn: 'accounts', pipeline: [{ $match: { deletedAt: null } }] }, indexes: [], collectionName: 'active_accounts', type: 'view' }));
    const draft = await init(['--dump', dump]);
    expect(draft.result.stdout + draft.result.stderr).not.toMatch(/ERROR/);
    expect(draft.result.code).toBe(0);
    const models = readDmmf(draft.schema, 'draft.prisma').datamodel.models;
    const model = (table: string) => models.find((m) => (m.dbName ?? m.name) === table);
    const field = (table: string, name: string) => model(table)?.fields.find((f) => f.name === name);
    expect(field('projects', 'ownerId')).toMatchObject({ type: 'String', nativeType: ['Uuid', []], isRequired: false });
    expect(field('projects', 'legacyId')).toMatchObject({ type: 'Int' });
    expect(field('projects', 'views')).toMatchObject({ type: 'BigInt' });
    expect(field('projects', 'budget')).toMatchObject({ type: 'Decimal', isRequired: false });
    expect(field('projects', 'settings')).toMatchObject({ type: 'Json' });
    expect(field('projects', 'importedBy')).toMatchObject({ type: 'String', nativeType: ['Uuid', []], isRequired: false, kind: 'scalar' });
    expect(field('projects', 'integrationIds')).toMatchObject({ type: 'String', isList: true, nativeType: null });
    expect(field('accounts', 'score')).toMatchObject({ type: 'Float' });
    expect(field('accounts', 'tags')).toMatchObject({ type: 'String', isList: true });
    expect(field('accounts', 'firstName')).toMatchObject({ dbName: 'first-name' });
    expect(field('events', 'payload')).toMatchObject({ type: 'Json' });
    expect(field('events', 'projectId')).toMatchObject({ isRequired: false });
    const task = models.find((m) => m.name === 'ProjectTask');
    expect(task?.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['projectId', 'position', 'title', 'done', 'assigneeId', 'sourceId']));
    const config = readFileSync(draft.config, 'utf8');
    expect(config).toMatch(/embeddedIn: Project\.tasks/);
    // Arrays of ids on both sides (accounts.teamIds, teams.memberIds): one table, their union.
    expect(config).toMatch(/from: \[ (Account\.teamIds, Team\.memberIds|Team\.memberIds, Account\.teamIds) \]/);
    expect(config).toMatch(/TODO/);
    expect(config).toMatch(/accounts\.score: String 1 of/);
    expect(config).toMatch(/active_accounts: not in the draft: a view/);
    expect(readFileSync(join(draft.out, 'fields.md'), 'utf8')).toMatch(/## Not sampled\n\n- `active_accounts`: a view/);

    const db = await database('init_app');
    const { migrate, validate } = await migrateAndValidate(draft.config, db);
    expect(migrate.code).toBe(0);
    expect(validate.code).toBe(0);
    // The dirt: the account with a text score; the project with a string among its tasks; the project that
    // account created and the one with a task assigned to it (required relations). Links to the account
    // (teams.memberIds, projects.memberIds) are dropped instead: no team is rejected for listing it.
    const rejected = await db.pool.query<{ model: string; n: number }>('SELECT model, count(*)::int AS n FROM _migration.rejected GROUP BY model ORDER BY model');
    expect(rejected.rows).toEqual([
      { model: 'Account', n: 1 },
      { model: 'Project', n: 3 },
    ]);
    const dropped = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM _migration.repairs WHERE action = 'dropped'`);
    expect(dropped.rows[0]?.n).toBeGreaterThan(0);
    const tasks = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM "ProjectTask"');
    expect(tasks.rows[0]?.n).toBeGreaterThan(50);
  }, TIMEOUT);

  test('from a live server (FerretDB): sampled without a full scan, migrated, validated', async () => {
    const database_ = `init_${randomBytes(3).toString('hex')}`;
    const client = new MongoClient(mongoUrl());
    await client.connect();
    try {
      for (const [name, docs] of Object.entries(appDocuments({ decimals: false }))) await client.db(database_).collection(name).insertMany(docs);
    } finally {
      await client.close();
    }
    const draft = await init(['--mongo-url', mongoUrl(), '--mongo-db', database_, '--sample', '50%']);
    expect(draft.result.code).toBe(0);
    const report = JSON.parse(readFileSync(join(draft.out, 'fields.json'), 'utf8')) as { collections: { collection: string; documents: number; sampled: number }[] };
    const accounts = report.collections.find((c) => c.collection === 'accounts');
    expect(accounts?.sampled).toBe(100);
    expect(accounts?.documents).toBe(200);
    const db = await database('init_live');
    const { migrate, validate } = await migrateAndValidate(draft.config, db, ['--mongo-url', mongoUrl(), '--mongo-db', database_]);
    expect(migrate.code).toBe(0);
    expect(validate.code).toBe(0);
  }, TIMEOUT);
});

describe('a SQLite file', () => {
  const CHINOOK = [resolve('..', 'shared'), resolve('..', '..', 'shared')].map((d) => join(d, 'data', 'sqlite', 'chinook.sqlite')).find((f) => existsSync(f)) ?? 'chinook.sqlite not found';
  test('init --sqlite drafts the direct copy and its config; they run and validate', async () => {
    const draft = await init(['--sqlite', CHINOOK]);
    expect(draft.result.code).toBe(0);
    expect(draft.schema).toMatch(/model Album \{/);
    expect(readFileSync(join(draft.out, 'fields.md'), 'utf8')).toMatch(/\| `AlbumId` \| INTEGER \| albumId \| integer 347 \| 0 \|/);
    const db = await database('init_sqlite');
    const { migrate, validate } = await migrateAndValidate(draft.config, db);
    expect(migrate.code).toBe(0);
    expect(validate.code).toBe(0);
  }, TIMEOUT);
});

describe('bad usage changes nothing', () => {
  test('no source, two sources, a bad --sample: exit 2 and nothing written', async () => {
    for (const args of [[], ['--dump', 'sample/mongodump', '--sqlite', 'x.db'], ['--dump', 'sample/mongodump', '--sample', '0'], ['--dump', '/nonexistent/folder']]) {
      const { result, out } = await init(args);
      expect(result.code).toBe(2);
      expect(result.stdout + result.stderr).toMatch(/init|sample|mongodump|source/);
      expect(existsSync(out)).toBe(false);
    }
  });

  test('a draft already in --out is not overwritten without --force', async () => {
    const work = mkdtempSync(join(tmpdir(), 'init-again-'));
    const first = await runCli('init', ['--dump', 'sample/mongodump', '--out', work]);
    expect(first.code).toBe(0);
    writeFileSync(join(work, 'schema.prisma'), '// my edits\n');
    const second = await runCli('init', ['--dump', 'sample/mongodump', '--out', work]);
    expect(second.code).toBe(2);
    expect(second.stdout + second.stderr).toMatch(/already exist.*--force/);
    expect(readFileSync(join(work, 'schema.prisma'), 'utf8')).toBe('// my edits\n');
    const forced = await runCli('init', ['--dump', 'sample/mongodump', '--out', work, '--force']);
    expect(forced.code).toBe(0);
  });
});
