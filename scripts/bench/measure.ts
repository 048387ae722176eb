import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { BackendCpuWatcher } from './backend-cpu.ts';
import { postgresCpuSeconds, readProcs, treeOf, type ProcStat } from './proc-stats.ts';

/** What one measured command cost. CPU in seconds, memory in bytes. */
export interface Measured {
  exitCode: number;
  /** Killed after `timeoutMs`. */
  timedOut: boolean;
  wallSeconds: number;
  /** user + system CPU of the command and every descendant (from `/usr/bin/time`, else sampled). */
  cpuSeconds: number;
  /** The largest sum of RSS over the process tree seen in one sample (every 100 ms). */
  peakTreeRss: number;
  /** The largest RSS of a single process of the tree (the tool's node, pgloader, …). */
  peakProcessRss: number;
  /** CPU of the backends serving the run's database (sampled every 20 ms: a lower bound). */
  postgresCpuSeconds: number;
  /** CPU of the whole PostgreSQL server during the run, every client's included (the server is shared). */
  postgresServerCpuSeconds: number;
  /** CPU the bench itself spent meanwhile, polling /proc: taken from the same cores as the run. */
  samplerCpuSeconds: number;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr of the command go here. */
  logFile: string;
  /** stdout alone goes here instead (a report printed as JSON), stderr still to `logFile`. */
  stdoutFile?: string;
  /** The database the command writes: its backends' CPU is measured. */
  database?: string;
  timeoutMs?: number;
  sampleMs?: number;
}

const TIME = '/usr/bin/time';

/** Process groups being measured now, so an interrupted bench can end them (they are detached). */
const live = new Set<number>();

/** SIGKILLs every process group still being measured. */
export function killMeasured(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/**
 * Runs `argv` as a process group of its own and measures it from outside: wall time, CPU of the
 * whole tree, peak RSS (polled from /proc), and the CPU PostgreSQL spent meanwhile: its backends
 * for the run's database, and the whole server. The command runs under GNU time when it is
 * installed, because a poll misses the last moments of every short-lived child (a `psql` per
 * table), while time's getrusage of the waited tree misses nothing.
 */
export async function measure(argv: readonly string[], options: MeasureOptions): Promise<Measured> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('measure: empty command');
  const timeFile = `${options.logFile}.time`;
  rmSync(timeFile, { force: true });
  const withTime = existsSync(TIME);
  const full = withTime ? [TIME, '-f', '%U %S', '-o', timeFile, '--', cmd, ...args] : [cmd, ...args];
  const out = openSync(options.logFile, 'w');
  const stdout = options.stdoutFile === undefined ? out : openSync(options.stdoutFile, 'w');
  const pgBefore = postgresCpuSeconds();
  const backends = options.database === undefined ? undefined : new BackendCpuWatcher(options.database);
  backends?.start();
  const started = performance.now();
  const ownCpu = process.cpuUsage();
  const child = spawn(full[0] as string, full.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', stdout, out], detached: true });
  closeSync(out);
  if (stdout !== out) closeSync(stdout);
  if (child.pid !== undefined) live.add(child.pid);
  let peakTreeRss = 0;
  let peakProcessRss = 0;
  const lastCpu = new Map<number, number>(); // the fallback without GNU time: last CPU seen per pid
  const sample = (): void => {
    if (child.pid === undefined) return;
    const procs = readProcs();
    const tree = treeOf(child.pid, procs).filter((p) => !(withTime && p.pid === child.pid));
    peakTreeRss = Math.max(peakTreeRss, tree.reduce((a, p) => a + p.rss, 0));
    peakProcessRss = Math.max(peakProcessRss, ...tree.map((p: ProcStat) => p.rss));
    for (const p of tree) lastCpu.set(p.pid, p.cpu);
  };
  const timer = setInterval(sample, options.sampleMs ?? 100);
  let timedOut = false;
  const killer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        }, options.timeoutMs);
  const exitCode = await new Promise<number>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  if (child.pid !== undefined) live.delete(child.pid);
  clearInterval(timer);
  clearTimeout(killer);
  const postgres = backends?.stop() ?? 0;
  const own = process.cpuUsage(ownCpu);
  const postgresServer = postgresCpuSeconds() - pgBefore;
  let cpuSeconds = [...lastCpu.values()].reduce((a, b) => a + b, 0);
  if (withTime && existsSync(timeFile)) {
    // GNU time writes "Command exited with non-zero status N" before the format line then.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [user, system] = last.split(' ').map(Number);
    if (Number.isFinite(user) && Number.isFinite(system)) cpuSeconds = (user as number) + (system as number);
    rmSync(timeFile, { force: true });
  }
  return { exitCode, timedOut, wallSeconds, cpuSeconds, peakTreeRss, peakProcessRss, postgresCpuSeconds: postgres, postgresServerCpuSeconds: postgresServer, samplerCpuSeconds: (own.user + own.system) / 1e6 };
}
