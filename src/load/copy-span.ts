import type { FieldTally } from '../accounting/field-accounting.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import type { SourceCursor } from '../sources/source.ts';
import { classifyError } from '../target/errors.ts';
import type { LineStream, WriteTx } from '../target/writer.ts';
import type { PreparedDoc, RejectedDoc } from './prepare.ts';
import { ownRows, writeWithBisect } from './write-batch.ts';

/** A prepared batch of a whole-table load, waiting for its span to end. */
export interface SpanBatch {
  cursor: SourceCursor;
  read: number;
  skipped: number;
  fields: FieldTally | undefined;
  prepareSeconds: number;
  good: PreparedDoc[];
  refused: RejectedDoc[];
  /**
   * The COPY text of the first `docs` of `good`, already encoded (by a worker thread): written as
   * it is; each of those documents still has its own line, for a replay.
   */
  text?: { chunks: readonly Buffer[]; docs: number } | undefined;
}

/** A batch whose rows are in the target (written) or refused by it (rejected, with the preparer's refusals). */
export interface SettledBatch extends SpanBatch {
  written: PreparedDoc[];
  rejected: RejectedDoc[];
}

export interface CopySpans {
  /** Adds a batch to the open span; returns the batches settled when that ends the span. */
  add(batch: SpanBatch): Promise<SettledBatch[]>;
  /** Ends the open span: its batches, settled. */
  end(): Promise<SettledBatch[]>;
  /** Leaves the open span without its rows (the load failed elsewhere), so the connection is free again. */
  abandon(): Promise<void>;
}

/**
 * When a span's COPY ends: at this many rows, or this much line text, whichever comes first. It
 * bounds what is kept for a replay. Most of the gain is already there at two batches of 1000
 * (the server takes one span while the next is prepared); 5,000 rows was barely faster and
 * raised the peak RSS by 100 MiB (1M-row benchmark file, 2 cores).
 */
export const SPAN_ROWS = 2_000;
export const SPAN_CHARS = 8 << 20;

/**
 * Consecutive batches of a whole-table load in one COPY statement: the server spends per
 * statement about what a thousand rows cost it, so batches of 1000 spent nearly half its
 * time starting COPYs. The span's batches stay in memory until it ends; if the server refuses
 * the span for its data, it is undone and each of its batches written again on its own,
 * bisected as before, so the same rows land and the same documents are rejected.
 * Only for models that write their own table alone (no derived rows, no links): one
 * statement holds one table.
 */
export function copySpans(tx: WriteTx, graph: ModelGraph, plan: ModelPlan, limit = SPAN_ROWS): CopySpans | undefined {
  const model = graph.models.get(plan.model);
  const open = tx.openLines?.bind(tx);
  if (!model || !open || plan.derived.length > 0 || plan.junctions.length > 0) return undefined;
  let stream: LineStream | undefined;
  let pending: SpanBatch[] = [];
  let rows = 0;
  let chars = 0;

  const take = (): SpanBatch[] => {
    const batches = pending;
    pending = [];
    rows = 0;
    chars = 0;
    return batches;
  };
  const replay = async (error: unknown): Promise<SettledBatch[]> => {
    await stream?.undo().catch(() => {});
    stream = undefined;
    const batches = take();
    if (classifyError(error) !== 'row') throw error;
    const settled: SettledBatch[] = [];
    for (const batch of batches) {
      const written = await writeWithBisect(tx, graph, plan, batch.good);
      settled.push({ ...batch, written: written.written, rejected: [...batch.refused, ...written.rejected] });
    }
    return settled;
  };
  const end = async (): Promise<SettledBatch[]> => {
    try {
      await stream?.end();
    } catch (error) {
      return replay(error);
    }
    stream = undefined;
    return take().map((batch) => ({ ...batch, written: batch.good, rejected: batch.refused }));
  };
  return {
    async add(batch) {
      pending.push(batch);
      if (batch.good.length > 0) {
        const rest = batch.text ? batch.good.slice(batch.text.docs) : batch.good;
        try {
          stream ??= await open(model);
          for (const chunk of batch.text?.chunks ?? []) await stream.writeText(chunk);
          if (rest.length > 0) await stream.write(ownRows(plan.model, rest));
        } catch (error) {
          return replay(error);
        }
        rows += batch.good.length;
        for (const chunk of batch.text?.chunks ?? []) chars += chunk.length;
        for (const d of rest) chars += d.line?.length ?? 0;
      }
      return rows >= limit || chars >= SPAN_CHARS ? end() : [];
    },
    end,
    async abandon() {
      await stream?.undo().catch(() => {});
      stream = undefined;
      take();
    },
  };
}
