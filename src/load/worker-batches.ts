import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { docSourceId, sourceIdKey, sourceIdKind, type SourceId } from '../ids/source-id.ts';
import { ConfigError } from '../config/load-config.ts';
import type { Source, SourceCursor } from '../sources/source.ts';
import type { SourceDoc } from '../transform/types.ts';
import type { Coercion } from '../sources/sqlite/sqlite-convert.ts';
import type { SpanBatch } from './copy-span.ts';
import type { Preparer, PreparedDoc, RejectedDoc } from './prepare.ts';
import type { FromWorker, ToWorker, WorkerBatch, WorkerRecipe, WorkerStart } from './worker-recipe.ts';

/**
 * Batches a worker may have prepared ahead of the main thread: one being written, one waiting,
 * one being read, so memory stays flat and neither side waits on the other for long.
 */
const AHEAD = 2;

/** The compiled worker (dist/): the TypeScript sources run in one thread (jest, tsx). */
const WORKER = new URL('./prepare-worker.js', import.meta.url);

/** Whether documents can be prepared in worker threads here: there is a second core, and the compiled worker. */
export function workersAvailable(): boolean {
  return availableParallelism() > 1 && WORKER.protocol === 'file:' && existsSync(fileURLToPath(WORKER));
}

/**
 * Stands for the source document of a line a worker wrote: the main thread never held it. Only
 * a rejection needs it (the error log keeps the document), and withSourceDocs reads it again.
 */
export const UNREAD: SourceDoc = Object.freeze({});

/**
 * The worker threads of a run, kept from model to model (a thread's start-up, its modules, costs
 * about a quarter of a second of CPU): one per model loading at once.
 */
export class PreparePool {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();

  /** Starts `n` threads now, so their start-up overlaps the first (small) tables. */
  warm(n: number): void {
    for (let i = this.all.size; i < n; i++) this.idle.push(this.spawn());
  }

  take(): Worker {
    return this.idle.pop() ?? this.spawn();
  }

  /** A thread that ended its model cleanly goes back for the next. */
  give(worker: Worker): void {
    this.idle.push(worker);
  }

  /** A thread that stopped in the middle of a model (a failure, a pause) is not reused. */
  async drop(worker: Worker): Promise<void> {
    this.all.delete(worker);
    await worker.terminate();
  }

  /** Idle threads are asked to exit (and stopped if they do not within a few seconds); any other is stopped. */
  async close(): Promise<void> {
    const idle = new Set(this.idle);
    const all = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(
      all.map(async (w) => {
        if (!idle.has(w)) return void (await w.terminate());
        const exited = once(w, 'exit');
        w.postMessage({ kind: 'stop' } satisfies ToWorker);
        const timer = setTimeout(() => void w.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER);
    // An idle thread must not keep the process alive.
    worker.unref();
    this.all.add(worker);
    // A thread that stops (a module that failed to load, say) leaves the pool: none is handed out dead.
    // Its error is not lost: the next thread meets it again, under a job's own listener, which reports it.
    worker.on('error', () => {});
    worker.once('exit', () => {
      this.all.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return worker;
  }
}

export interface WorkerLoad {
  pool: PreparePool;
  recipe: WorkerRecipe;
  after: SourceCursor | undefined;
  batchSize: number;
  source: Source;
  collection: string;
  /** Prepares again the documents whose preparation threw in the worker, so the error is reported as here; no field counting (the worker counted). */
  slowPreparer: Preparer;
  countIdColumn?: ((key: string) => void) | undefined;
  noteCoercions: (key: string, count: number, examples: readonly Coercion[]) => void;
  /** The batches in this thread from a cursor on, when the worker leaves the model's documents to it. */
  inProcess: (after: SourceCursor | undefined) => AsyncIterable<SpanBatch>;
  /** Told when it does, with the batches the worker had prepared (for the log). */
  onHandBack?: ((prepared: number) => void) | undefined;
}

/**
 * A model's prepared batches, read and turned into COPY lines by a worker thread while this
 * thread writes: the main thread does the database's I/O and the bookkeeping. Batches arrive in
 * source order, so commits stay ordered and the cursor only moves forward. The thread is stopped
 * when the iteration ends early (a failure, a pause): nothing it holds is committed anywhere.
 */
export async function* workerBatches(load: WorkerLoad): AsyncIterable<SpanBatch> {
  const worker = load.pool.take();
  const inbox: FromWorker[] = [];
  let waiting: (() => void) | undefined;
  let gone: Error | undefined;
  // Given back only after its model's `end` (or `unfit`): anything else stops the thread.
  let released = false;
  const release = (): void => {
    released = true;
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    worker.unref();
    load.pool.give(worker);
  };
  const wake = (): void => {
    waiting?.();
    waiting = undefined;
  };
  const onMessage = (m: FromWorker): void => {
    inbox.push(m);
    wake();
  };
  const onError = (error: Error): void => {
    gone = error;
    wake();
  };
  const onExit = (code: number): void => {
    gone ??= new Error(`the worker thread preparing ${load.recipe.plan.model} stopped (exit code ${code}) before its last batch`);
    wake();
  };
  worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  const next = async (): Promise<FromWorker> => {
    for (;;) {
      const m = inbox.shift();
      if (m) return m;
      if (gone) throw gone;
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  };
  const start: WorkerStart = { recipe: load.recipe, after: load.after, batchSize: load.batchSize, ahead: AHEAD };
  worker.ref();
  worker.postMessage({ kind: 'start', start } satisfies ToWorker);
  let cursor = load.after;
  let prepared = 0;
  try {
    for (;;) {
      const m = await next();
      if (m.kind === 'end') {
        release();
        return;
      }
      if (m.kind === 'unfit') {
        release();
        load.onHandBack?.(prepared);
        yield* load.inProcess(cursor);
        return;
      }
      if (m.kind === 'failed') throw rebuilt(m.error);
      const batch = await settleBatch(load, m);
      cursor = m.cursor;
      prepared++;
      worker.postMessage({ kind: 'more' } satisfies ToWorker);
      yield batch;
    }
  } finally {
    if (!released) {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      await load.pool.drop(worker);
    }
  }
}

/** The worker's error as this thread would have met it: bad input stays bad input (exit 2), a driver's code stays. */
function rebuilt(e: Extract<FromWorker, { kind: 'failed' }>['error']): Error {
  const error = e.name === 'ConfigError' || e.name === 'SqliteRefusal' ? new ConfigError(e.message) : new Error(e.message);
  return Object.assign(error, e.props, { name: e.name, stack: e.stack });
}

/** Shared by every line of a worker: they have no row objects and no links. */
const NO_ROWS = new Map<string, never[]>();
const NO_LINKS = new Map<string, [string, string][]>();

/**
 * A document a worker prepared: its line stays in the batch's text (written as it is) and is
 * decoded only if asked for, by a replay of its span or a bisection.
 */
class WorkerLine implements PreparedDoc {
  readonly doc = UNREAD;
  readonly rows = NO_ROWS;
  readonly links = NO_LINKS;
  constructor(
    private readonly text: Buffer,
    private readonly start: number,
    private readonly end: number,
    readonly sourceId: SourceId,
    readonly key: string,
    readonly uuid: string | null,
  ) {}

  get line(): string {
    return this.text.toString('utf8', this.start, this.end);
  }
}

async function settleBatch(load: WorkerLoad, m: WorkerBatch): Promise<SpanBatch> {
  const started = performance.now();
  const good: PreparedDoc[] = [];
  const texts: Buffer[] = [];
  for (const chunk of m.texts) {
    const { ends } = chunk;
    const text = Buffer.from(chunk.buffer);
    texts.push(text);
    for (let i = 0; i < ends.length; i++) {
      const sourceId = m.sourceIds[good.length] as SourceId;
      const key = m.keys?.[good.length] ?? sourceIdKey(sourceId);
      good.push(new WorkerLine(text, i === 0 ? 0 : (ends[i - 1] as number) + 1, ends[i] as number, sourceId, key, m.uuids?.[good.length] ?? null));
    }
  }
  const lines = good.length;
  const refused: RejectedDoc[] = [];
  for (const r of m.refused) refused.push({ doc: UNREAD, sourceId: r.sourceId, stage: r.stage, reason: r.reason });
  let skipped = m.skipped;
  for (const doc of m.slow.length > 0 ? await readAgain(load.source, load.collection, m.slow) : []) {
    const prepared = load.slowPreparer.prepare(doc);
    if (prepared.ok === true) good.push(prepared.value);
    else if (prepared.ok === false) refused.push(prepared.rejected);
    else skipped++;
  }
  for (const [key, n] of m.idColumns) for (let i = 0; i < n; i++) load.countIdColumn?.(key);
  for (const [key, n, examples] of m.coercions) load.noteCoercions(key, n, examples);
  return { cursor: m.cursor, read: m.read, good, refused, skipped, fields: m.fields, prepareSeconds: m.seconds + (performance.now() - started) / 1000, text: { chunks: texts, docs: lines } };
}

/** The documents of these ids, every one of them: the source is the one the run fingerprinted, read-only. */
async function readAgain(source: Source, collection: string, ids: readonly SourceId[]): Promise<SourceDoc[]> {
  const docs = await source.fetch(collection, ids);
  if (docs.length !== ids.length) {
    const found = new Set(docs.map((d) => keyOf(d)));
    const missing = ids.filter((id) => !found.has(idKey(id)));
    throw new Error(`${collection}: ${missing.length} document(s) read a moment ago are no longer in the source (${missing.slice(0, 3).map(sourceIdKey).join(', ')}); the source is changing under the run`);
  }
  return docs;
}

/** The rejections of lines a worker wrote, with their documents read again from the source, for the error log. */
export async function withSourceDocs(source: Source, collection: string, rejected: RejectedDoc[]): Promise<RejectedDoc[]> {
  const unread = rejected.filter((r) => r.doc === UNREAD && r.sourceId !== undefined);
  if (unread.length === 0) return rejected;
  const docs = await readAgain(source, collection, unread.map((r) => r.sourceId as SourceId));
  const byKey = new Map(docs.map((d) => [keyOf(d), d]));
  return rejected.map((r) => (r.doc === UNREAD && r.sourceId !== undefined ? { ...r, doc: byKey.get(idKey(r.sourceId)) ?? r.doc } : r));
}

/** A document's id with its kind: 7 and '7' are two documents of an untyped SQLite key. */
function keyOf(doc: SourceDoc): string {
  const id = docSourceId(doc);
  return id === undefined ? '' : idKey(id);
}

function idKey(id: SourceId): string {
  return `${sourceIdKind(id)}:${sourceIdKey(id)}`;
}
