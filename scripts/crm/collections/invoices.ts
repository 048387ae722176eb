import { Double } from 'bson';
import type { Document } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, pickEarlier, rng } from '../context.ts';
import { auditUser, dateOrText, mongooseStamps, put, spelling } from '../values.ts';
import { legacyCompanyNo } from './companies.ts';
import type { CrmCollectionSpec } from './spec.ts';

/** Unique and a pure function of the index, so payments could quote it. */
export function invoiceNumber(ctx: CrmContext, i: number): string {
  return `INV-${new Date(ctx.ids.seconds('invoices', i) * 1000).getUTCFullYear()}-${String(i + 1).padStart(6, '0')}`;
}

/** The company an invoice bills: a pure function, so payments can settle invoices of their own company. */
export function invoiceCompany(ctx: CrmContext, i: number): number {
  return pickEarlier(ctx, rng(ctx, 'invoices', i, 'company'), 'companies', 'invoices', i);
}

function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'invoices', i);
  const createdAt = createdAtOf(ctx, r, 'invoices', i);
  const company = invoiceCompany(ctx, i);
  const doc: Document = {
    _id: oid(ctx, 'invoices', i),
    number: invoiceNumber(ctx, i),
    companyId: oid(ctx, 'companies', isAt(ctx, 'invoiceDanglingCompany', i) ? ctx.dirt.deletedCompany : company),
  };
  if (r.chance(0.6)) doc.dealId = oid(ctx, 'deals', pickEarlier(ctx, r, 'deals', 'invoices', i));
  doc.status = spelling(r, [['paid', 40], ['Paid', 5], ['PAID', 2], ['sent', 25], ['Sent', 3], ['draft', 15], ['void', 5], ['Void', 1]]);
  if (!isAt(ctx, 'invoiceMissingIssuedAt', i)) doc.issuedAt = createdAt;
  if (r.chance(0.9)) doc.dueAt = dateOrText(r, new Date(createdAt.getTime() + r.pick([14, 30, 45, 60]) * 86_400_000), 0.2);
  const lines: Document[] = [];
  let totalCents = 0;
  for (let l = 0, n = r.int(1, 6); l < n; l++) {
    const quantity = r.int(1, 20);
    const unitCents = r.int(500, 250_000);
    totalCents += quantity * unitCents;
    const line: Document = { description: r.pick(['Licence', 'Onboarding', 'Support — Premium', 'Schulung', 'Formation', 'Hébergement']), quantity, unitPrice: new Double(unitCents / 100) };
    if (r.chance(0.2)) line.discount = new Double(r.pick([5, 10, 15]) / 100);
    lines.push(line);
  }
  doc.total = new Double(totalCents / 100);
  // Tax was added later; older invoices lack it (the column defaults to 0).
  if (i >= ctx.counts.invoices / 4) doc.tax = new Double(Math.round(totalCents * 0.2) / 100);
  doc.lineItems = lines;
  put(doc, 'legacyCustomerNo', legacyCompanyNo(ctx, company));
  put(doc, 'createdBy', auditUser(ctx, r, 'invoices', i));
  put(doc, 'updatedBy', auditUser(ctx, r, 'invoices', i, 0.05, 0.3));
  return { ...doc, ...mongooseStamps(r, createdAt) };
}

export const invoices: CrmCollectionSpec = {
  name: 'invoices',
  model: 'Invoice',
  uniqueIndexes: [{ key: { number: 1 }, name: 'number_1' }],
  build,
};
