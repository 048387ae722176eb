import type pg from 'pg';

/** The table locks STEP 4's statements take (PostgreSQL docs, "Table-Level Locks"). */
export type LockMode = 'ROW SHARE' | 'SHARE UPDATE EXCLUSIVE' | 'SHARE' | 'SHARE ROW EXCLUSIVE';

/** Which of those modes conflict with which: CREATE INDEX (SHARE) runs beside another CREATE INDEX on the same table, nothing else does. */
export const CONFLICTS: Readonly<Record<LockMode, readonly LockMode[]>> = {
  'ROW SHARE': [],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE'],
  SHARE: ['SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE'],
};

export interface TableLock {
  /** Any key naming one table uniquely (the state schema's tables are prefixed). */
  table: string;
  mode: LockMode;
}

/** A target table's key in the lock table: apart from the tool's own tables, whatever their names. */
export function targetLockKey(table: string): string {
  return `target:${table}`;
}

/** One statement of the post-load build, with the locks PostgreSQL will take for it. */
export interface BuildTask {
  label: string;
  sql: string;
  locks: readonly TableLock[];
  /** Rough cost (bytes of the tables it reads): the biggest start first, so the run ends on small ones. */
  weight: number;
  /** Starts only once this task has finished (VALIDATE after its ADD … NOT VALID). */
  after?: BuildTask;
}

export interface BuildQueueOptions {
  /** Statements at once, each on its own connection. */
  connections: number;
  /** Server settings for each connection while it builds (reset after): the memory a sort may use. */
  settings: Readonly<Record<string, string>>;
  onDone?: (task: BuildTask, seconds: number) => void;
}

/**
 * Runs index builds and foreign-key validations over several connections, never two whose
 * table locks conflict: two statements that would wait for each other's table never run at
 * once, so they cannot deadlock and no connection sits blocked behind another. Locks are taken
 * here in one step per statement before it is sent, which is what makes the order safe.
 * Tasks may be added while others run; `drain` waits for all of them and reports the first
 * failure after the statements in flight have ended (each statement is its own transaction, so
 * a failure leaves the others built, and a repeated STEP 4 skips what exists).
 */
export class BuildQueue {
  private readonly pending: BuildTask[] = [];
  private readonly running = new Set<BuildTask>();
  private readonly finished = new Set<BuildTask>();
  private failure: { error: unknown } | undefined;
  private settle: (() => void) | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: BuildQueueOptions,
  ) {}

  add(tasks: readonly BuildTask[]): void {
    this.pending.push(...tasks);
    this.pending.sort((a, b) => b.weight - a.weight);
    this.pump();
  }

  /** Resolves when every task added so far has run; rejects with the first failure. */
  async drain(): Promise<void> {
    if (this.running.size > 0 || (this.pending.length > 0 && !this.failure)) {
      await new Promise<void>((resolve) => {
        this.settle = resolve;
      });
    }
    if (this.failure) throw this.failure.error;
  }

  private pump(): void {
    for (const task of [...this.pending]) {
      if (this.failure || this.running.size >= this.options.connections) break;
      if (task.after && !this.finished.has(task.after)) continue;
      if (!this.compatible(task)) continue;
      this.pending.splice(this.pending.indexOf(task), 1);
      this.running.add(task);
      void this.run(task);
    }
    const stuck = this.pending.length > 0 && this.running.size === 0;
    if (stuck && !this.failure) this.failure = { error: new Error(`post-load build: ${this.pending.map((t) => t.label).join(', ')} can never start`) };
    if (this.running.size === 0 && (this.pending.length === 0 || this.failure)) this.settle?.();
  }

  private compatible(task: BuildTask): boolean {
    for (const other of this.running) {
      for (const mine of task.locks) {
        if (other.locks.some((theirs) => theirs.table === mine.table && CONFLICTS[mine.mode].includes(theirs.mode))) return false;
      }
    }
    return true;
  }

  private async run(task: BuildTask): Promise<void> {
    const started = performance.now();
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    try {
      client = await this.pool.connect();
      for (const [name, value] of Object.entries(this.options.settings)) await client.query('SELECT set_config($1, $2, false)', [name, value]);
      await client.query(task.sql);
      this.finished.add(task);
      this.options.onDone?.(task, (performance.now() - started) / 1000);
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      this.failure ??= { error };
    } finally {
      // Settings are per session and the connection goes back to the load's pool: put them back.
      for (const name of Object.keys(this.options.settings)) {
        if (client && !broken) await client.query(`RESET ${name}`).catch((error: unknown) => (broken = error instanceof Error ? error : new Error(String(error))));
      }
      client?.release(broken);
      this.running.delete(task);
      this.pump();
    }
  }
}
