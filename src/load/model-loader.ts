import { mergeTally, type FieldCounter, type FieldTally } from '../accounting/field-accounting.ts';
import type { Logger } from '../log/logger.ts';
import type { ModelPlan } from '../plan/plan.ts';
import { getModel, type ModelGraph } from '../schema/model-graph.ts';
import type { Source, SourceBatch, SourceCursor } from '../sources/source.ts';
import { classifyError } from '../target/errors.ts';
import { retryTransient } from '../target/retry.ts';
import type { WriteTx, Writer } from '../target/writer.ts';
import type { Preparer, PreparedDoc, RejectedDoc } from './prepare.ts';
import { recordBatch, recordProgress, recordRows } from './record-batch.ts';
import { recordFields } from '../accounting/field-state.ts';
import { writeWithBisect } from './write-batch.ts';
import { copySpans, type SettledBatch, type SpanBatch } from './copy-span.ts';
import { idMapFromTable } from './id-map-from-table.ts';
import { withSourceDocs, workerBatches, type WorkerLoad } from './worker-batches.ts';

export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export interface BatchStats {
  model: string;
  read: number;
  written: number;
  rejected: number;
  skipped: number;
  seconds: number;
  /** Of which: writing the id map, rejections and progress row (the checkpoint) in the batch's transaction. */
  stateSeconds: number;
}

export interface ModelLoad {
  runId: string;
  plan: ModelPlan;
  graph: ModelGraph;
  source: Source;
  writer: Writer;
  preparer: Preparer;
  /** Counts the source fields of each batch, committed with it. */
  fields?: FieldCounter | undefined;
  batchSize: number;
  keepIds: boolean;
  retry: RetryPolicy;
  signal: AbortSignal;
  logger: Logger;
  /** The committed cursor and status, read from the target (the authoritative checkpoint). */
  readCheckpoint(): Promise<{ cursor: SourceCursor | undefined; loaded: boolean }>;
  markLoaded(): Promise<void>;
  onBatch(stats: BatchStats, cursor: SourceCursor): void;
  /** Names the server an error came from, for the message when retries run out. */
  serverOf(error: unknown): string;
  /**
   * Set for whole-table transactions: the model loads in one transaction that first empties
   * what it will fill (its tables, its id map and error log entries, its progress), so a
   * failure anywhere in the table leaves it exactly as it was before the run.
   */
  wholeTable?: { reset(tx: WriteTx): Promise<void>; markLoaded(tx: WriteTx): Promise<void> };
  /**
   * Set where the model's documents are read and prepared in a worker thread (worker-batches.ts):
   * its recipe, and the preparer for the documents it sends back (no field counting: the worker
   * counted every document).
   */
  worker?: Pick<WorkerLoad, 'pool' | 'recipe' | 'slowPreparer' | 'countIdColumn' | 'noteCoercions' | 'onHandBack'>;
}

/** Retries ran out on a transient error: the run stops, its checkpoint intact. */
export class ServerUnavailableError extends Error {
  override name = 'ServerUnavailableError';
}

/**
 * Streams one model from its committed cursor to the end, one transaction per batch. On a
 * transient error (either server gone for a while) it waits with exponential backoff and
 * starts again from the cursor the target holds: whatever was in flight rolled back, so
 * nothing is doubled and nothing skipped. The retry budget refills after every committed batch.
 */
export async function loadModel(load: ModelLoad): Promise<void> {
  let committedSinceFailure = false;
  let attempts = 0;
  // p-retry gives up at once on abort; the batch in flight must still finish before the pause.
  let inFlight: Promise<void> | undefined;
  try {
    const pass = load.wholeTable ? () => loadWholeTable(load) : () => loadPass(load, () => (committedSinceFailure = true));
    await retryTransient(() => (inFlight = pass()), {
      retries: load.retry.retries,
      minTimeout: load.retry.minDelayMs,
      maxTimeout: load.retry.maxDelayMs,
      factor: 2,
      signal: load.signal,
      shouldConsumeRetry: () => {
        const consume = !committedSinceFailure;
        committedSinceFailure = false;
        return consume;
      },
      // On top of the transient classification retryTransient applies.
      shouldRetry: () => !load.signal.aborted,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        attempts = attemptNumber;
        if (classifyError(error) === 'transient' && !load.signal.aborted) {
          load.logger.warn(`${load.plan.model}: ${load.serverOf(error)}: ${error.message} (attempt ${attemptNumber}, ${retriesLeft} retries left); resuming from the last committed batch`);
        }
      },
    });
  } catch (error) {
    await inFlight?.catch(() => {});
    if (!load.signal.aborted && classifyError(error) === 'transient') {
      const message = error instanceof Error ? error.message : String(error);
      throw new ServerUnavailableError(`${load.serverOf(error)} did not come back after ${attempts} attempts (${message}); every committed batch is kept, run the same command to resume`);
    }
    throw error;
  }
}

/**
 * One pass from the committed cursor to the end of the collection. The next batch is read
 * and transformed while the previous one commits (one batch ahead, no more, so memory stays
 * flat); commits stay in order, so the cursor in the target only ever moves forward.
 */
async function loadPass(load: ModelLoad, committed: () => void): Promise<void> {
  const checkpoint = await load.readCheckpoint();
  if (checkpoint.loaded) return;
  // A pass retried after a failure starts from the committed cursor: what an uncommitted batch counted goes.
  load.fields?.take();
  let writing: Promise<void> | undefined;
  try {
    for await (const batch of preparedBatches(load, checkpoint.cursor)) {
      load.signal.throwIfAborted();
      await writing;
      load.signal.throwIfAborted();
      writing = commitBatch(load, batch).then(committed);
      // Observed here so a failure while the next batch is prepared is not reported as unhandled.
      writing.catch(() => {});
    }
    await writing;
  } finally {
    await writing?.catch(() => {});
  }
  load.signal.throwIfAborted();
  await load.markLoaded();
}

async function commitBatch(load: ModelLoad, batch: SpanBatch): Promise<void> {
  const { cursor, read, good, refused, skipped, prepareSeconds, fields } = batch;
  const started = performance.now();
  const result = await load.writer.transaction(async (tx) => {
    const written = await writeWithBisect(tx, load.graph, load.plan, good);
    const rejected = await withSourceDocs(load.source, load.plan.collection, [...refused, ...written.rejected]);
    const stateStarted = performance.now();
    const seconds = prepareSeconds + (stateStarted - started) / 1000;
    await recordBatch(tx, { runId: load.runId, keepIds: load.keepIds, model: load.plan.model, cursor, read, written: written.written, rejected, skipped, seconds, fields });
    return { written: written.written.length, rejected: rejected.length, seconds, stateSeconds: (performance.now() - stateStarted) / 1000 };
  });
  for (const r of refused) load.logger.debug(`${load.plan.model}: rejected at ${r.stage}: ${r.reason}`);
  load.onBatch({ model: load.plan.model, read, written: result.written, rejected: result.rejected, skipped, seconds: result.seconds, stateSeconds: result.stateSeconds }, cursor);
}

/**
 * The whole model in one transaction, its batches under savepoints (so bad rows are still
 * rejected one by one): spans of batches in one COPY each where the writer can (copy-span.ts),
 * else a batch at a time. Nothing is visible, and nothing is lost, until the table is complete.
 */
async function loadWholeTable(load: ModelLoad): Promise<void> {
  const whole = load.wholeTable;
  if (!whole) return;
  const checkpoint = await load.readCheckpoint();
  if (checkpoint.loaded) return;
  const started = performance.now();
  const totals = { read: 0, written: 0, rejected: 0, skipped: 0, stateSeconds: 0, batches: 0, seconds: 0 };
  const fieldTotals: FieldTally = new Map();
  let last: SourceCursor = {};
  await load.writer.transaction(async (tx) => {
    await whole.reset(tx);
    load.fields?.take();
    const spans = copySpans(tx, load.graph, load.plan);
    const fromTable = idMapFromTable(getModel(load.graph, load.plan.model), load.keepIds);
    // The id map (but the keys that are their source ids) and rejections go with their batches;
    // counts, fields, cursor and the id map's mark once, at the end.
    const settle = async (settled: readonly SettledBatch[]): Promise<void> => {
      if (settled.length === 0) return;
      const stateStarted = performance.now();
      const written = settled.flatMap((b) => (fromTable ? b.written.filter((d) => !fromTable.covers(d)) : b.written));
      const rejected = await withSourceDocs(load.source, load.plan.collection, settled.flatMap((b) => b.rejected));
      await recordRows(tx, { runId: load.runId, model: load.plan.model, written, rejected });
      for (const b of settled) {
        mergeTally(fieldTotals, b.fields);
        totals.batches++;
        totals.seconds += b.prepareSeconds;
        totals.read += b.read;
        totals.written += b.written.length;
        totals.rejected += b.rejected.length;
        totals.skipped += b.skipped;
        last = b.cursor;
      }
      totals.stateSeconds += (performance.now() - stateStarted) / 1000;
    };
    // Writing time, bookkeeping apart (as loadPass counts it): a span's batches write before they settle.
    const timed = async (work: () => Promise<void>): Promise<void> => {
      const started = performance.now();
      const state = totals.stateSeconds;
      await work();
      totals.seconds += (performance.now() - started) / 1000 - (totals.stateSeconds - state);
    };
    // As in loadPass: the next batch is read and transformed while the server takes this one
    // (one batch ahead, so memory stays flat); writes stay in order on the one connection.
    let writing: Promise<void> | undefined;
    const write = (batch: SpanBatch): Promise<void> =>
      timed(async () => {
        if (spans) return settle(await spans.add(batch));
        const written = await writeWithBisect(tx, load.graph, load.plan, batch.good);
        await settle([{ ...batch, written: written.written, rejected: [...batch.refused, ...written.rejected] }]);
      });
    try {
      for await (const batch of preparedBatches(load, undefined)) {
        load.signal.throwIfAborted();
        await writing;
        load.signal.throwIfAborted();
        writing = write(batch);
        writing.catch(() => {});
      }
      await writing;
      if (spans) await timed(async () => settle(await spans.end()));
    } finally {
      await writing?.catch(() => {});
      // A span still open holds the connection in COPY: undone, so the rollback can be sent.
      await spans?.abandon();
    }
    load.signal.throwIfAborted();
    await fromTable?.mark(tx);
    await recordFields(tx, load.runId, load.plan.model, fieldTotals);
    await recordProgress(tx, { runId: load.runId, model: load.plan.model, cursor: last, read: totals.read, written: totals.written, rejected: totals.rejected, skipped: totals.skipped, seconds: totals.seconds, batches: totals.batches });
    await whole.markLoaded(tx);
  });
  load.onBatch({ model: load.plan.model, ...totals, seconds: (performance.now() - started) / 1000 }, last);
  await load.markLoaded();
}

/**
 * The model's batches from `after` on, prepared: in a worker thread where the load has one,
 * else here, each read and prepared while the previous one is written.
 */
function preparedBatches(load: ModelLoad, after: SourceCursor | undefined): AsyncIterable<SpanBatch> {
  if (!load.worker) return inProcess(load, after);
  return workerBatches({ ...load.worker, after, batchSize: load.batchSize, source: load.source, collection: load.plan.collection, inProcess: (from) => inProcess(load, from) });
}

async function* inProcess(load: ModelLoad, after: SourceCursor | undefined): AsyncIterable<SpanBatch> {
  for await (const batch of load.source.read(load.plan.collection, { after, batchSize: load.batchSize, signal: load.signal })) {
    const started = performance.now();
    const prepared = prepareBatch(load.preparer, batch);
    // Taken now, while it holds exactly this batch's documents (the next is prepared during the commit).
    const fields = load.fields?.take();
    yield { cursor: batch.cursor, read: recordsIn(batch), skipped: prepared.skipped, fields, prepareSeconds: (performance.now() - started) / 1000, good: prepared.good, refused: prepared.refused };
  }
}

/**
 * Transform and check every document of a batch; only the good ones go on to the database.
 * Records the source could not decode are refused here too, at stage `read`.
 */
function prepareBatch(preparer: Preparer, batch: SourceBatch): { good: PreparedDoc[]; refused: RejectedDoc[]; skipped: number } {
  const good: PreparedDoc[] = [];
  const refused: RejectedDoc[] = (batch.unreadable ?? []).map((u) => ({ doc: u.doc, sourceId: u.sourceId, stage: 'read' as const, reason: u.reason }));
  let skipped = 0;
  for (const doc of batch.docs) {
    const prepared = preparer.prepare(doc);
    if (prepared.ok === true) good.push(prepared.value);
    else if (prepared.ok === false) refused.push(prepared.rejected);
    else skipped++;
  }
  return { good, refused, skipped };
}

/** Every record of the batch counts as read, decoded or not: source = written + rejected + skipped. */
function recordsIn(batch: SourceBatch): number {
  return batch.docs.length + (batch.unreadable?.length ?? 0);
}
