/**
 * Helpers for the stop/crash/resume tests: a CLI child that can be killed at a chosen moment,
 * a seeded PRNG for those moments, and a fingerprint of everything a run leaves in the target.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { fillIdMap } from '../../src/target/id-identity.ts';
import { tableChecksum } from './databases.ts';
import type { FerretServer } from './ferretdb.ts';
import { childEnv, cliArgs, REPO_ROOT, type CliName } from './run-cli.ts';
import { seededRandom } from './seeded-random.ts';
export { seededRandom };

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}


export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A running `migrate` CLI (compiled, as `npm run migrate:mongo-to-postgres` runs it). */
export interface MigrateChild {
  child: ChildProcess;
  startedAt: number;
  /** Arrival time (ms since spawn) of the first line announcing each STEP. */
  steps: Map<number, number>;
  /** The highest STEP announced so far (0 before STEP 1). */
  lastStep(): number;
  output(): string;
  running(): boolean;
  /** Resolves true once the output matches, false if the process ends first. */
  waitFor(pattern: RegExp): Promise<boolean>;
  done: Promise<CliOutcome>;
}

/** `cli` names another compiled CLI to run the same way (migration:sync). */
export function spawnMigrate(args: readonly string[], timeoutMs = 600_000, cli: CliName = 'migrate'): MigrateChild {
  const startedAt = performance.now();
  const child = spawn(process.execPath, cliArgs(cli, args), { cwd: REPO_ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exited = false;
  const steps = new Map<number, number>();
  const waiters: { pattern: RegExp; resolve: (hit: boolean) => void }[] = [];
  const check = () => {
    const all = stdout + stderr;
    for (const m of all.matchAll(/STEP (\d)/g)) {
      const n = Number(m[1]);
      if (!steps.has(n)) steps.set(n, performance.now() - startedAt);
    }
    for (const w of [...waiters]) {
      if (w.pattern.test(all)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(true);
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliOutcome>((resolveDone, rejectDone) => {
    child.on('error', rejectDone);
    child.on('close', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      check();
      for (const w of waiters.splice(0)) w.resolve(false);
      resolveDone({ code, signal, stdout, stderr, ms: performance.now() - startedAt });
    });
  });
  return {
    child,
    startedAt,
    steps,
    lastStep: () => Math.max(0, ...steps.keys()),
    output: () => stdout + stderr,
    running: () => !exited && child.exitCode === null && child.signalCode === null,
    waitFor(pattern) {
      if (pattern.test(stdout + stderr)) return Promise.resolve(true);
      if (exited) return Promise.resolve(false);
      return new Promise((resolveWait) => waiters.push({ pattern, resolve: resolveWait }));
    },
    done,
  };
}

export interface Fingerprint {
  /** Every table of schema public: row count and an order-independent md5 of its content. */
  tables: Record<string, { rows: number; md5: string }>;
  /** `_migration.id_map` (after fillIdMap), ordered: row count and md5. */
  idMap: { rows: number; md5: string };
  /** `_migration.rejected` without its serial id, run id and timestamps, sorted. */
  rejected: string[];
  /** The completed run's summary without the timings. */
  summary: unknown;
  /** Constraints and indexes of schema public. */
  constraints: string[];
  indexes: string[];
}

/** Everything a finished run leaves in its target that must not depend on how it got there. */
export async function fingerprint(pool: pg.Pool): Promise<Fingerprint> {
  const { rows: tableRows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const tables: Fingerprint['tables'] = {};
  for (const { table_name } of tableRows) tables[table_name] = await tableChecksum(pool, table_name);
  // The id map as it reads: a direct copy's marked rows written out first, as every reader does.
  await fillIdMap(pool);
  const { rows: idRows } = await pool.query<{ n: string; md5: string }>(
    `SELECT count(*) AS n, md5(coalesce(string_agg(concat_ws('|', model, source_id, source_kind, uuid::text), E'\\n' ORDER BY model, source_id), '')) AS md5 FROM _migration.id_map`,
  );
  const { rows: rejectedRows } = await pool.query<{ line: string }>(
    `SELECT concat_ws('|', model, source_id, source_kind, stage, reason, md5(document)) AS line FROM _migration.rejected ORDER BY 1`,
  );
  const { rows: runs } = await pool.query<{ status: string; summary: Summary | null }>(`SELECT status, summary FROM _migration.runs`);
  const { rows: constraints } = await pool.query<{ c: string }>(
    `SELECT concat_ws(':', conrelid::regclass::text, conname, contype::text) AS c FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
  );
  const { rows: indexes } = await pool.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`);
  return {
    tables,
    idMap: { rows: Number(idRows[0]?.n ?? 0), md5: idRows[0]?.md5 ?? '' },
    rejected: rejectedRows.map((r) => r.line),
    summary: runs.map((r) => ({ status: r.status, summary: withoutTimings(r.summary) })),
    constraints: constraints.map((r) => r.c),
    indexes: indexes.map((r) => r.indexname),
  };
}

interface Summary {
  models: { model: string; source: number; written: number; rejected: number; skipped: number; balanced: boolean }[];
  derived: unknown[];
  totals: { source: number; written: number; rejected: number; skipped: number };
  balanced: boolean;
}

function withoutTimings(summary: Summary | null): unknown {
  if (!summary) return null;
  return {
    models: summary.models.map(({ model, source, written, rejected, skipped, balanced }) => ({ model, source, written, rejected, skipped, balanced })),
    derived: summary.derived,
    totals: { source: summary.totals.source, written: summary.totals.written, rejected: summary.totals.rejected, skipped: summary.totals.skipped },
    balanced: summary.balanced,
  };
}

/** The summary table's count columns as printed by the CLI (timings left out). */
export function printedCounts(stdout: string): string[] {
  return [...stdout.matchAll(/^(\w+) +([\d,]+) +([\d,]+) +([\d,]+) +([\d,]+) +[\d.]+ +[\d,-]+ +(ok|MISMATCH)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]} ${m[5]} ${m[6]}`);
}

/** Sum of committed batches in the target, or -1 while the state schema does not exist yet. */
export async function committedBatches(client: pg.Client | pg.Pool): Promise<{ batches: number; phase: string | null }> {
  try {
    const { rows } = await client.query<{ batches: string | null; phase: string | null }>(
      `SELECT (SELECT sum(batches) FROM _migration.progress) AS batches, (SELECT min(phase) FROM _migration.runs) AS phase`,
    );
    return { batches: Number(rows[0]?.batches ?? 0), phase: rows[0]?.phase ?? null };
  } catch {
    return { batches: -1, phase: null };
  }
}

/**
 * Crashes a FerretDB server: SIGKILL, so its client connections drop at once (stop() would let them
 * finish for up to 3 s first). The wrapper is then told, so restart() starts it again.
 */
export async function crashFerretDB(server: FerretServer): Promise<void> {
  const pid = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .find((entry) => {
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        return args.includes('-listen') && args.includes(`127.0.0.1:${server.port}`) && args.includes(server.dataDir);
      } catch {
        return false;
      }
    });
  if (pid === undefined) throw new Error(`no FerretDB process listening on port ${server.port}`);
  process.kill(Number(pid), 'SIGKILL');
  await server.stop();
}
