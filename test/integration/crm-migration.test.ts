import { readFileSync, readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { fingerprint, seededRandom, sleep, spawnMigrate, type CliOutcome, type Fingerprint } from '../support/interrupt-helpers.ts';
import { REPO_ROOT, runCommand } from '../support/run-cli.ts';
import { tempFile } from '../support/write-dump.ts';

// Issue 9: the second sample app (a CRM written the way a Mongoose app really is, ported to a
// Prisma schema its team wrote) migrates with configuration only: no transformer file. Killed
// three times at random moments and resumed, it ends identical to an uninterrupted run, and
// validate:migration finds the target equal to the source.

const TIMEOUT = 1_200_000;
const CONFIG = readFileSync(join(REPO_ROOT, 'sample', 'crm.migration.yaml'), 'utf8');
const SEED = Number(process.env['CRM_KILL_SEED'] ?? 20261201);

interface Dirt {
  collection: string;
  model: string;
  _id: string;
  field: string;
  kind: string;
  expected: 'reject-document' | 'set-null-and-report' | 'drop-link-and-report';
}
const DIRT = JSON.parse(readFileSync(join(REPO_ROOT, 'sample', 'crm', 'dirt.json'), 'utf8')) as Dirt[];

/** The bundled config with this test's own checkpoint and log folders, and the target. */
function connection(db: TestDatabase, work: string): string[] {
  const config = tempFile('migration.yaml', `${CONFIG}\ncheckpointDir: ${join(work, 'checkpoints')}\nlogDir: ${join(work, 'logs')}\n`);
  return ['--config', config, '--target-url', db.url];
}

/** Small batches, so that a kill lands between many commits. */
function args(db: TestDatabase, work: string): string[] {
  return [...connection(db, work), '--batch-size', '100'];
}

/** Junction tables whose `created_at` the database fills at load time, with the columns that identify a row. */
const LOAD_TIME = new Map([
  ['company_contacts', ['company_id', 'contact_id', 'role']],
  ['deal_contacts', ['deal_id', 'contact_id', 'role']],
]);

async function pairsChecksum(db: TestDatabase, table: string): Promise<{ rows: number; md5: string }> {
  const columns = (LOAD_TIME.get(table) ?? []).map((c) => `coalesce(${c}::text, '∅')`).join(` || '/' || `);
  const { rows } = await db.pool.query<{ n: number; md5: string }>(`SELECT count(*)::int AS n, md5(string_agg(${columns}, ',' ORDER BY ${columns})) AS md5 FROM ${table}`);
  return { rows: rows[0]?.n ?? 0, md5: rows[0]?.md5 ?? '' };
}

let reference: TestDatabase;
let expected: Fingerprint;
let referenceRun: CliOutcome;
/** Milliseconds from STEP 3 to STEP 4 of the reference run: the window the kills are drawn from. */
let loadMs = 0;

beforeAll(async () => {
  reference = await freshDatabase('crm_ref');
  const run = spawnMigrate(args(reference, mkdtempSync(join(tmpdir(), 'crm-ref-'))));
  referenceRun = await run.done;
  if (referenceRun.code !== 0) throw new Error(`the reference run failed (exit ${referenceRun.code}):\n${referenceRun.stderr}`);
  loadMs = (run.steps.get(4) ?? 0) - (run.steps.get(3) ?? 0);
  expected = await fingerprint(reference.pool);
}, TIMEOUT);
afterAll(async () => {
  await reference?.drop();
});

test('configuration only: no transformer runs, and the config names no transformer module', () => {
  expect(CONFIG).not.toMatch(/^transformers:/m);
  expect(referenceRun.stderr).not.toMatch(/transformers: /);
  expect(readdirSync(join(REPO_ROOT, 'transformers')).filter((f) => /crm|compan|contact|deal/i.test(f))).toEqual([]);
});

test('every planted fault ends as dirt.json says, and nothing else is rejected', async () => {
  const { rows } = await reference.pool.query<{ model: string; source_id: string }>(`SELECT model, source_id FROM _migration.rejected WHERE resolved_at IS NULL ORDER BY 1, 2`);
  const wanted = DIRT.filter((d) => d.expected === 'reject-document').map((d) => ({ model: d.model, source_id: d._id }));
  expect(rows).toEqual([...wanted].sort((a, b) => (a.model === b.model ? a.source_id.localeCompare(b.source_id) : a.model.localeCompare(b.model))));
});

test(
  'killed with SIGKILL three times at random moments and resumed: identical tables, then validate exits 0',
  async () => {
    const db = await freshDatabase('crm_kill');
    const work = mkdtempSync(join(tmpdir(), 'crm-kill-'));
    try {
      const rnd = seededRandom(SEED);
      let kills = 0;
      for (let attempt = 0; kills < 3; attempt++) {
        if (attempt > 12) throw new Error(`only ${kills} of 3 kills landed in 12 runs (seed ${SEED})`);
        const run = spawnMigrate(args(db, work));
        expect(await run.waitFor(/STEP 3/)).toBe(true);
        await sleep(Math.round(rnd() * loadMs * 0.9));
        if (!run.running()) continue;
        run.child.kill('SIGKILL');
        const killed = await run.done;
        if (killed.signal === 'SIGKILL') kills++;
      }
      const final = await spawnMigrate(args(db, work)).done;
      expect({ code: final.code, stderr: final.code === 0 ? '' : final.stderr }).toEqual({ code: 0, stderr: '' });
      const actual = await fingerprint(db.pool);
      // Junction rows get `created_at` from the database's `@default(now())` (the source has no such
      // value): those columns hold each run's own time, every other column is compared.
      const timeless = (f: Fingerprint) => Object.fromEntries(Object.entries(f.tables).filter(([t]) => !LOAD_TIME.has(t)));
      expect(timeless(actual)).toEqual(timeless(expected));
      for (const table of LOAD_TIME.keys()) expect({ table, ...(await pairsChecksum(db, table)) }).toEqual({ table, ...(await pairsChecksum(reference, table)) });
      expect(actual.idMap).toEqual(expected.idMap);
      expect(actual.rejected).toEqual(expected.rejected);
      expect(actual.constraints).toEqual(expected.constraints);

      const report = join(work, 'validate.json');
      const validated = await runCommand('npm', ['run', '--silent', 'validate:migration', '--', ...connection(db, work), '--report', report]);
      expect({ code: validated.code, out: validated.code === 0 ? '' : validated.stdout + validated.stderr }).toEqual({ code: 0, out: '' });
    } finally {
      await db.drop();
    }
  },
  TIMEOUT,
);
