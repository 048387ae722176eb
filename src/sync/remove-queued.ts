import type { Writer } from '../target/writer.ts';
import { DEFER } from './sync-state.ts';
import { removeDocs, takeQueued, type QueueRow, type RemovalContext, type RemovalCounts } from './remove-docs.ts';
import type { SyncState } from './sync-state.ts';

/**
 * Pass 2 of a sync for one model: the rows pass 1 queued leave the target, a batch per
 * transaction that also takes them off the queue, so a kill -9 resumes with what is left.
 * Called children first (the plan's phases backwards), so a document deleted with its
 * children finds them gone, and only what still references it is a dependent.
 */
export async function removeQueued(writer: Writer, ctx: RemovalContext, sync: SyncState, model: string, batchSize: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const { rows } = await ctx.pool.query<QueueRow>(
      `SELECT target_key, source_id, source_kind, stage, reason, document FROM _migration.sync_removals WHERE sync_id = $1 AND model = $2 AND stage IS DISTINCT FROM '${DEFER}' ORDER BY target_key LIMIT $3`,
      [sync.syncId, model, batchSize],
    );
    if (rows.length === 0) return;
    const started = performance.now();
    await writer.transaction(async (tx) => {
      // Taken off the queue in the same transaction (one that another batch pulled in as a holder is gone already).
      const items = await takeQueued(tx, sync.syncId, model, rows.map((r) => r.target_key));
      const counts: RemovalCounts = new Map();
      await removeDocs(tx, ctx, model, items, counts);
      for (const [m, c] of counts) await sync.add(tx, m, { ...c, ...(m === model ? { seconds: (performance.now() - started) / 1000 } : {}) });
    });
  }
}
