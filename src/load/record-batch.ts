import { Binary, EJSON } from 'bson';
import type { FieldTally } from '../accounting/field-accounting.ts';
import { recordFields } from '../accounting/field-state.ts';
import { sourceIdKey, sourceIdKind } from '../ids/source-id.ts';
import { maskSecrets } from '../log/mask.ts';
import type { SourceCursor } from '../sources/source.ts';
import type { SourceDoc } from '../transform/types.ts';
import { stateTable } from '../target/identifiers.ts';
import type { WriteTx } from '../target/writer.ts';
import type { PreparedDoc, RejectedDoc } from './prepare.ts';

export interface BatchRecord {
  runId: string;
  keepIds: boolean;
  model: string;
  cursor: SourceCursor;
  read: number;
  written: readonly PreparedDoc[];
  rejected: readonly RejectedDoc[];
  skipped: number;
  seconds: number;
  /** How the batch's documents used their source fields (accounting), committed with the batch. */
  fields?: FieldTally | undefined;
}

/**
 * The bookkeeping half of a batch, in the same transaction as its rows: id mappings, rejected
 * documents, and the progress row that is the authoritative checkpoint. Either all of it and
 * the rows commit, or none.
 */
export async function recordBatch(tx: WriteTx, batch: BatchRecord): Promise<void> {
  await recordRows(tx, batch);
  await recordFields(tx, batch.runId, batch.model, batch.fields);
  await recordProgress(tx, { ...batch, written: batch.written.length, rejected: batch.rejected.length, batches: 1 });
}

/** The batch's id mappings and rejected documents: appended, one COPY each. */
export async function recordRows(tx: WriteTx, batch: Pick<BatchRecord, 'runId' | 'model' | 'written' | 'rejected'>): Promise<void> {
  await tx.writeRaw(
    stateTable('id_map'),
    ID_MAP_COLUMNS,
    batch.written.map((d) => idMapRow(batch.model, d)),
  );
  await writeRejected(tx, batch.runId, batch.model, batch.rejected);
}

/**
 * Adds counts to the model's progress row and moves its cursor. A whole-table transaction adds
 * its batches once, at the end: updating one row thousands of times inside one transaction
 * leaves a version per update that every later update walks, which grows with the square of
 * the table's size.
 */
export async function recordProgress(
  tx: WriteTx,
  p: { runId: string; model: string; cursor: SourceCursor; read: number; written: number; rejected: number; skipped: number; seconds: number; batches: number },
): Promise<void> {
  await tx.query(
    `UPDATE _migration.progress SET
       cursor = $3::jsonb, status = 'loading',
       read = read + $4, written = written + $5, rejected = rejected + $6, skipped = skipped + $7,
       batches = batches + $9, seconds = seconds + $8, updated_at = now()
     WHERE run_id = $1 AND model = $2`,
    [p.runId, p.model, JSON.stringify(p.cursor), p.read, p.written, p.rejected, p.skipped, p.seconds, p.batches],
  );
}

export async function writeRejected(tx: WriteTx, runId: string, model: string, rejected: readonly RejectedDoc[]): Promise<void> {
  await tx.writeRaw(
    stateTable('rejected'),
    ['run_id', 'model', 'source_id', 'source_kind', 'stage', 'reason', 'document'],
    rejected.map((r) => [
      runId,
      model,
      r.sourceId === undefined ? null : sourceIdKey(r.sourceId),
      r.sourceId === undefined ? null : sourceIdKind(r.sourceId),
      r.stage,
      // A reason can quote a driver error, and a driver error can quote a connection string.
      maskSecrets(r.reason),
      serializeDocument(r.doc),
    ]),
  );
}

/** Canonical Extended JSON keeps every BSON type, so a retry reads back exactly what the source held. */
export function serializeDocument(doc: SourceDoc): string {
  return EJSON.stringify(asBsonValue(doc), { relaxed: false });
}

/**
 * SQLite blobs arrive as Buffers, which EJSON writes as an object of numbered bytes; as BSON
 * Binary they read as binary: `{"$binary": {"base64": …, "subType": "00"}}`. Only arrays and
 * plain objects are walked: BSON values are already what EJSON expects.
 */
function asBsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Binary(value);
  if (Array.isArray(value)) return value.map(asBsonValue);
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asBsonValue(v)]));
  }
  return value;
}

export const ID_MAP_COLUMNS = ['model', 'source_id', 'source_kind', 'target_key', 'uuid'] as const;

/** One id map row: the UUID column is filled only when the key is a UUID the mapper made. */
export function idMapRow(model: string, doc: PreparedDoc): unknown[] {
  return [model, sourceIdKey(doc.sourceId), sourceIdKind(doc.sourceId), doc.key, doc.uuid];
}
