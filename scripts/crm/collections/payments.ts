import { Double } from 'bson';
import type { Document, ObjectId } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, referenceable, rng } from '../context.ts';
import { auditUser, mongooseStamps, put, spelling } from '../values.ts';
import { DANGLING } from './deals.ts';
import { invoiceCompany } from './invoices.ts';
import type { CrmCollectionSpec } from './spec.ts';

/**
 * The invoices a payment settles: one invoice and, sometimes, the next ones of the same company
 * close by (a customer paying several at once). Rejected invoices are never settled.
 */
function invoiceIndices(ctx: CrmContext, i: number): number[] {
  const r = rng(ctx, 'payments', i, 'invoices');
  const n = ctx.counts.invoices;
  let first = Math.min(n - 1, Math.floor((i * n) / ctx.counts.payments));
  while (first > 0 && !referenceable(ctx, 'invoices', first)) first--;
  const company = invoiceCompany(ctx, first);
  const out = [first];
  if (r.chance(0.25)) {
    for (let k = first + 1; k < Math.min(n, first + 30) && out.length < 3; k++) {
      if (referenceable(ctx, 'invoices', k) && invoiceCompany(ctx, k) === company) out.push(k);
    }
  }
  return out;
}

function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'payments', i);
  const settled = invoiceIndices(ctx, i);
  const invoiceIDs: ObjectId[] = settled.map((k) => oid(ctx, 'invoices', k));
  if (isAt(ctx, 'paymentDanglingInvoice', i)) invoiceIDs.push(ctx.ids.dangling(DANGLING.paymentInvoice, ctx.ids.seconds('payments', i)));
  const createdAt = createdAtOf(ctx, r, 'payments', i);
  const doc: Document = {
    _id: oid(ctx, 'payments', i),
    amount: r.chance(0.3) ? r.int(1, 900) * 100 : new Double(r.int(1_000, 9_000_000) / 100),
    // "wire" until the rename, "bank_transfer" after; both are BANK_TRANSFER (PostgreSQL label "wire").
    method: i < ctx.counts.payments / 2 ? spelling(r, [['card', 5], ['Card', 1], ['wire', 4], ['check', 1]]) : spelling(r, [['card', 5], ['CARD', 1], ['bank_transfer', 4], ['wire', 1], ['check', 1]]),
    paidAt: createdAt,
    companyId: oid(ctx, 'companies', invoiceCompany(ctx, settled[0] ?? 0)),
    invoiceIDs,
  };
  if (r.chance(0.6)) doc.reference = `PAY-${Buffer.from(r.bytes(5)).toString('hex').toUpperCase()}`;
  put(doc, 'createdBy', auditUser(ctx, r, 'payments', i));
  return { ...doc, ...mongooseStamps(r, createdAt) };
}

export const payments: CrmCollectionSpec = {
  name: 'payments',
  model: 'Payment',
  uniqueIndexes: [],
  build,
};
