import type { Document } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, pickEarlier, rng } from '../context.ts';
import { freeText } from '../text.ts';
import { auditUser, dateOrText, mongooseStamps, put } from '../values.ts';
import type { CrmCollectionSpec } from './spec.ts';

function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'notes', i);
  const createdAt = createdAtOf(ctx, r, 'notes', i);
  const contact = isAt(ctx, 'noteDanglingContact', i) ? ctx.dirt.deletedContact : pickEarlier(ctx, r, 'contacts', 'notes', i);
  // Some notes hold a whole pasted e-mail thread: the long strings of the sample.
  const doc: Document = { _id: oid(ctx, 'notes', i), body: freeText(r, 0.04), contactId: oid(ctx, 'contacts', contact) };
  if (r.chance(0.3)) doc.dealId = oid(ctx, 'deals', pickEarlier(ctx, r, 'deals', 'notes', i));
  if (r.chance(0.15)) doc.pinned = true;
  put(doc, 'createdBy', auditUser(ctx, r, 'notes', i, 0.02, 0.05));
  const stamps = mongooseStamps(r, createdAt);
  // Notes synced from the mail plugin were written with ISO-string timestamps.
  stamps.createdAt = dateOrText(r, createdAt, 0.1);
  return { ...doc, ...stamps };
}

export const notes: CrmCollectionSpec = {
  name: 'notes',
  model: 'Note',
  uniqueIndexes: [],
  build,
};
