import { Double } from 'bson';
import type { Document } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, oid, rng } from '../context.ts';
import { auditUser, mongooseStamps, put } from '../values.ts';
import type { CrmCollectionSpec } from './spec.ts';

/** The pipeline as the sales team configured it: key, name, win probability. */
export const STAGES = [
  ['lead_in', 'Lead in', 0.1],
  ['qualified', 'Qualifié', 0.25],
  ['demo', 'Demo scheduled', 0.4],
  ['proposal', 'Proposal sent', 0.6],
  ['negotiation', 'Negotiation', 0.8],
  ['closed_won', 'Closed – won 🎉', 1],
  ['closed_lost', 'Closed – lost', 0],
] as const;

export const WON_STAGE = 5;
export const LOST_STAGE = 6;

function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'dealStages', i);
  const stage = STAGES[i % STAGES.length] ?? STAGES[0];
  const doc: Document = {
    _id: oid(ctx, 'dealStages', i),
    key: stage[0],
    name: stage[1],
    // Saved from a drag-and-drop UI that sends JSON numbers: some positions are Doubles (3.0).
    position: i % 2 === 0 ? new Double(i + 1) : i + 1,
    probability: new Double(stage[2]),
    isClosed: i >= WON_STAGE,
  };
  // Only closed stages say whether they are won: absent on the others.
  if (i >= WON_STAGE) doc.isWon = i === WON_STAGE;
  if (r.chance(0.7)) doc.color = `#${Buffer.from(r.bytes(3)).toString('hex')}`;
  put(doc, 'createdBy', i === 0 ? null : auditUser(ctx, r, 'dealStages', i));
  return { ...doc, ...mongooseStamps(r, createdAtOf(ctx, r, 'dealStages', i)) };
}

export const dealStages: CrmCollectionSpec = {
  name: 'dealStages',
  model: 'DealStage',
  uniqueIndexes: [{ key: { key: 1 }, name: 'key_1' }],
  build,
};
