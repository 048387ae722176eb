/**
 * A worker thread's part of a model's load (see worker-batches.ts): it opens its own reader of
 * the source and turns each batch into COPY lines, while the main thread writes the previous
 * batches. It decides nothing the main thread would decide differently: a document its compiled
 * row cannot write as it is goes back by id, to be prepared the long way there.
 */
import { parentPort } from 'node:worker_threads';
import { FieldCounter } from '../accounting/field-accounting.ts';
import { createIdMapper } from '../ids/id-mapper.ts';
import { docSourceId, sourceIdKey, type SourceId } from '../ids/source-id.ts';
import type { ModelPlan } from '../plan/plan.ts';
import { openSource } from '../sources/open-source.ts';
import { sourceConverter } from '../sources/source-converter.ts';
import type { SourceFields } from '../transform/context.ts';
import { buildRowCheck } from '../check/row-check.ts';
import type { Coercion } from '../sources/sqlite/sqlite-convert.ts';
import { rowLineOf } from '../target/copy-text.ts';
import { createPreparer, type Prepared } from './prepare.ts';
import { compileRow } from './row-line.ts';
import type { SourceDoc } from '../transform/types.ts';
import type { FromWorker, TextChunk, ToWorker, WorkerBatch, WorkerStart } from './worker-recipe.ts';

/** Of each rule and column, the coercions whose texts are kept: the main thread logs the first few of the run. */
const EXAMPLES = 3;

if (!parentPort) throw new Error('prepare-worker.ts runs as a worker thread');
const port = parentPort;
const post = (message: FromWorker): void => port.postMessage(message);

let credits = 0;
let wake: (() => void) | undefined;
// One model at a time: the pool hands this thread its next model only after the last one's `end`.
port.on('message', (message: ToWorker) => {
  if (message.kind === 'start') {
    run(message.start).catch((error: unknown) => post({ kind: 'failed', error: described(error) }));
    return;
  }
  // An exit of its own, not a terminate: the thread's exit handlers run (a CPU profiler's, say).
  if (message.kind === 'stop') process.exit(0);
  credits++;
  wake?.();
  wake = undefined;
});

async function run(start: WorkerStart): Promise<void> {
  const { recipe } = start;
  credits = start.ahead;
  const model = recipe.graph.models.get(recipe.plan.model);
  if (!model) throw new Error(`the Prisma schema has no model ${recipe.plan.model}`);
  const plan: ModelPlan = {
    ...recipe.plan,
    custom: false,
    derived: [],
    embedded: [],
    junctions: [],
    transformer: { model: recipe.plan.model, transform: () => ({ rows: {} }) },
  };
  const idCounts = new Map<string, number>();
  const coercions = new Map<string, { count: number; examples: Coercion[]; sent: number }>();
  const coerced = (c: Coercion): void => {
    const key = `${c.table}.${c.column}: ${c.rule}`;
    let entry = coercions.get(key);
    if (!entry) coercions.set(key, (entry = { count: 0, examples: [], sent: 0 }));
    entry.count++;
    // Its texts are made only for the few the log may show.
    if (entry.sent + entry.examples.length < EXAMPLES) entry.examples.push({ table: c.table, column: c.column, rule: c.rule, from: c.from, to: c.to });
  };
  const fields: SourceFields = {
    collection: recipe.plan.collection,
    converter: sourceConverter(recipe.source, { sqlite: coerced, bson: () => {} }),
    renames: recipe.renames,
    idColumns: recipe.idColumns,
    countIdColumn: (key) => idCounts.set(key, (idCounts.get(key) ?? 0) + 1),
    links: [],
    embedded: [],
  };
  const ids = createIdMapper(recipe.ids.strategy, recipe.ids.namespace);
  if (!compileRow(model, plan, fields, ids)) return post({ kind: 'unfit' });
  const preparer = createPreparer(recipe.graph, plan, ids, new Map([[model.name, buildRowCheck(model)]]), fields, undefined, { lines: true });
  const counter = new FieldCounter(model, plan, recipe.renames, recipe.ignore, { idFields: recipe.idFields });
  const rowLine = rowLineOf(model);
  const source = await openSource(recipe.source);
  try {
    for await (const batch of source.read(recipe.plan.collection, { after: start.after, batchSize: start.batchSize })) {
      // The main thread reads again, by its id, the document of a row refused here or by the
      // database; a batch with a document it could not find that way is the main thread's, from here on.
      if ((batch.unreadable?.length ?? 0) > 0 || !batch.docs.every((d) => locatable(d, recipe.idFields))) return post({ kind: 'unfit' });
      const started = performance.now();
      const out: WorkerBatch = {
        kind: 'batch',
        cursor: batch.cursor,
        read: batch.docs.length,
        texts: [],
        sourceIds: [],
        keys: null,
        uuids: null,
        slow: [],
        refused: [],
        skipped: 0,
        fields: new Map(),
        idColumns: [],
        coercions: [],
        seconds: 0,
      };
      const lines: string[] = [];
      const keys: string[] = [];
      const uuids: (string | null)[] = [];
      let keysAreIds = true;
      let anyUuid = false;
      for (const doc of batch.docs) {
        counter.count(doc);
        const sourceId = docSourceId(doc) as SourceId;
        let prepared: Prepared;
        try {
          prepared = preparer.prepare(doc);
        } catch {
          out.slow.push(sourceId);
          continue;
        }
        if (prepared.ok === true) {
          const value = prepared.value;
          lines.push(value.line ?? rowLine(value.rows.get(model.name)?.[0] ?? {}));
          out.sourceIds.push(sourceId);
          keys.push(value.key);
          uuids.push(value.uuid);
          if (keysAreIds && value.key !== sourceIdKey(sourceId)) keysAreIds = false;
          if (value.uuid !== null) anyUuid = true;
        } else if (prepared.ok === false) out.refused.push({ sourceId, stage: prepared.rejected.stage, reason: prepared.rejected.reason });
        else out.skipped++;
      }
      out.texts = encodeLines(lines);
      out.keys = keysAreIds ? null : keys;
      out.uuids = anyUuid ? uuids : null;
      out.fields = counter.take();
      out.idColumns = [...idCounts];
      idCounts.clear();
      for (const [key, entry] of coercions) {
        if (entry.count === 0) continue;
        out.coercions.push([key, entry.count, entry.examples]);
        entry.sent += entry.examples.length;
        entry.count = 0;
        entry.examples = [];
      }
      out.seconds = (performance.now() - started) / 1000;
      if (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      port.postMessage(out satisfies FromWorker, out.texts.flatMap((t) => [t.buffer, t.ends.buffer as ArrayBuffer]));
    }
  } finally {
    await source.close();
  }
  post({ kind: 'end' });
}

/** Where a batch's text is cut: a few big buffers, never a string near V8's limit, whatever the batch size. */
const TEXT_CHUNK = 16 << 20;

/**
 * The lines as UTF-8 buffers, each line ending in a newline, and where each line ends: encoded
 * a chunk at a time (a call per line cost more than the encoding), each buffer exactly its
 * size. Offsets are counted in UTF-16 units and hold as bytes when a chunk is ASCII, as most
 * COPY text is; otherwise each line is measured.
 */
function encodeLines(lines: readonly string[]): TextChunk[] {
  const chunks: TextChunk[] = [];
  for (let from = 0; from < lines.length; ) {
    let to = from;
    let units = 0;
    while (to < lines.length && (to === from || units + (lines[to] as string).length < TEXT_CHUNK)) units += (lines[to++] as string).length + 1;
    const part = lines.slice(from, to);
    const joined = part.join('\n') + '\n';
    const size = Buffer.byteLength(joined);
    const buffer = new ArrayBuffer(size);
    Buffer.from(buffer).write(joined);
    const ends = new Uint32Array(part.length);
    let at = 0;
    for (let i = 0; i < part.length; i++) {
      at += size === joined.length ? (part[i] as string).length : Buffer.byteLength(part[i] as string);
      ends[i] = at++;
    }
    chunks.push({ buffer, ends });
    from = to;
  }
  return chunks;
}

/** The document's key values are ones the source finds it again by: text or numbers (not NULL, not a blob). */
function locatable(doc: SourceDoc, idFields: readonly string[]): boolean {
  if (docSourceId(doc) === undefined) return false;
  for (const field of idFields) {
    const value = doc[field];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return false;
  }
  return true;
}

function described(error: unknown): Extract<FromWorker, { kind: 'failed' }>['error'] {
  const e = error instanceof Error ? error : new Error(String(error));
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') props[k] = v;
  return { name: e.name, message: e.message, stack: e.stack, props };
}
