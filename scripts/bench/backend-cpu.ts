import { readdirSync, readFileSync } from 'node:fs';
import { POSTGRES, readProc } from './proc-stats.ts';

/**
 * The CPU the PostgreSQL backends of one database use while a run is measured: the run's own
 * share of a server that other clients share. Backends are found by their process title
 * (`postgres: 15/main: postgres <database> 127.0.0.1(5432) COPY`, update_process_title's default)
 * and read every 20 ms: a psql that loads one table lives well under a second, so a slower poll
 * would lose much of it. What a backend spends after its last reading is still missed (≤ 20 ms
 * each), so this is a lower bound; the server's whole CPU (postgresCpuSeconds) is the upper one.
 */
export class BackendCpuWatcher {
  private readonly seen = new Set<number>();
  private readonly tracked = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: string,
    private readonly intervalMs = 20,
  ) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  /** Stops and returns the CPU seconds of every backend seen. */
  stop(): number {
    this.tick();
    clearInterval(this.timer);
    return [...this.tracked.values()].reduce((a, b) => a + b, 0);
  }

  private tick(): void {
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || this.seen.has(pid)) continue;
      const p = readProc(pid);
      if (!p || !POSTGRES.test(p.comm)) {
        this.seen.add(pid);
        continue;
      }
      const title = this.title(pid);
      // A backend just forked still shows the postmaster's command line until it has authenticated:
      // look again next time. The postmaster itself (its parent is no postgres) is never one.
      if (title[0] !== 'postgres:') {
        if (!POSTGRES.test(readProc(p.ppid)?.comm ?? '')) this.seen.add(pid);
        continue;
      }
      this.seen.add(pid); // a backend serves one database for its whole life
      if (title.includes(this.database)) this.tracked.set(pid, p.cpu);
    }
    for (const pid of this.tracked.keys()) {
      const p = readProc(pid);
      if (p) this.tracked.set(pid, p.cpu);
    }
  }

  private title(pid: number): string[] {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').split(/\s+/);
    } catch {
      return [];
    }
  }
}
