import type { Document } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, pickEarlier, rng } from '../context.ts';
import { auditUser, dateOrText, mongooseStamps, put, spelling } from '../values.ts';
import { DANGLING } from './deals.ts';
import type { CrmCollectionSpec } from './spec.ts';

export const UNKNOWN_PRIORITY = 'urgent';
/** A day-first date typed into a text field: February 31st does not exist in any reading. */
export const TASK_MALFORMED_DATE = '31/02/2023';

const TITLES = ['Call back', 'Send proposal', 'Relancer le client', 'Angebot nachfassen', 'Prepare demo', '見積もり送付', 'Check contract'] as const;

function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'tasks', i);
  const createdAt = createdAtOf(ctx, r, 'tasks', i);
  const due = new Date(createdAt.getTime() + r.int(1, 60) * 86_400_000);
  const doc: Document = { _id: oid(ctx, 'tasks', i), title: r.pick(TITLES) };
  if (isAt(ctx, 'taskMalformedDate', i)) doc.dueAt = TASK_MALFORMED_DATE;
  else if (r.chance(0.85)) doc.dueAt = r.chance(0.02) ? '' : dateOrText(r, due, 0.25);
  const done = r.chance(0.6);
  doc.done = done;
  if (done && r.chance(0.9)) doc.completedAt = new Date(due.getTime() - r.int(0, 86_400_000));
  doc.priority = isAt(ctx, 'taskUnknownPriority', i) ? UNKNOWN_PRIORITY : spelling(r, [['normal', 40], ['Normal', 5], ['low', 20], ['Low', 3], ['high', 20], ['High', 5], ['HIGH', 2]]);
  // Minutes before the due time; Mongoose's default [] on newer tasks, absent on older ones.
  if (i >= ctx.counts.tasks / 3) doc.reminderOffsets = r.chance(0.5) ? [r.pick([5, 15, 30]), ...(r.chance(0.3) ? [1440] : [])] : [];
  if (r.chance(0.3)) doc.reminderDates = Array.from({ length: r.int(1, 3) }, (_, k) => new Date(due.getTime() - (k + 1) * 3_600_000));
  if (isAt(ctx, 'taskDanglingDeal', i)) doc.dealId = ctx.ids.dangling(DANGLING.taskDeal, ctx.ids.seconds('tasks', i));
  else if (r.chance(0.5)) doc.dealId = oid(ctx, 'deals', pickEarlier(ctx, r, 'deals', 'tasks', i));
  if (r.chance(0.5)) doc.contactId = oid(ctx, 'contacts', pickEarlier(ctx, r, 'contacts', 'tasks', i));
  put(doc, 'assignedToId', auditUser(ctx, r, 'tasks', i, 0.15, 0.15));
  put(doc, 'createdBy', auditUser(ctx, r, 'tasks', i));
  put(doc, 'updatedBy', auditUser(ctx, r, 'tasks', i, 0.05, 0.3));
  return { ...doc, ...mongooseStamps(r, createdAt) };
}

export const tasks: CrmCollectionSpec = {
  name: 'tasks',
  model: 'Task',
  uniqueIndexes: [],
  build,
};
