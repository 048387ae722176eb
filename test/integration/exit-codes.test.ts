/**
 * Every documented exit code of migrate, validate:migration and migration:errors, each caused the
 * way a user would cause it (MIGRATION_README.md "Exit codes"). A usage error (2) must also leave
 * the target exactly as it was: no table, no _migration schema.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { MongoClient, ObjectId } from 'mongodb';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';
import { committedBatches, spawnMigrate } from '../support/interrupt-helpers.ts';
import { runCli, type CliName, type CliResult } from '../support/run-cli.ts';
import { sampleDump, sampleLive } from '../support/sample-source.ts';

function run(command: CliName, args: readonly string[]): Promise<CliResult> {
  return runCli(command, args);
}

let dumpDir: string;
let work: string;
/** The target every usage row points at; it must stay empty. */
let untouched: TestDatabase;
const databases: TestDatabase[] = [];

/** A config file in a temp folder; checkpoints and logs go beside it unless `extra` says otherwise. */
function configFile(extra: Record<string, string> = {}, source = `source:\n  kind: mongodump\n  path: ${dumpDir}\n`): string {
  const dir = mkdtempSync(join(work, 'cfg-'));
  const settings = { checkpointDir: join(dir, 'checkpoints'), logDir: join(dir, 'logs'), ...extra };
  const file = join(dir, 'migration.yaml');
  writeFileSync(file, `${source}${Object.entries(settings).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
  return file;
}

/** A path whose parent is a regular file: no folder can be made there, even by root. */
function blockedFolder(): string {
  const file = join(mkdtempSync(join(work, 'blocked-')), 'a-file');
  writeFileSync(file, 'not a folder');
  return join(file, 'folder');
}

async function database(prefix: string): Promise<TestDatabase> {
  const db = await freshDatabase(prefix);
  databases.push(db);
  return db;
}

async function migrated(prefix: string, extra: readonly string[] = []): Promise<TestDatabase> {
  const db = await database(prefix);
  const result = await run('migrate', ['--config', configFile(), '--target-url', db.url, ...extra]);
  if (result.code !== 0) throw new Error(`setup migration failed (${result.code}):\n${result.stderr}`);
  return db;
}

async function targetObjects(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
     UNION ALL SELECT nspname FROM pg_namespace WHERE nspname = '_migration'`,
  );
  return rows.map((r) => r.name);
}

/** Starts a migration and sends it SIGINT once its first batch is committed, as Ctrl-C would. */
async function interruptedRun(db: TestDatabase, config: string): Promise<CliResult> {
  const child = spawnMigrate(['--config', config, '--target-url', db.url, '--batch-size', '20']);
  await waitForCommittedBatch(db, child.running);
  child.child.kill('SIGINT');
  return child.done;
}

/** A live source run paused after its first committed batch, for the rows that resume one. */
async function pausedLiveRun(prefix: string): Promise<{ db: TestDatabase; config: string; live: { url: string; database: string } }> {
  const live = await sampleLive(1);
  const db = await database(prefix);
  const config = configFile({}, `source:\n  kind: mongodb\n  url: ${live.url}\n  database: ${live.database}\n`);
  const paused = await interruptedRun(db, config);
  if (paused.code !== 4) throw new Error(`expected a pause (exit 4), got ${paused.code}:\n${paused.stderr}`);
  return { db, config, live };
}

async function waitForCommittedBatch(db: TestDatabase, running: () => boolean): Promise<void> {
  while ((await committedBatches(db.pool)).batches < 1) {
    if (!running()) throw new Error('the run ended before its first committed batch');
    await new Promise((r) => setImmediate(r));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'exit-codes-'));
  dumpDir = (await sampleDump(1)).dir;
  untouched = await database('untouched');
}, 120_000);

afterAll(async () => {
  for (const db of databases) await db.drop();
});

interface Row {
  command: CliName;
  code: number;
  cause: string;
  /** Prepares what the cause needs and runs the command. */
  exec: () => Promise<CliResult>;
  /** What stderr must say. */
  says?: RegExp;
  /** Usage rows: the target must be left exactly as it was. */
  nothingCreated?: boolean;
}

const badSchema = () => {
  const file = join(mkdtempSync(join(work, 'schema-')), 'broken.prisma');
  writeFileSync(file, 'datasource db {\n  provider = "postgresql"\n}\nmodel A {\n  id Int @id\n  b  Strin\n}\n');
  return file;
};

const usage = (command: CliName, cause: string, args: () => string[] | Promise<string[]>, says: RegExp): Row => ({
  command,
  code: 2,
  cause,
  says,
  nothingCreated: true,
  exec: async () => run(command, [...(await args()), '--target-url', untouched.url]),
});

/** A row that runs `command` with the arguments `args` prepares. */
const row = (command: CliName, code: number, cause: string, args: () => Promise<string[]>, says?: RegExp): Row => ({
  command,
  code,
  cause,
  exec: async () => run(command, await args()),
  ...(says ? { says } : {}),
});

const rows: Row[] = [
  // 0: done
  row('migrate', 0, 'the run completed', async () => ['--config', configFile(), '--target-url', (await database('ok')).url]),
  row('validate', 0, 'the target equals the source', async () => ['--config', configFile(), '--target-url', (await migrated('valid')).url], /VALID|report/),
  row('errors', 0, 'no rejection is open', async () => ['--config', configFile(), '--target-url', (await migrated('clean', ['--models', 'Category,Tag'])).url]),

  // 1: a real failure
  ...(['migrate', 'validate', 'errors'] as const).map((command) =>
    row(command, 1, 'the target refuses connections', async () => ['--config', configFile(), '--target-url', `postgresql://postgres@127.0.0.1:${await freePort()}/none`], /ECONNREFUSED/),
  ),

  // 2: bad usage, for each command
  ...(['migrate', 'validate', 'errors'] as const).flatMap((command) => [
    usage(command, 'an unknown flag', () => ['--bogus'], /unknown option '--bogus'/),
    usage(command, 'a config file with a bad key', () => ['--config', configFile({ batchSize: '-5' })], /batchSize/),
  ]),
  usage('migrate', '--batch-size 0', () => ['--config', configFile(), '--batch-size', '0'], /--batch-size <n>' argument '0' is invalid/),
  usage('migrate', '--parallelism 0', () => ['--config', configFile(), '--parallelism', '0'], /--parallelism <n>' argument '0' is invalid/),
  usage('migrate', '--restart with --resume', () => ['--config', configFile(), '--restart', '--resume', 'x.json'], /'--restart' cannot be used with option '--resume/),
  usage('validate', '--sample 0', () => ['--config', configFile(), '--sample', '0'], /--sample <percent>' argument '0' is invalid/),
  ...(['migrate', 'validate'] as const).map((command) => usage(command, '--models Nope', () => ['--config', configFile(), '--models', 'Nope'], /--models names Nope/)),
  ...(['migrate', 'validate', 'errors'] as const).flatMap((command) => {
    const retry = command === 'errors' ? ['--retry-failed'] : [];
    return [
      usage(command, 'a missing Prisma schema', () => ['--config', configFile(), '--schema', join(work, 'none.prisma'), ...retry], /the Prisma schema .*none\.prisma does not exist/),
      usage(command, 'a missing mongodump folder', () => ['--config', configFile(), '--dump', join(work, 'no-dump'), ...retry], /mongodump folder .*no-dump does not exist/),
      usage(command, 'an unusable log folder', () => ['--config', configFile({ logDir: blockedFolder() }), ...retry], /folder .*a-file\/folder is not writable \(ENOTDIR\)/),
    ];
  }),
  ...(['migrate', 'validate'] as const).map((command) =>
    usage(command, 'an invalid Prisma schema', () => ['--config', configFile(), '--schema', badSchema()], /the Prisma schema .*broken\.prisma is invalid: error: Type "Strin"[\s\S]*broken\.prisma:6/),
  ),
  usage('migrate', 'an unusable checkpoint folder', () => ['--config', configFile({ checkpointDir: blockedFolder() })], /checkpoint folder \(checkpointDir\) .*a-file\/folder is not writable/),
  usage(
    'migrate',
    'a corrupt --resume file',
    () => {
      const file = join(mkdtempSync(join(work, 'resume-')), 'run.json');
      writeFileSync(file, '{"format": 1, "runId": "x", "models": {');
      return ['--config', configFile(), '--resume', file];
    },
    /checkpoint file .*resume-\w+\/run\.json is not valid JSON/,
  ),

  // 3: finished, but the target may not equal the source
  row('validate', 3, 'a row was deleted from the target (NOT VALID)', async () => {
    const db = await migrated('broken');
    await db.pool.query(`DELETE FROM tags WHERE id = (SELECT min(id::text)::uuid FROM tags)`);
    return ['--config', configFile(), '--target-url', db.url];
  }),
  row('errors', 3, 'rejections are open', async () => ['--config', configFile(), '--target-url', (await migrated('rejects')).url]),
  row(
    'migrate',
    3,
    'a document was added to the live source where the reader had already passed',
    async () => {
      const { db, config, live } = await pausedLiveRun('behind');
      const { rows } = await db.pool.query<{ collection: string }>(`SELECT collection FROM _migration.progress WHERE read > 0 ORDER BY model LIMIT 1`);
      const mongo = await MongoClient.connect(live.url);
      try {
        // Documents are read in _id order: an id from 1970 sorts before the committed cursor.
        await mongo.db(live.database).collection(rows[0]?.collection ?? '').insertOne({ _id: ObjectId.createFromTime(1), note: 'behind the cursor' });
      } finally {
        await mongo.close();
      }
      return ['--config', config, '--target-url', db.url, '--batch-size', '20', '--force'];
    },
    /the source changed while it was read/,
  ),

  // 4: paused
  {
    command: 'migrate',
    code: 4,
    cause: 'SIGINT arrives after the first committed batch',
    says: /SIGINT: finishing the batch in flight/,
    exec: async () => interruptedRun(await database('paused'), configFile()),
  },

  // 5: resume refused
  row('migrate', 5, 'the paused run is resumed with another configuration', async () => {
    const db = await database('refused');
    const config = configFile();
    const paused = await interruptedRun(db, config);
    if (paused.code !== 4) throw new Error(`expected a pause, got ${paused.code}:\n${paused.stderr}`);
    return ['--config', config, '--target-url', db.url, '--models', 'Category'];
  }, /started with another configuration/),
];

test.each(rows)('$command exits $code when $cause', async (row) => {
  const before = row.nothingCreated ? await targetObjects(untouched) : [];
  const result = await row.exec();
  if (result.code !== row.code) process.stderr.write(`${row.command} ${row.cause}:\n${result.stderr}\n`);
  expect(result.code).toBe(row.code);
  if (row.says) expect(result.stderr).toMatch(row.says);
  // Prisma's colours would reach a log file or a CI page as escape codes.
  expect(result.stderr).not.toContain('\u001b[');
  if (row.nothingCreated) {
    expect(before).toEqual([]);
    expect(await targetObjects(untouched)).toEqual([]);
  }
});

test('documents added to the live source while paused: the count is taken again, so the counts add up, and the change is reported (exit 3)', async () => {
  const { db, config, live } = await pausedLiveRun('grown');
  const { rows } = await db.pool.query<{ model: string; collection: string; source_count: number }>(
    `SELECT model, collection, source_count::int FROM _migration.progress WHERE status = 'pending' ORDER BY model LIMIT 1`,
  );
  const pending = rows[0];
  if (!pending) throw new Error('no model was still pending at the pause');
  const mongo = await MongoClient.connect(live.url);
  try {
    // A new ObjectId sorts after every sample document, so the resumed run reads it.
    await mongo.db(live.database).collection(pending.collection).insertOne({ note: 'added during the run' });
  } finally {
    await mongo.close();
  }
  const result = await run('migrate', ['--config', config, '--target-url', db.url, '--batch-size', '20', '--force']);
  // Rows were read from a source that moved: the run says so instead of "ok" (issue 8, item 3).
  expect(result.code).toBe(3);
  expect(result.stderr).toMatch(new RegExp(`accepted with --force: collection ${pending.collection}: documents`));
  expect(result.stderr).toContain(`${pending.model}: the source changed while it was read (${pending.source_count} documents when the run started, ${pending.source_count + 1} now); every one of the ${pending.source_count + 1} is accounted for`);
  expect(result.stdout).toMatch(new RegExp(`^${pending.model} +${(pending.source_count + 1).toLocaleString('en-US')} .* ok$`, 'm'));
});
