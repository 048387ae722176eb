import type { BenchDatabases } from './databases.ts';
import type { Measured } from './measure.ts';

/** What every mode of the bench shares: the inputs, made once, and where runs write. */
export interface BenchContext {
  /** The repository: package.json and its scripts. */
  root: string;
  /** A folder of this invocation; each run writes its logs into a subfolder. */
  workDir: string;
  sqliteFile: string;
  /** Rows per table of the SQLite file: what every SQLite run must end with in the target. */
  sqliteCounts: ReadonlyMap<string, number>;
  /** The mongodump sample at `--scale`. */
  dumpDir: string;
  databases: BenchDatabases;
  timeoutMs: number;
  keep: boolean;
  /** Flags passed on to every run of the tool (`--batch-size`, `--writer`). */
  toolFlags: readonly string[];
}

/** One measured run of one mode. */
export interface RunOutcome {
  measured: Measured;
  /** Rows counted in the target afterwards, every table of schema public. */
  targetRows: number;
  /** SQLite rows, or source documents (MongoDB): what the run had to move. */
  sourceRecords: number;
  /** Why the run does not count: a non-zero exit, a table short of rows, a run the tool did not balance. */
  failed?: string;
  notes: string[];
}

/** SQLite file, mongodump sample, or the sync rows (a changed mongodump sample against a migrated target). */
export type BenchFamily = 'sqlite' | 'mongo' | 'sync';

/** A row of the report: a way of moving the data, measured as its own OS process. */
export interface BenchMode {
  name: string;
  label: string;
  family: BenchFamily;
  /** Why it cannot run here (`not installed`), or undefined. */
  unavailable(): string | undefined;
  /** Once per invocation, not timed (DDL for the shell pipeline, a live server loaded with the sample). */
  prepare?(ctx: BenchContext): Promise<void>;
  run(ctx: BenchContext, round: number): Promise<RunOutcome>;
  /** Once at the end, also after a failure. */
  dispose?(): Promise<void>;
}

/**
 * The check every SQLite run ends with: each table of the file is in the target with exactly its
 * rows. Returns the problem, or undefined.
 */
export function missingRows(expected: ReadonlyMap<string, number>, actual: ReadonlyMap<string, number>): string | undefined {
  const problems = [...expected].flatMap(([table, n]) => {
    const got = actual.get(table);
    if (got === undefined) return [`${table}: no table`];
    return got === n ? [] : [`${table}: ${got.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} rows`];
  });
  return problems.length > 0 ? `rows lost: ${problems.join(', ')}` : undefined;
}

export const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);
