import type { Document } from 'bson';
import type { Rand } from '../../sample/random.ts';
import type { CrmCollection } from '../counts.ts';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, pickEarlier, rng } from '../context.ts';
import { auditUser, put } from '../values.ts';
import type { CrmCollectionSpec } from './spec.ts';

/** Not an address: the last octet is out of range. */
export const ACTIVITY_BAD_IP = '10.0.0.300';

const EVENTS = [
  ['contact.created', 'contacts'],
  ['contact.updated', 'contacts'],
  ['deal.stage_changed', 'deals'],
  ['deal.won', 'deals'],
  ['email.sent', 'contacts'],
  ['call.logged', 'contacts'],
  ['invoice.sent', 'invoices'],
  ['login', 'users'],
] as const satisfies readonly (readonly [string, CrmCollection])[];

function payload(r: Rand, type: string): Document {
  switch (type) {
    case 'deal.stage_changed':
      return { from: r.pick(['lead_in', 'qualified', 'demo']), to: r.pick(['proposal', 'negotiation']), automatic: r.chance(0.2) };
    case 'email.sent':
      return { subject: r.pick(['Re: Angebot', 'Suivi de notre appel', 'Quick question 👋', 'ご提案の件']), opened: r.chance(0.5), links: r.int(0, 4) };
    case 'login':
      return { userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', mfa: r.chance(0.7) };
    default:
      return { source: r.pick(['web', 'api', 'import']) };
  }
}

/** The activity feed: an append-only log, ObjectId ids, no relations; its subject id is a hex string. */
function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'activities', i);
  const [type, subject] = r.pick(EVENTS);
  const at = createdAtOf(ctx, r, 'activities', i);
  const doc: Document = { _id: oid(ctx, 'activities', i), type };
  put(doc, 'actorId', auditUser(ctx, r, 'activities', i, 0.1, 0));
  doc.subjectType = subject;
  doc.subjectId = oid(ctx, subject, pickEarlier(ctx, r, subject, 'activities', i)).toHexString();
  if (r.chance(0.8)) doc.payload = payload(r, type);
  if (isAt(ctx, 'activityWrongType', i)) doc.ip = ACTIVITY_BAD_IP;
  else if (r.chance(0.6)) doc.ip = r.chance(0.8) ? `192.0.2.${r.int(1, 254)}` : `2001:db8::${r.int(1, 0xffff).toString(16)}`;
  doc.occurredAt = at;
  // Mongoose `timestamps: { createdAt: true, updatedAt: false }`: a log is never updated.
  return { ...doc, createdAt: at, __v: 0 };
}

export const activities: CrmCollectionSpec = {
  name: 'activities',
  model: 'Activity',
  uniqueIndexes: [],
  build,
};
