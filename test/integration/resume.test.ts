/**
 * Stop, crash, resume: nothing duplicated, nothing lost.
 *
 * A reference run migrates the sample without interruption. Other runs into fresh databases
 * are killed (SIGKILL) and paused (SIGINT) at random moments, lose their PostgreSQL
 * connections, or lose their MongoDB server for a few seconds; each must end with exactly the
 * reference's tables, id map, rejections, summary, constraints and indexes.
 *
 * The kill moments come from a seeded PRNG: RESUME_SEED=<n> replays a run's schedule.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { generateSample, writeMongo, type Sample } from '../../scripts/sample/index.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { startFerretDB, type FerretServer } from '../support/ferretdb.ts';
import { committedBatches, crashFerretDB, fingerprint, printedCounts, seededRandom, sleep, spawnMigrate, type CliOutcome, type Fingerprint, type MigrateChild } from '../support/interrupt-helpers.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { sampleDump } from '../support/sample-source.ts';

const SCALE = 3; // ~10k documents: one uninterrupted CLI run with --batch-size 50 takes several seconds
const BATCH = 50;
const SEED = Number(process.env['RESUME_SEED'] ?? Math.floor(Math.random() * 2 ** 32));
// An upper bound for a loaded 2-core machine, not a speed expectation: the kill loop runs the CLI about 16 times.
const TIMEOUT = 1_200_000;
const RETRY = { retries: 10, minDelayMs: 100, maxDelayMs: 1000 };

function log(line: string): void {
  process.stderr.write(`[resume] ${line}\n`);
}

interface Workspace {
  dir: string;
  config: string;
  checkpointDir: string;
  logDir: string;
}

/** A YAML config that keeps checkpoints and logs out of the repository. */
function workspace(dumpDir: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'resume-'));
  const checkpointDir = join(dir, 'checkpoints');
  const logDir = join(dir, 'logs');
  const config = join(dir, 'migration.yaml');
  writeFileSync(config, `source:\n  kind: mongodump\n  path: ${dumpDir}\ncheckpointDir: ${checkpointDir}\nlogDir: ${logDir}\n`);
  return { dir, config, checkpointDir, logDir };
}

function cliArgs(ws: Workspace, dumpDir: string, db: TestDatabase): string[] {
  return ['--config', ws.config, '--dump', dumpDir, '--target-url', db.url, '--batch-size', String(BATCH)];
}

let dump: { sample: Sample; dir: string };
let reference: TestDatabase;
let referenceFingerprint: Fingerprint;
let referenceStdout: string;
/** Milliseconds of the uninterrupted CLI run: spawn → STEP 3, STEP 3 → STEP 4, STEP 4 → STEP 5, total. */
const timing = { startup: 0, load: 0, complete: 0, total: 0 };

beforeAll(async () => {
  dump = await sampleDump(SCALE);
  reference = await freshDatabase('resume_ref');
  const ws = workspace(dump.dir);
  const run = spawnMigrate(cliArgs(ws, dump.dir, reference));
  const result = await run.done;
  if (result.code !== 0) throw new Error(`the reference run failed (exit ${result.code}):\n${result.stderr}`);
  referenceStdout = result.stdout;
  const at = (n: number) => run.steps.get(n) ?? Number.NaN;
  Object.assign(timing, { startup: at(3), load: at(4) - at(3), complete: at(5) - at(4), total: result.ms });
  log(`reference CLI run: ${(timing.total / 1000).toFixed(1)} s (startup ${timing.startup.toFixed(0)} ms, load ${timing.load.toFixed(0)} ms, STEP 4 ${timing.complete.toFixed(0)} ms)`);
  referenceFingerprint = await fingerprint(reference.pool);
}, TIMEOUT);

afterAll(async () => {
  await reference?.drop();
});

test('the reference run is whole: balanced counts, every table and constraint present', () => {
  expect(Object.keys(referenceFingerprint.tables)).toHaveLength(15);
  expect(referenceFingerprint.idMap.rows).toBeGreaterThan(9_000);
  expect(referenceFingerprint.summary).toEqual([{ status: 'completed', summary: expect.objectContaining({ balanced: true }) }]);
  expect(referenceFingerprint.constraints.filter((c) => c.endsWith(':f'))).toHaveLength(20);
  expect(printedCounts(referenceStdout)).toContain('TOTAL 10,009 10,002 7 0 ok');
  // No bound on the run's duration: kill moments are drawn from this run's own timings, and the
  // kill test checks that they landed in every step, on a fast machine as on a loaded one.
  expect(timing.startup > 0 && timing.load > 0 && timing.complete > 0).toBe(true);
});

describe('killed with SIGKILL and paused with SIGINT at random moments, resumed each time', () => {
  type Anchor = 'spawn' | 'STEP 3' | 'STEP 4';
  interface Interrupt {
    signal: 'SIGKILL' | 'SIGINT';
    anchor: Anchor;
    delayMs: number;
  }
  interface Landed extends Interrupt {
    run: number;
    /** The last STEP the run had announced when the signal was sent. */
    step: number;
  }
  type ProgressRow = Record<string, unknown> & { model: string; read: number };
  /** A checkpoint file read right after an interrupted run, with the target's progress rows at that moment. */
  interface Snapshot {
    after: string;
    text: string;
    progress: ProgressRow[];
  }
  interface Pause {
    where: string;
    step: number;
    code: number | null;
    signal: NodeJS.Signals | null;
    output: string;
    checkpoint: string;
    status: unknown;
    snapshot: Snapshot | undefined;
  }

  let db: TestDatabase;
  let ws: Workspace;
  let runId = '';
  let completed = false;
  const landed: Landed[] = [];
  const pauses: Pause[] = [];
  const snapshots: Snapshot[] = [];

  beforeAll(async () => {
    db = await freshDatabase('resume_kill');
    ws = workspace(dump.dir);
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** The interrupts, in order: startup, load and pause moments shuffled, then two in STEP 4. */
  function schedule(): Interrupt[] {
    const rnd = seededRandom(SEED);
    const uniform = (lo: number, hi: number) => Math.round(lo + (hi - lo) * rnd());
    const early: Interrupt[] = [
      ...Array.from({ length: 5 }, () => ({ signal: 'SIGKILL' as const, anchor: 'spawn' as const, delayMs: uniform(10, timing.startup * 0.9) })),
      ...Array.from({ length: 6 }, () => ({ signal: 'SIGKILL' as const, anchor: 'STEP 3' as const, delayMs: uniform(0, timing.load * 0.12) })),
      ...Array.from({ length: 3 }, () => ({ signal: 'SIGINT' as const, anchor: 'STEP 3' as const, delayMs: uniform(timing.load * 0.02, timing.load * 0.12) })),
    ];
    for (let i = early.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [early[i], early[j]] = [early[j] as Interrupt, early[i] as Interrupt];
    }
    const late = Array.from({ length: 2 }, () => ({ signal: 'SIGKILL' as const, anchor: 'STEP 4' as const, delayMs: uniform(0, timing.complete * 0.6) }));
    return [...early, ...late];
  }

  async function interrupt(run: MigrateChild, plan: Interrupt): Promise<{ step: number } | undefined> {
    if (plan.anchor !== 'spawn' && !(await run.waitFor(new RegExp(plan.anchor)))) return undefined;
    await sleep(plan.delayMs);
    if (!run.running()) return undefined;
    const step = run.lastStep();
    run.child.kill(plan.signal);
    return { step };
  }

  test(
    'every table, the id map, the rejections and the summary equal the uninterrupted run',
    async () => {
      const plans = schedule();
      log(`kill seed ${SEED} (replay with RESUME_SEED=${SEED}); schedule: ${plans.map((p) => `${p.signal}@${p.anchor}+${p.delayMs}ms`).join(', ')}`);
      const args = cliArgs(ws, dump.dir, db);
      const state = new pg.Pool({ connectionString: db.url, max: 1 });
      const progressRows = async (): Promise<ProgressRow[]> =>
        (
          await state.query<ProgressRow>(
            `SELECT model, collection, status, cursor, source_count::float8 AS "sourceCount", read::float8 AS read, written::float8 AS written, rejected::float8 AS rejected, skipped::float8 AS skipped
               FROM _migration.progress ORDER BY model`,
          )
        ).rows;
      let resumeFrom: string | undefined;
      let resumedByFile = 0;
      let final: CliOutcome | undefined;
      try {
        for (let i = 0; ; i++) {
          if (i > plans.length + 5) throw new Error('the run never completed');
          const plan = plans[i];
          const runArgs = resumeFrom ? [...args, '--resume', resumeFrom] : args;
          if (resumeFrom) resumedByFile++;
          resumeFrom = undefined;
          const run = spawnMigrate(runArgs);
          let hit = plan ? await interrupt(run, plan) : undefined;
          const result = await run.done;
          // A kill sent as the run was exiting on its own does not count as one.
          if (plan?.signal === 'SIGKILL' && result.code === 0) hit = undefined;
          const where = `run ${i + 1}${plan ? ` (${plan.signal}@${plan.anchor}+${plan.delayMs}ms)` : ''}${runArgs === args ? '' : ' --resume <file>'}, seed ${SEED}`;
          const committed = await committedBatches(state);
          if (!plan || !hit) {
            log(`${where}: ${plan ? 'interrupt did not land; ' : ''}exit ${result.code ?? result.signal} after ${(result.ms / 1000).toFixed(1)} s`);
            expect({ where, code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ where, code: 0, stderr: '' });
            final = result;
            break;
          }
          landed.push({ ...plan, run: i + 1, step: hit.step });
          log(`${where}: sent at STEP ${hit.step || '-'}, exit ${result.code ?? result.signal} after ${(result.ms / 1000).toFixed(2)} s; target: ${committed.batches} batches committed, phase ${committed.phase ?? '-'}`);
          runId = (await state.query<{ run_id: string }>(`SELECT run_id FROM _migration.runs`).catch(() => ({ rows: [] as { run_id: string }[] }))).rows[0]?.run_id ?? runId;
          const checkpoint = runId ? join(ws.checkpointDir, `${runId}.json`) : '';
          const snapshot = checkpoint && existsSync(checkpoint) ? { after: where, text: readFileSync(checkpoint, 'utf8'), progress: await progressRows() } : undefined;
          if (snapshot && committed.phase === 'load') snapshots.push(snapshot);

          if (plan.signal === 'SIGKILL') {
            // Nothing else may end the run: no crash, no refusal.
            expect({ where, code: result.code, signal: result.signal, stderr: result.signal === 'SIGKILL' ? '' : result.stderr }).toEqual({ where, code: null, signal: 'SIGKILL', stderr: '' });
            continue;
          }
          const { rows: status } = await state.query(`SELECT status, phase FROM _migration.runs`);
          const output = result.stdout + result.stderr;
          pauses.push({ where, step: hit.step, code: result.code, signal: result.signal, output, checkpoint, status, snapshot });
          // The first pause resumes through the checkpoint file (the one its output names, or else the one on disk);
          // every other run finds its run in the target by itself.
          if (pauses.length === 1) resumeFrom = /--resume (\S+)/.exec(output)?.[1] ?? (snapshot ? checkpoint : undefined);
        }
      } finally {
        await state.end();
        const byStep = new Map<string, number>();
        for (const l of landed) {
          const key = `${l.signal} in ${['startup (before STEP 1)', 'STEP 1', 'STEP 2', 'STEP 3 load', 'STEP 4 complete', 'STEP 5 summary'][l.step] ?? l.step}`;
          byStep.set(key, (byStep.get(key) ?? 0) + 1);
        }
        log(`kill seed ${SEED}: ${landed.length} interrupts landed: ${[...byStep].map(([k, n]) => `${n}× ${k}`).join(', ')}; resumed by checkpoint file ${resumedByFile}×`);
      }

      expect(landed.filter((l) => l.signal === 'SIGKILL').length).toBeGreaterThanOrEqual(10);
      expect(landed.some((l) => l.step <= 2)).toBe(true);
      expect(landed.some((l) => l.step === 3)).toBe(true);
      expect(resumedByFile).toBeGreaterThanOrEqual(1);
      // The last run found the interrupted run in the target by itself and finished it.
      expect(final?.stderr).toContain(`resuming run ${runId}`);

      expect(await fingerprint(db.pool)).toEqual(referenceFingerprint);
      expect(printedCounts(final?.stdout ?? '')).toEqual(printedCounts(referenceStdout));
      completed = true;
    },
    TIMEOUT,
  );

  test('SIGINT pauses: the batch in flight finishes, exit code 4, the resume command printed, the checkpoint saved', () => {
    expect(pauses.length).toBeGreaterThanOrEqual(2);
    for (const p of pauses) {
      const shown = { where: p.where, code: p.code, signal: p.signal, status: p.status, output: p.output.split('\n').slice(-4).join('\n') };
      expect(shown).toEqual({ ...shown, code: 4, signal: null, status: [{ status: 'paused', phase: 'load' }] });
      expect(p.output).toContain('Resume with:');
      const resumeCommand = /Resume with:\s*\n\s*(.+)/.exec(p.output)?.[1] ?? '';
      expect(resumeCommand).toContain(`--resume ${p.checkpoint}`);
      expect(resumeCommand).toContain(`--dump ${dump.dir}`);
      // A pause writes the file from the target's progress rows: they agree exactly.
      const file = JSON.parse(p.snapshot?.text ?? '{}') as { status?: string; models?: Record<string, Record<string, unknown>> };
      expect(file.status).toBe('paused');
      expect(Object.entries(file.models ?? {}).map(([model, m]) => ({ model, ...m }))).toEqual(p.snapshot?.progress);
    }
  });

  test('the checkpoint file of an interrupted run mirrors the target', async () => {
    expect(snapshots.length).toBeGreaterThanOrEqual(1);
    const { rows } = await db.pool.query<{ run_id: string; config_hash: string; source: string; target: string }>(`SELECT run_id, config_hash, source, target FROM _migration.runs`);
    const run = rows[0];
    expect(run?.run_id).toMatch(/^mongodump-[0-9a-f]{8}$/);
    const maskedTarget = new URL(db.url);
    if (maskedTarget.password) maskedTarget.password = '****';
    for (const { after, text, progress } of snapshots) {
      const file = JSON.parse(text) as Record<string, unknown> & { models: Record<string, Record<string, unknown> & { read: number }> };
      expect({ after, ...file }).toMatchObject({ after, format: 1, runId: run?.run_id, configHash: run?.config_hash, source: run?.source, target: maskedTarget.toString(), phase: 'load' });
      expect(['running', 'paused']).toContain(file['status']);
      expect(file['configHash']).toMatch(/^[0-9a-f]{16}$/);
      expect(file['source']).toBe(`mongodump:${join(dump.dir, 'shop')}`);
      expect(String(file['resumeCommand'])).toContain(`--resume ${join(ws.checkpointDir, `${run?.run_id}.json`)}`);
      expect(Object.keys(file.models).sort()).toEqual(progress.map((p) => p.model));
      let started = 0;
      for (const row of progress) {
        const m = file.models[row.model];
        expect(m).toEqual({ collection: row['collection'], status: expect.any(String), cursor: m?.['cursor'] === null ? null : { offset: expect.any(Number) }, sourceCount: row['sourceCount'], read: expect.any(Number), written: expect.any(Number), rejected: expect.any(Number), skipped: expect.any(Number) });
        if (!m) continue;
        if (m['cursor'] !== null) started++;
        expect(m.read).toBe(Number(m['written']) + Number(m['rejected']) + Number(m['skipped']));
        // The file mirrors a committed state (at most once a second between batches, so a per-batch
        // rewrite never costs the load): it never claims more than the target holds, and what it
        // shows is a batch boundary the target passed, not a half-written state.
        const behind = row.read - m.read;
        expect({ after, model: row.model, behind, committedState: behind >= 0 && (m.read % BATCH === 0 || behind === 0) }).toMatchObject({ committedState: true });
        if (behind === 0) expect(m['cursor']).toEqual(row['cursor']);
      }
      // A kill can land after the file is first written and before any batch commits; a model the
      // file shows records read for must show its cursor with them.
      expect(started).toBeGreaterThanOrEqual(Object.values(file.models).filter((m) => m.read > 0).length);
    }
  });

  test('on success the checkpoint moved to <checkpointDir>/archive/', () => {
    expect(completed).toBe(true);
    expect(existsSync(join(ws.checkpointDir, `${runId}.json`))).toBe(false);
    const archived = readdirSync(join(ws.checkpointDir, 'archive')).filter((f) => f.startsWith(`${runId}-`) && f.endsWith('.json'));
    expect(archived).toHaveLength(1);
    const file = JSON.parse(readFileSync(join(ws.checkpointDir, 'archive', archived[0] ?? ''), 'utf8')) as { status: string; phase: string; models: Record<string, { written: number; rejected: number; skipped: number; sourceCount: number; status: string }> };
    expect(file).toMatchObject({ status: 'completed', phase: 'done', runId });
    for (const m of Object.values(file.models)) {
      expect(m.status).toBe('loaded');
      expect(m.written + m.rejected + m.skipped).toBe(m.sourceCount);
    }
  });

  test('no checkpoint file or log of the interrupted runs shows the target password', () => {
    const password = decodeURIComponent(new URL(db.url).password);
    if (!password) return; // nothing that could leak
    const leaks: string[] = [];
    for (const { after, text } of snapshots) if (text.includes(password)) leaks.push(`checkpoint after ${after}: ${/"resumeCommand": .*/.exec(text)?.[0] ?? ''}`);
    for (const f of readdirSync(ws.logDir)) {
      const line = readFileSync(join(ws.logDir, f), 'utf8').split('\n').find((l) => l.includes(password));
      if (line) leaks.push(`${f}: ${line.slice(0, 300)}`);
    }
    expect(leaks).toEqual([]);
  });

  test('running the same command again after success changes nothing', async () => {
    expect(completed).toBe(true);
    const again = await spawnMigrate(cliArgs(ws, dump.dir, db)).done;
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`run ${runId} already completed`);
    expect(await fingerprint(db.pool)).toEqual(referenceFingerprint);
  });
});

test(
  "PostgreSQL terminates the tool's connections mid-load: the run retries from its checkpoint and ends identical",
  async () => {
    const db = await freshDatabase('resume_term');
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    const terminations: { batches: number; phase: string | null; killed: number; busy: number }[] = [];
    let finished = false;
    try {
      const running = migrateForTest({ source: { kind: 'mongodump', path: dump.dir }, targetUrl: db.url, overrides: { batchSize: 25, retry: RETRY } }).finally(() => {
        finished = true;
      });
      const attack = (async () => {
        // Each termination waits for the load to have moved on by batches, not by time: a faster
        // tool must still meet all three.
        let next = 8;
        for (let n = 0; n < 3 && !finished; n++) {
          while (!finished && (await committedBatches(watcher)).batches < next) await sleep(10);
          // Wait for a moment when one of the tool's connections is inside a statement or transaction.
          for (let t = 0; t < 100 && !finished; t++) {
            const { rows } = await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'prisma-pg-migrator' AND datname = current_database() AND state <> 'idle'`);
            if (rows.length > 0) break;
            await sleep(10);
          }
          const { batches, phase } = await committedBatches(watcher);
          if (phase !== 'load') break;
          const { rows } = await watcher.query<{ state: string; killed: boolean }>(
            `SELECT state, pg_terminate_backend(pid) AS killed FROM pg_stat_activity
              WHERE application_name = 'prisma-pg-migrator' AND datname = current_database() AND pid <> pg_backend_pid()`,
          );
          terminations.push({ batches, phase, killed: rows.filter((r) => r.killed).length, busy: rows.filter((r) => r.killed && r.state !== 'idle').length });
          next = batches + 30;
        }
      })();
      const [result] = await Promise.all([running, attack]);
      const total = await committedBatches(watcher);
      log(`pg_terminate_backend: ${terminations.map((t) => `at ${t.batches} batches ${t.killed} connection(s) (${t.busy} busy)`).join('; ')}; ${total.batches} batches in all`);
      expect(result.status).toBe('completed');
      expect(terminations).toHaveLength(3);
      for (const t of terminations) expect(t).toMatchObject({ phase: 'load', killed: expect.any(Number) });
      expect(terminations.every((t) => t.killed > 0)).toBe(true);
      expect(terminations.some((t) => t.busy > 0)).toBe(true);
      expect(total.batches).toBeGreaterThan(terminations[2]?.batches ?? Infinity);
      expect(await fingerprint(db.pool)).toEqual(referenceFingerprint);
    } finally {
      await watcher.end();
      await db.drop();
    }
  },
  TIMEOUT,
);

test(
  'the MongoDB-wire server crashes mid-load and is back after 3 s: the run waits, resumes from its checkpoint and ends identical',
  async () => {
    let ferret: FerretServer | undefined;
    const ref = await freshDatabase('resume_live_ref');
    const db = await freshDatabase('resume_live');
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    try {
      ferret = await startFerretDB();
      const server = ferret;
      await writeMongo(server.url, 'shop', generateSample({ scale: 1, money: 'double' }), () => {});
      const source = { kind: 'mongodb' as const, url: server.url, database: 'shop' };

      const baseline = await migrateForTest({ source, targetUrl: ref.url });
      expect(baseline.status).toBe('completed');

      let finished = false;
      const outage: { batches: number; phase: string | null; downMs: number; afterRestart: number } = { batches: -1, phase: null, downMs: 0, afterRestart: -1 };
      const running = migrateForTest({ source, targetUrl: db.url, overrides: { batchSize: 25, retry: RETRY } }).finally(() => {
        finished = true;
      });
      const attack = (async () => {
        let seen = await committedBatches(watcher);
        while (!finished && seen.batches < 4) {
          await sleep(20);
          seen = await committedBatches(watcher);
        }
        if (finished) return;
        Object.assign(outage, seen);
        const down = performance.now();
        await crashFerretDB(server);
        await sleep(3_000);
        outage.afterRestart = (await committedBatches(watcher)).batches;
        await server.restart();
        outage.downMs = performance.now() - down;
      })();
      const [result] = await Promise.all([running, attack]);
      const total = await committedBatches(watcher);
      log(`FerretDB killed at ${outage.batches} batches (phase ${outage.phase}) for ${(outage.downMs / 1000).toFixed(1)} s; ${outage.afterRestart} batches while down; ${total.batches} batches in all`);
      expect(result.status).toBe('completed');
      expect(outage.phase).toBe('load');
      expect(outage.downMs).toBeGreaterThan(3_000);
      // Nothing moves without the server (beyond a batch in flight and one already buffered per model), and the
      // run goes on once it is back.
      expect(outage.afterRestart - outage.batches).toBeLessThanOrEqual(4);
      expect(total.batches).toBeGreaterThan(outage.afterRestart);
      const [expected, actual] = [await fingerprint(ref.pool), await fingerprint(db.pool)];
      expect(actual).toEqual(expected);
      expect(actual.summary).toEqual([{ status: 'completed', summary: expect.objectContaining({ balanced: true }) }]);
    } finally {
      await watcher.end();
      await ferret?.stop();
      await ref.drop();
      await db.drop();
    }
  },
  TIMEOUT,
);
