import { Double } from 'bson';
import type { Document, ObjectId } from 'bson';
import type { Rand } from '../../sample/random.ts';
import { distinctPicks } from '../../sample/collections/products.ts';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, pickEarlier, referenceable, rng } from '../context.ts';
import { contactsOf } from '../memberships.ts';
import { auditUser, calendarDate, countValue, mongooseStamps, put, spelling } from '../values.ts';
import { LOST_STAGE, STAGES, WON_STAGE } from './deal-stages.ts';
import type { CrmCollectionSpec } from './spec.ts';

export const UNKNOWN_DEAL_STATUS = 'pending_approval';
export const DEAL_WRONG_AMOUNT = '12 500,00 €';

/** Distinct counters of the ids that point nowhere (see IdSpace.dangling). */
export const DANGLING = { dealDocument: 1, dealCreator: 2, paymentInvoice: 3, taskDeal: 4 } as const;

const LABELS = ['hot', 'Q4', 'multi-year', 'needs-legal', 'référencé', 'pilot'] as const;
const LOST_REASONS = ['Price', 'Went with a competitor', 'No budget', 'Timing — revisit next year', '連絡なし'] as const;

/** The status string of a deal in `stage`; later documents use the renamed "closed_*" values. */
function statusText(r: Rand, stage: number, late: boolean): string {
  if (stage === WON_STAGE) return late ? spelling(r, [['closed_won', 8], ['WON', 1]]) : spelling(r, [['WON', 5], ['won', 3], ['Won', 1]]);
  if (stage === LOST_STAGE) return late ? spelling(r, [['closed_lost', 8], ['lost', 1]]) : spelling(r, [['LOST', 5], ['lost', 3]]);
  return spelling(r, [['open', 6], ['Open', 3], ['OPEN', 1]]);
}

function amountOf(ctx: CrmContext, r: Rand, i: number): unknown {
  if (isAt(ctx, 'dealEmptyAmount', i)) return '';
  if (isAt(ctx, 'dealNegativeZeroAmount', i)) return new Double(-0);
  if (isAt(ctx, 'dealWrongType', i)) return DEAL_WRONG_AMOUNT;
  if (r.chance(0.08)) return undefined;
  // Round amounts come back from the UI as int32, others as doubles with cents.
  return r.chance(0.4) ? r.int(1, 500) * 1000 : new Double(r.int(10_000, 50_000_000) / 100);
}

function contactIDs(ctx: CrmContext, r: Rand, company: number | undefined, i: number): ObjectId[] {
  const people = company === undefined ? [] : contactsOf(ctx, company).map((m) => m.contact);
  const n = r.int(0, 3);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const contact = people.length > 0 && r.chance(0.8) ? r.pick(people) : pickEarlier(ctx, r, 'contacts', 'deals', i);
    if (!out.includes(contact)) out.push(contact);
  }
  return out.map((c) => oid(ctx, 'contacts', c));
}

function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'deals', i);
  const createdAt = createdAtOf(ctx, r, 'deals', i);
  const doc: Document = { _id: oid(ctx, 'deals', i) };
  if (!isAt(ctx, 'dealMissingTitle', i)) doc.title = `${r.pick(['Renewal', 'New licence', 'Pilot', 'Expansion', 'Rahmenvertrag', 'Projet'])} ${i + 1}`;
  put(doc, 'amount', amountOf(ctx, r, i));
  if (r.chance(0.85)) doc.currency = r.weighted([['EUR', 6], ['USD', 3], ['JPY', 1]] as const);
  const stage = r.weighted(STAGES.map((_, s) => [s, s >= WON_STAGE ? 3 : 2] as const));
  doc.status = isAt(ctx, 'dealUnknownStatus', i) ? UNKNOWN_DEAL_STATUS : statusText(r, stage, i > ctx.counts.deals * 0.6);
  doc.stageId = oid(ctx, 'dealStages', stage);
  const company = r.chance(0.85) ? pickEarlier(ctx, r, 'companies', 'deals', i) : undefined;
  if (company !== undefined) doc.companyId = oid(ctx, 'companies', company);
  else if (r.chance(0.5)) doc.companyId = null;
  doc.ownerId = oid(ctx, 'users', pickEarlier(ctx, r, 'users', 'deals', i));
  if (r.chance(0.8)) doc.probability = countValue(r, Math.round((STAGES[stage]?.[2] ?? 0) * 100), 0.3);
  const labels = r.next();
  if (labels < 0.5) doc.labels = distinctPicks(r, LABELS.length, 3).map((l) => LABELS[l] as string);
  else if (labels < 0.8) doc.labels = [];
  const close = new Date(createdAt.getTime() + r.int(10, 200) * 86_400_000);
  if (r.chance(0.75)) doc.closeDate = r.chance(0.03) ? '' : calendarDate(r, close);
  // Close dates that slipped: the earlier ones, oldest first (only since the field existed).
  if (i >= ctx.counts.deals / 3) {
    const slips = r.weighted([[0, 6], [1, 3], [r.int(2, 4), 1]] as const);
    const midnight = Date.UTC(close.getUTCFullYear(), close.getUTCMonth(), close.getUTCDate());
    doc.closeDateHistory = Array.from({ length: slips }, (_, s) => new Date(midnight - (slips - s) * 14 * 86_400_000));
  }
  if (stage === LOST_STAGE && r.chance(0.7)) doc.lostReason = r.pick(LOST_REASONS);
  put(doc, 'assignedToId', auditUser(ctx, r, 'deals', i, 0.1, 0.15));
  doc.contactIDs = contactIDs(ctx, r, company, i);
  const documents = distinctPicks(r, Math.max(1, Math.floor((i * ctx.counts.documents) / ctx.counts.deals)), 3).filter((d) => referenceable(ctx, 'documents', d)).map((d) => oid(ctx, 'documents', d));
  if (isAt(ctx, 'dealDanglingDocument', i)) documents.push(ctx.ids.dangling(DANGLING.dealDocument, ctx.ids.seconds('deals', i)));
  doc.connected_documents = documents;
  doc.tagIDs = distinctPicks(r, ctx.counts.tags, 3).map((t) => oid(ctx, 'tags', t));
  // A field the Prisma schema dropped: left behind, must be reported.
  if (r.chance(0.5)) doc.forecastCategory = r.pick(['pipeline', 'best_case', 'commit', 'omitted']);
  // The quirk: a creator whose user document is gone (an ex-employee); no relation, so it loads.
  put(doc, 'createdBy', isAt(ctx, 'dealGhostCreator', i) ? ctx.ids.dangling(DANGLING.dealCreator, ctx.ids.seconds('deals', i)) : auditUser(ctx, r, 'deals', i));
  put(doc, 'updatedBy', auditUser(ctx, r, 'deals', i, 0.05, 0.3));
  return { ...doc, ...mongooseStamps(r, createdAt) };
}

export const deals: CrmCollectionSpec = {
  name: 'deals',
  model: 'Deal',
  uniqueIndexes: [],
  build,
};
