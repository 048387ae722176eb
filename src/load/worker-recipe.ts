import type { MigrationConfig } from '../config/config-schema.ts';
import type { IdStrategy } from '../ids/id-mapper.ts';
import type { SourceId } from '../ids/source-id.ts';
import type { IdColumn } from '../plan/references.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import type { Coercion } from '../sources/sqlite/sqlite-convert.ts';
import type { RejectStage } from '../transform/reject.ts';
import type { FieldTally } from '../accounting/field-accounting.ts';
import type { SourceCursor } from '../sources/source.ts';

/**
 * Everything a worker thread needs to read one model's documents and prepare them by itself,
 * as plain data (a structured clone): its own reader of the same source, and the converter,
 * mapper, compiled row and field counter the main thread would have made. Made by the session
 * (session.workerRecipe), which alone knows how each kind of source is opened and converted.
 */
export interface WorkerRecipe {
  source: MigrationConfig['source'];
  ids: { strategy: IdStrategy; namespace?: string | undefined };
  graph: ModelGraph;
  plan: { model: string; collection: string };
  renames: Readonly<Record<string, string>>;
  ignore: readonly string[];
  idFields: readonly string[];
  idColumns?: ReadonlyMap<string, IdColumn> | undefined;
}

/** The worker's start: where to read from, and how many batches it may be ahead of the main thread. */
export interface WorkerStart {
  recipe: WorkerRecipe;
  after: SourceCursor | undefined;
  batchSize: number;
  ahead: number;
}

/**
 * One source batch, prepared as the main thread would have: each good document's own row as
 * its COPY line (parallel arrays), each rejection with its reason (the main thread reads the
 * document again for the error log), the coercions made. A document whose preparation threw
 * (a bug, to be reported as the main thread reports it) goes back by id in `slow`.
 */
export interface WorkerBatch {
  kind: 'batch';
  cursor: SourceCursor;
  read: number;
  /** The good documents' lines, in order, in one or more chunks (transferred, not copied). */
  texts: TextChunk[];
  sourceIds: SourceId[];
  /** Each line's key; null when every key is its source id's key text (a key kept, direct copy). */
  keys: string[] | null;
  /** Each line's UUID; null when none has one (ids kept). */
  uuids: (string | null)[] | null;
  slow: SourceId[];
  refused: { sourceId: SourceId; stage: RejectStage; reason: string }[];
  skipped: number;
  /** Per rule and column: how many, and the first few (the log's examples). */
  coercions: [string, number, Coercion[]][];
  /** Every document of the batch counted, fast or slow. */
  fields: FieldTally;
  /** Id-column conversions of the written lines, by the summary's key. */
  idColumns: [string, number][];
  seconds: number;
}

/** Lines as UTF-8, each ending in a newline, and where each ends (its newline's offset). */
export interface TextChunk {
  buffer: ArrayBuffer;
  ends: Uint32Array;
}

export type FromWorker =
  | WorkerBatch
  /**
   * From the batch after the last one sent, the main thread prepares the model's documents
   * itself: they cannot be compiled to lines, or a batch holds a document the main thread could
   * not read again by its id (a NULL or blob key, one the source could not decode).
   */
  | { kind: 'unfit' }
  | { kind: 'end' }
  | { kind: 'failed'; error: { name: string; message: string; stack?: string | undefined; props: Record<string, unknown> } };

/** `start`: prepare this model (only once the last one ended); `more`: one batch taken, one more may be read ahead; `stop`: exit (the run is done). */
export type ToWorker = { kind: 'start'; start: WorkerStart } | { kind: 'more' } | { kind: 'stop' };
