import { EJSON } from 'bson';
import type { RejectStage } from '../transform/reject.ts';
import type { SourceDoc } from '../transform/types.ts';
import type { Writer } from '../target/writer.ts';
import { removeDocs, type Removal, type RemovalContext, type RemovalCounts } from './remove-docs.ts';
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
    const { rows } = await ctx.pool.query<{ target_key: string; source_id: string; source_kind: Removal['sourceKind']; stage: RejectStage | null; reason: string | null; document: string | null }>(
      `SELECT target_key, source_id, source_kind, stage, reason, document FROM _migration.sync_removals WHERE sync_id = $1 AND model = $2 ORDER BY target_key LIMIT $3`,
      [sync.syncId, model, batchSize],
    );
    if (rows.length === 0) return;
    const items: Removal[] = rows.map((r) => ({
      targetKey: r.target_key,
      sourceId: r.source_id,
      sourceKind: r.source_kind,
      ...(r.reason !== null && r.stage !== null ? { rejected: { doc: (r.document ? EJSON.parse(r.document, { relaxed: false }) : { _id: r.source_id }) as SourceDoc, stage: r.stage, reason: r.reason } } : {}),
    }));
    const started = performance.now();
    await writer.transaction(async (tx) => {
      const counts: RemovalCounts = new Map();
      await removeDocs(tx, ctx, model, items, counts);
      await tx.query(`DELETE FROM _migration.sync_removals WHERE sync_id = $1 AND model = $2 AND target_key = ANY($3::text[])`, [sync.syncId, model, items.map((i) => i.targetKey)]);
      for (const [m, c] of counts) await sync.add(tx, m, { ...c, ...(m === model ? { seconds: (performance.now() - started) / 1000 } : {}) });
    });
  }
}
