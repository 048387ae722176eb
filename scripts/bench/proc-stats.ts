import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc/<pid>/stat describes it, CPU in seconds, RSS in bytes. */
export interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime of the process itself. */
  cpu: number;
  /** cutime + cstime: the CPU of its children that it has waited for (reaped). */
  childCpu: number;
  rss: number;
}

function sysconf(name: string, fallback: number): number {
  const out = spawnSync('getconf', [name], { encoding: 'utf8' });
  const n = Number(out.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

const TICKS = sysconf('CLK_TCK', 100);
const PAGE = sysconf('PAGESIZE', 4096);

/**
 * Parses one /proc/<pid>/stat line. `comm` is in parentheses and may hold spaces or `)`, so the
 * fields are counted from the last `)`: state is field 3, ppid 4, utime..cstime 14–17, rss 24 (pages).
 */
export function parseStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = line.slice(close + 2).split(' ');
  const field = (n: number): number => Number(rest[n - 3]);
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    ppid: field(4),
    cpu: (field(14) + field(15)) / TICKS,
    childCpu: (field(16) + field(17)) / TICKS,
    rss: field(24) * PAGE,
  };
}

/** One process, or undefined when it has ended. */
export function readProc(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every process visible now. A process that ends between the listing and the read is left out. */
export function readProcs(): Map<number, ProcStat> {
  const procs = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(Number(entry));
    if (stat) procs.set(stat.pid, stat);
  }
  return procs;
}

/** The process and all its descendants in a snapshot. */
export function treeOf(root: number, procs: ReadonlyMap<number, ProcStat>): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of procs.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcStat[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    const p = procs.get(pid);
    if (p) out.push(p);
    for (const c of children.get(pid) ?? []) queue.push(c.pid);
  }
  return out;
}

/** The comm names `ProcStat` gives processes of a PostgreSQL server (postmaster and backends). */
export const POSTGRES = /^postgres$|^postmaster$/;

/**
 * CPU seconds the PostgreSQL servers on this machine have used so far: every live `postgres`
 * process, plus what each postmaster has collected from the backends that already exited (its
 * cutime/cstime). The difference of two readings is the servers' CPU in between, all clients
 * included: the server is shared, so it is approximate.
 */
export function postgresCpuSeconds(procs: ReadonlyMap<number, ProcStat> = readProcs()): number {
  let total = 0;
  for (const p of procs.values()) {
    if (!POSTGRES.test(p.comm)) continue;
    total += p.cpu;
    const parent = procs.get(p.ppid);
    if (!parent || !POSTGRES.test(parent.comm)) total += p.childCpu; // a postmaster
  }
  return total;
}

/** CPU seconds of the live processes whose name matches (a source server such as FerretDB). */
export function cpuSecondsOf(comm: RegExp, procs: ReadonlyMap<number, ProcStat> = readProcs()): number {
  let total = 0;
  for (const p of procs.values()) if (comm.test(p.comm)) total += p.cpu + p.childCpu;
  return total;
}
