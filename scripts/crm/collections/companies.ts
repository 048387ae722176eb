import { Double } from 'bson';
import type { Document } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, pickEarlier, rng } from '../context.ts';
import { isDeleted } from '../deleted.ts';
import { contactsOf } from '../memberships.ts';
import { phoneOf } from '../people.ts';
import { CITIES, STREETS } from '../../sample/text.ts';
import { INDUSTRIES, companyName, domainFor, freeText } from '../text.ts';
import { auditUser, countValue, mongooseStamps, put } from '../values.ts';
import type { CrmCollectionSpec } from './spec.ts';

/** Companies imported from the old ERP keep its customer number; later ones have none. */
export function legacyCompanyNo(ctx: CrmContext, index: number): number | undefined {
  return index < Math.floor(ctx.counts.companies * 0.4) ? 50_000 + index : undefined;
}

function address(ctx: CrmContext, i: number): Document | undefined {
  const r = rng(ctx, 'companies', i, 'address');
  if (r.chance(0.15)) return undefined;
  const [city, country] = r.pick(CITIES);
  const a: Document = { street: `${r.int(1, 250)} ${r.pick(STREETS)}`, city };
  // Mongoose fills sub-documents in schema order, but a missing key is just missing.
  if (r.chance(0.85)) a.zip = String(r.int(1000, 99999)).padStart(5, '0');
  a.country = country;
  return a;
}

function build(ctx: CrmContext, i: number): Document | undefined {
  if (isDeleted('companies', i)) return undefined;
  const r = rng(ctx, 'companies', i);
  const name = companyName(r);
  const domain = domainFor(name, i);
  const doc: Document = { _id: oid(ctx, 'companies', i), name };
  if (r.chance(0.9)) doc.domain = domain;
  if (r.chance(0.8)) doc.industry = r.pick(INDUSTRIES);
  if (r.chance(0.7)) doc.website = `https://www.${domain}/`;
  if (r.chance(0.5)) doc.description = freeText(r, 0.05);
  // Scalar lists: Mongoose's default [] on newer documents, absent on those written before the field existed.
  if (i >= ctx.counts.companies / 4) doc.emails = r.chance(0.7) ? [`info@${domain}`, ...(r.chance(0.4) ? [`sales@${domain}`] : [])] : [];
  if (r.chance(0.8)) doc.phoneNumbers = Array.from({ length: r.int(0, 3) }, () => phoneOf(r));
  put(doc, 'address', address(ctx, i));
  if (r.chance(0.4)) doc.rating = { value: new Double(r.int(10, 50) / 10), votes: r.int(1, 400) };
  if (isAt(ctx, 'companyEmptyEmployeeCount', i)) doc.employeeCount = '';
  else if (r.chance(0.7)) doc.employeeCount = countValue(r, r.weighted([[r.int(1, 50), 5], [r.int(51, 500), 3], [r.int(501, 20000), 1]] as const));
  if (r.chance(0.4)) doc.annualRevenue = new Double(r.int(100, 5_000_000) * 100);
  if (r.chance(0.5)) doc.foundedYear = r.int(1850, 2022);
  put(doc, 'legacyId', legacyCompanyNo(ctx, i));
  if (r.chance(0.85)) doc.ownerId = oid(ctx, 'users', pickEarlier(ctx, r, 'users', 'companies', i));
  const contactIDs = contactsOf(ctx, i).filter((m) => m.membership.onCompany).map((m) => oid(ctx, 'contacts', m.contact));
  // The planted dangling link: a contact deleted since, still listed here.
  if (isAt(ctx, 'companyDanglingContact', i)) contactIDs.splice(Math.min(1, contactIDs.length), 0, oid(ctx, 'contacts', ctx.dirt.deletedContact));
  doc.contactIDs = contactIDs;
  put(doc, 'createdBy', auditUser(ctx, r, 'companies', i));
  put(doc, 'updatedBy', auditUser(ctx, r, 'companies', i, 0.05, 0.3));
  return { ...doc, ...mongooseStamps(r, createdAtOf(ctx, r, 'companies', i)) };
}

export const companies: CrmCollectionSpec = {
  name: 'companies',
  model: 'Company',
  uniqueIndexes: [],
  build,
};
