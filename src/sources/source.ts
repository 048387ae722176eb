import type { SourceId } from '../ids/source-id.ts';
import type { SourceDoc } from '../transform/types.ts';
import type { SourceFingerprint } from './source-fingerprint.ts';

/** Where a read stopped, in the source's own terms; stored in checkpoints as JSON. */
export type SourceCursor = Readonly<Record<string, string | number>>;

export interface SourceBatch {
  docs: SourceDoc[];
  /**
   * Records of this stretch of the source that could not be decoded (a BSON string that is not
   * valid UTF-8). The loader rejects them at stage `read` in the same transaction as the batch,
   * so the run goes on and a resume, past this batch's cursor, never meets them again.
   */
  unreadable?: UnreadableRecord[];
  /** Resuming with this cursor continues after the last document of this batch. */
  cursor: SourceCursor;
}

/** A record the source could read only in part: what it could (for the error log), and why not all. */
export interface UnreadableRecord {
  doc: SourceDoc;
  sourceId: SourceId | undefined;
  reason: string;
}

export interface ReadOptions {
  after?: SourceCursor | undefined;
  batchSize: number;
  signal?: AbortSignal | undefined;
}

/**
 * A database the migrator reads from. Every implementation streams in a stable order and
 * resumes from a cursor without re-reading what came before (no `skip`).
 */
export interface Source {
  readonly kind: 'mongodb' | 'mongodump' | 'sqlite';
  /** Names the source for people and checkpoints, with any password masked. */
  readonly identity: string;
  collections(): Promise<string[]>;
  count(collection: string): Promise<number>;
  read(collection: string, options: ReadOptions): AsyncIterable<SourceBatch>;
  /** Reads the given documents again (error log entries, validation), in no particular order. */
  fetch(collection: string, ids: readonly SourceId[]): Promise<SourceDoc[]>;
  /**
   * What the given collections look like now, cheaply (no whole file or collection read): a run
   * stores it when it starts and refuses to resume on a source that changed since. Only the
   * collections a run reads, so an unrelated collection written by an app does not block it.
   */
  fingerprint(collections: readonly string[]): Promise<SourceFingerprint>;
  close(): Promise<void>;
}

/** The BSON options every Mongo-family source reads with, so both give identical values. */
export const BSON_READ_OPTIONS = { useBigInt64: true, promoteValues: true, promoteBuffers: false, promoteLongs: true } as const;
