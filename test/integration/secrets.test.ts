/**
 * No secret on disk or in any output (issue 8, item 2), and a resume command that runs as
 * printed (item 7).
 *
 * Every credential form gets a password of its own, so a leak names its form: URL userinfo
 * (postgres://, postgresql://, mongodb://, mongodb+srv://, one with a percent-encoded `/`),
 * `?password=` and `&sslpassword=` parameters, a libpq keyword/value string, each given with
 * `--flag value` and `--flag=value`. The PostgreSQL passwords belong to roles made for this
 * test, so the URLs really log in whatever the server's authentication; FerretDB accepts any
 * credentials. Runs: a migrate paused by SIGINT after its first committed batch, its printed
 * resume command run through `sh` (first without the environment it asks for, then with it),
 * the same run found again by environment variables, failing runs whose driver errors are
 * printed, a mistyped flag commander echoes, validate with --report, migration:errors with
 * --retry-failed. Then every file the tool wrote, every run's stdout and stderr, and every
 * `_migration` row as text are searched for each password.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import pg from 'pg';
import { adminUrl, freshDatabase, type TestDatabase } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';
import { committedBatches, sleep, spawnMigrate } from '../support/interrupt-helpers.ts';
import { runCli, runCommand, type CliName, type CliResult } from '../support/run-cli.ts';
import { sampleLive } from '../support/sample-source.ts';

const TIMEOUT = 600_000;
const unique = (form: string) => `${form}${randomBytes(6).toString('hex')}`;

/** One password per form; a leak is reported with the form's name. */
const PASSWORDS = {
  userinfo: unique('Ui/'), // the `/` is percent-encoded in the URL: both spellings are searched
  query: unique('Qp'),
  sslpassword: unique('Sp'),
  keyword: unique('Kw'),
  wrongDatabase: unique('Wd'),
  refusedPort: unique('Rp'),
  mongo: unique('Mg'),
  mongoValidate: unique('Mv'),
  mongoSrv: unique('Ms'),
  typo: unique('Ty'),
} as const;

const roleA = `sec_a_${randomBytes(3).toString('hex')}`;
const roleB = `sec_b_${randomBytes(3).toString('hex')}`;
let db: TestDatabase;
let live: { url: string; database: string };
let host: string;
let port: string;
const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
const configFile = join(dir, 'migration.yaml');
const checkpointDir = join(dir, 'checkpoints');
const logDir = join(dir, 'logs');
const reportFile = join(dir, 'reports', 'validate.json');
/** Every run's stdout and stderr, searched at the end. */
const outputs: { run: string; result: Pick<CliResult, 'stdout' | 'stderr'> }[] = [];

function pgUrl(user: string, password: string, database: string, portOverride = port): string {
  const url = new URL(`postgresql://${host}:${portOverride}/${database}`);
  url.username = user;
  url.password = password;
  return url.toString();
}

function liveMongoUrl(password: string): string {
  const url = new URL(live.url);
  url.username = 'migrator';
  url.password = password;
  url.pathname = `/${live.database}`;
  // FerretDB takes any user and password with PLAIN (it refuses the default SCRAM-SHA-1).
  url.searchParams.set('authMechanism', 'PLAIN');
  return url.toString();
}

async function run(name: string, cli: CliName, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await runCli(cli, args, env);
  outputs.push({ run: name, result });
  return result;
}

beforeAll(async () => {
  db = await freshDatabase('secrets');
  const admin = new URL(adminUrl());
  host = admin.hostname;
  port = admin.port || '5432';
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    // Hex and `/` only: nothing to escape in the literal.
    await client.query(`CREATE ROLE ${roleA} LOGIN SUPERUSER PASSWORD '${PASSWORDS.userinfo}'`);
    await client.query(`CREATE ROLE ${roleB} LOGIN SUPERUSER PASSWORD '${PASSWORDS.query}'`);
  } finally {
    await client.end();
  }
  const sample = await sampleLive(1);
  live = { url: sample.url, database: sample.database };
  writeFileSync(configFile, `checkpointDir: ${checkpointDir}\nlogDir: ${logDir}\n`);
}, TIMEOUT);

afterAll(async () => {
  await db.drop();
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  await client.query(`DROP ROLE IF EXISTS ${roleA}`);
  await client.query(`DROP ROLE IF EXISTS ${roleB}`);
  await client.end();
});

let runId = '';
let resumeLine = '';

test(
  'a run given both passwords with --flag=value pauses on SIGINT; its resume command holds no password and says where it comes from',
  async () => {
    const target = pgUrl(roleA, PASSWORDS.userinfo, db.name);
    expect(target).toContain('%2F'); // the percent-encoded spelling is in play
    const child = spawnMigrate(['--config', configFile, `--mongo-url=${liveMongoUrl(PASSWORDS.mongo)}`, `--target-url=${target}`, '--batch-size', '10']);
    // A real condition: a batch is committed in the target, then the pause is asked for.
    while (child.running() && (await committedBatches(db.pool)).batches < 1) await sleep(25);
    child.child.kill('SIGINT');
    const paused = await child.done;
    outputs.push({ run: 'paused migrate', result: paused });
    expect({ code: paused.code, tail: paused.stderr.split('\n').slice(-6).join('\n') }).toMatchObject({ code: 4 });

    resumeLine = /Resume with:\s*\n\s*(.+)/.exec(paused.stderr)?.[1] ?? '';
    const { rows } = await db.pool.query<{ run_id: string; status: string; target: string; source: string }>(`SELECT run_id, status, target, source FROM _migration.runs`);
    runId = rows[0]?.run_id ?? '';
    expect(rows).toEqual([{ run_id: expect.stringMatching(/^mongodb-[0-9a-f]{8}$/), status: 'paused', target: `postgresql://${roleA}:****@${host}:${port}/${db.name}`, source: expect.stringContaining('mongodb://migrator:****@') }]);
    const checkpoint = join(checkpointDir, `${runId}.json`);
    expect(resumeLine).toBe(
      `: "\${DATABASE_URL:?set DATABASE_URL to postgresql://${roleA}@${host}:${port}/${db.name} with its password}" && ` +
        `: "\${MONGO_URL:?set MONGO_URL to mongodb://migrator@${new URL(live.url).host}/${live.database}?authMechanism=PLAIN with its password}" && ` +
        `node dist/src/cli/migrate-cli.js --config ${configFile} --batch-size 10 --resume ${checkpoint}`,
    );
    const file = JSON.parse(readFileSync(checkpoint, 'utf8')) as { resumeCommand: string; target: string; status: string };
    expect(file).toMatchObject({ resumeCommand: resumeLine, target: rows[0]?.target, status: 'paused' });
    expect(readdirSync(checkpointDir)).toEqual(expect.arrayContaining([`${runId}.json`, `${runId}.json.bak`]));
  },
  TIMEOUT,
);

test(
  'the printed resume command, run as printed: refuses without the variables it names, touching nothing; resumes and completes with them',
  async () => {
    expect(resumeLine).not.toBe('');
    const bare = await runCommand('sh', ['-c', resumeLine]);
    outputs.push({ run: 'resume without env', result: bare });
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toContain('set DATABASE_URL to');
    expect((await db.pool.query<{ status: string }>(`SELECT status FROM _migration.runs`)).rows).toEqual([{ status: 'paused' }]);

    const resumed = await runCommand('sh', ['-c', resumeLine], { DATABASE_URL: pgUrl(roleA, PASSWORDS.userinfo, db.name), MONGO_URL: liveMongoUrl(PASSWORDS.mongo) });
    outputs.push({ run: 'resume with env', result: resumed });
    expect({ code: resumed.code, tail: resumed.stderr.split('\n').slice(-8).join('\n') }).toMatchObject({ code: 0 });
    expect(resumed.stderr).toContain(`resuming run ${runId}`);
    expect(resumed.stdout).toMatch(/^TOTAL +3,362 +3,355 +7 .* ok$/m);
    // The rollback command runs as printed too: no `****` for psql to fail on.
    // Shell-quoted only where the shell needs it.
    expect(resumed.stderr).toMatch(new RegExp(`psql '?postgresql://${roleA}@${host}:${port}/${db.name}'? -c 'DROP TABLE`));
    expect(resumed.stderr).toContain('psql asks for the password, or set PGPASSWORD');
    const archive = readdirSync(join(checkpointDir, 'archive'));
    expect(archive.some((f) => f.startsWith(runId) && f.endsWith('.json'))).toBe(true);
    expect(archive.some((f) => f.startsWith(runId) && f.endsWith('.json.bak'))).toBe(true);
  },
  TIMEOUT,
);

test(
  'the same run given its passwords by environment variable instead of flags is the same run (masking keeps identity)',
  async () => {
    const again = await run('migrate by env', 'migrate', ['--config', configFile, '--batch-size', '10'], {
      DATABASE_URL: pgUrl(roleA, PASSWORDS.userinfo, db.name),
      MONGO_URL: liveMongoUrl(PASSWORDS.mongo),
    });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`run ${runId} already completed`);
    // One run, not a second one under another id or hash.
    expect((await db.pool.query(`SELECT run_id FROM _migration.runs`)).rows).toEqual([{ run_id: runId }]);
  },
  TIMEOUT,
);

test(
  'validate --report and migration:errors --retry-failed with ?password=, &sslpassword= and --flag value spellings',
  async () => {
    const target = `${pgUrl(roleB, '', db.name)}?password=${PASSWORDS.query}&sslpassword=${PASSWORDS.sslpassword}`;
    const mongo = liveMongoUrl(PASSWORDS.mongoValidate);
    const validated = await run('validate', 'validate', ['--config', configFile, '--mongo-url', mongo, '--target-url', target, '--report', reportFile]);
    expect(validated.code).toBe(0);
    expect(JSON.parse(readFileSync(reportFile, 'utf8'))).toMatchObject({ ok: true, target: `postgresql://${roleB}@${host}:${port}/${db.name}?password=****&sslpassword=****` });

    const errors = await run('migration:errors', 'errors', ['--config', configFile, '--mongo-url', mongo, '--target-url', target, '--run-id', runId, '--retry-failed']);
    expect(errors.code).toBe(3); // the sample's 7 rejections are still rejected
    expect(errors.stderr).toContain('error log rewritten:');
    expect(readFileSync(join(logDir, `${runId}.rejected.jsonl`), 'utf8').trim().split('\n')).toHaveLength(7);
  },
  TIMEOUT,
);

test(
  'failing runs print the driver error, never the password in it',
  async () => {
    const target = pgUrl(roleA, PASSWORDS.userinfo, db.name);
    const mongo = liveMongoUrl(PASSWORDS.mongo);
    const failures: [string, string[], RegExp][] = [
      ['wrong database', ['--mongo-url', mongo, '--target-url', pgUrl(roleA, PASSWORDS.wrongDatabase, `${db.name}_missing`)], /does not exist|authentication failed/],
      ['refused port', [`--mongo-url=${mongo}`, `--target-url=${pgUrl(roleA, PASSWORDS.refusedPort, db.name, String(await freePort()))}`], /ECONNREFUSED/],
      ['libpq keyword string', ['--mongo-url', mongo, '--target-url', `host=${host} port=${port} user=${roleA} password=${PASSWORDS.keyword} dbname=${db.name}`], /ENOTFOUND|EAI_AGAIN|getaddrinfo/],
      ['mongodb+srv', ['--mongo-url', `mongodb+srv://migrator:${PASSWORDS.mongoSrv}@secrets-test.invalid/${live.database}`, '--target-url', target], /querySrv|ENOTFOUND|EAI_AGAIN|invalid/i],
    ];
    for (const [name, args, error] of failures) {
      const result = await run(name, 'migrate', ['--config', configFile, '--verbose', ...args]);
      expect({ name, code: result.code, stderr: result.stderr.slice(-600) }).toMatchObject({ name, code: 1 });
      expect({ name, stderr: result.stderr }).toMatchObject({ stderr: expect.stringMatching(error) });
    }
    // commander echoes a mistyped flag with its value: the guarded stderr masks it.
    const typo = await run('mistyped flag', 'migrate', [`--target-urll=${pgUrl(roleA, PASSWORDS.typo, db.name)}`]);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain(`unknown option '--target-urll=postgresql://${roleA}:****@`);
  },
  TIMEOUT,
);

test('not one password in any file the tool wrote, any output, or any _migration row', async () => {
  const files: string[] = [];
  const walk = (path: string): void => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    else files.push(path);
  };
  walk(checkpointDir);
  walk(logDir);
  walk(reportFile);
  // What must have been searched: the archived checkpoint and its .bak, the JSON log files, the report, the rejected file.
  expect(files.filter((f) => f.includes('/archive/') && f.endsWith('.json.bak')).length).toBe(1);
  expect(files.filter((f) => f.endsWith('.jsonl') && f.includes('/logs/migrate-')).length).toBeGreaterThanOrEqual(6);
  expect(files).toEqual(expect.arrayContaining([reportFile, join(logDir, `${runId}.rejected.jsonl`)]));
  expect(outputs.length).toBeGreaterThanOrEqual(10);

  const texts: { where: string; text: string }[] = [
    ...files.map((f) => ({ where: f, text: readFileSync(f, 'utf8') })),
    ...outputs.flatMap(({ run: name, result }) => [
      { where: `${name}: stdout`, text: result.stdout },
      { where: `${name}: stderr`, text: result.stderr },
    ]),
  ];
  const { rows: tables } = await db.pool.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = '_migration' ORDER BY 1`);
  expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['runs', 'progress', 'rejected', 'id_map']));
  for (const { table_name } of tables) {
    const { rows } = await db.pool.query<{ row: string }>(`SELECT t::text AS row FROM _migration."${table_name}" t`);
    texts.push({ where: `_migration.${table_name}`, text: rows.map((r) => r.row).join('\n') });
  }
  // The masked forms are there: the search looks at text that held the URLs.
  expect(texts.filter((t) => t.text.includes('****')).length).toBeGreaterThanOrEqual(10);

  const leaks: string[] = [];
  for (const [form, password] of Object.entries(PASSWORDS)) {
    for (const spelling of new Set([password, encodeURIComponent(password)])) {
      for (const { where, text } of texts) {
        const at = text.indexOf(spelling);
        if (at >= 0) leaks.push(`${form} in ${where}: …${text.slice(Math.max(0, at - 120), at + spelling.length + 20)}…`);
      }
    }
  }
  expect(leaks).toEqual([]);
});
