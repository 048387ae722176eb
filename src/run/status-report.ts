import { z } from 'zod';

/**
 * What `migration:status` reports, as `--json` prints it: the keys are stable, every one is
 * always present (null when not known), so scripts can read it without guessing.
 */
const cursorSchema = z.record(z.string(), z.union([z.string(), z.number()])).nullable();

const lockSchema = z.object({
  held: z.boolean(),
  /** True when the holder is this run (its application_name names the run id). */
  byThisRun: z.boolean(),
  /** "migrate of run mongo-1a2b3c4d (pid 4242 on host build-1, connected since …)". */
  holder: z.string().nullable(),
  command: z.string().nullable(),
  pid: z.number().nullable(),
  host: z.string().nullable(),
  runId: z.string().nullable(),
});

const modelSchema = z.object({
  model: z.string(),
  collection: z.string(),
  status: z.enum(['pending', 'loading', 'loaded']),
  /** Where the next batch starts, in the source's own terms (offset, afterId, rowid…). */
  cursor: cursorSchema,
  sourceCount: z.number().nullable(),
  read: z.number(),
  written: z.number(),
  rejected: z.number(),
  skipped: z.number(),
  batches: z.number(),
  /** Seconds spent in this model's committed batches (reading, converting, writing). */
  seconds: z.number(),
  /** Rows read per second of those batches: read ÷ seconds. Null before a batch committed. */
  rowsPerSecond: z.number().nullable(),
  /** For a model loading: (sourceCount − read) ÷ rowsPerSecond. Null when either is unknown. */
  etaSeconds: z.number().nullable(),
});

const checkpointSchema = z.object({
  path: z.string(),
  /** present: the live file of a run not finished; archived: moved to archive/ when the run completed. */
  kind: z.enum(['present', 'archived']),
  /** agrees: same status and cursor per model; behind: older counts only (it is rewritten at most once a second); disagrees: anything else. */
  agreement: z.enum(['agrees', 'behind', 'disagrees']),
  updatedAt: z.string(),
  differences: z.array(z.string()),
});

export const statusReportSchema = z.object({
  database: z.string(),
  target: z.string(),
  /** How the run was chosen: --run-id (or runId in the config), the run these flags make, else the latest. */
  chosenBy: z.enum(['run-id', 'flags', 'latest']),
  run: z.object({
    runId: z.string(),
    /** As stored: running, paused, failed, completed. */
    status: z.string(),
    /** done, running, paused, failed, or stopped: marked running but no process holds the lock (killed, crashed). */
    state: z.enum(['done', 'running', 'paused', 'failed', 'stopped']),
    phase: z.string(),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
    source: z.string(),
    configHash: z.string(),
  }),
  lock: lockSchema,
  models: z.array(modelSchema),
  totals: z.object({ sourceCount: z.number().nullable(), read: z.number(), written: z.number(), rejected: z.number(), skipped: z.number(), loaded: z.number(), loading: z.number(), pending: z.number() }),
  /** Rejections not resolved by a retry, in the whole target (the error log migration:errors reads). */
  openRejections: z.object({ total: z.number(), byModel: z.array(z.object({ model: z.string(), count: z.number() })) }),
  /** References repaired (nulled, dropped, kept) by this run, per action. */
  repairs: z.object({ total: z.number(), byAction: z.array(z.object({ action: z.string(), count: z.number() })) }),
  checkpoint: checkpointSchema.nullable(),
  /** The run's latest migration:sync (null before the first): its state, watermark and what it applied so far. */
  lastSync: z
    .object({
      syncId: z.string(),
      /** done, running, paused, failed, abandoned (given up by --restart), or stopped: marked running but no process holds the lock (killed). */
      state: z.enum(['done', 'running', 'paused', 'failed', 'abandoned', 'stopped']),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      /** What --since narrowed the comparison to (null: every document compared). */
      since: z.string().nullable(),
      /** Where the next `--since last` starts: this sync's start, less the margin. */
      watermark: z.string(),
      applied: z.object({ inserted: z.number(), updated: z.number(), deleted: z.number(), rejected: z.number(), resolved: z.number(), dependents: z.number() }),
      /** Rows pass 2 still has to remove (an interrupted sync). */
      queued: z.number(),
      /** Models whose pass 1 is done, of all. */
      modelsApplied: z.number(),
      models: z.number(),
    })
    .nullable(),
  /** The other runs in this target, latest first. */
  otherRuns: z.array(z.object({ runId: z.string(), status: z.string(), phase: z.string(), updatedAt: z.string() })),
});

export type StatusReport = z.infer<typeof statusReportSchema>;
export type ModelStatus = z.infer<typeof modelSchema>;
export type CheckpointStatus = z.infer<typeof checkpointSchema>;
export type LockStatus = z.infer<typeof lockSchema>;
