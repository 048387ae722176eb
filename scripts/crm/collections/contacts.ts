import type { Document } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, rng } from '../context.ts';
import { isDeleted } from '../deleted.ts';
import { membershipsOf } from '../memberships.ts';
import { domainOf, personOf, phoneOf } from '../people.ts';
import { distinctPicks } from '../../sample/collections/products.ts';
import { CITIES, STREETS } from '../../sample/text.ts';
import { auditUser, calendarDate, dateOrText, mongooseStamps, put, spelling } from '../values.ts';
import { someLegacyUserId } from './users.ts';
import type { CrmCollectionSpec } from './spec.ts';

export const CONTACT_MALFORMED_DATE = '2022-02-30T25:61:00Z';
export const UNKNOWN_LIFECYCLE = 'evangelist';

const TITLES = ['CEO', 'CTO', 'Head of Sales', 'Einkäuferin', 'Directeur financier', 'Office manager', 'エンジニア', 'Procurement'] as const;

/** A person's name: the duplicate redraws the name of the contact it repeats. */
function personIndex(ctx: CrmContext, i: number): number {
  return isAt(ctx, 'contactDuplicateEmail', i) ? ctx.dirt.contactEmailSource : i;
}

function emailOf(ctx: CrmContext, i: number): string | undefined {
  const r = rng(ctx, 'contacts', i, 'email');
  if (i !== ctx.dirt.contactEmailSource && r.chance(0.08)) return undefined;
  const person = personOf(rng(ctx, 'contacts', i, 'person'));
  return `${person.local}.${i}@${domainOf(r)}`;
}

function phoneNumbers(ctx: CrmContext, i: number): string[] | null | undefined {
  if (isAt(ctx, 'contactNullPhoneNumbers', i)) return null;
  const r = rng(ctx, 'contacts', i, 'phones');
  const x = r.next();
  if (x < 0.2) return undefined;
  if (x < 0.35) return [];
  return Array.from({ length: r.int(1, 3) }, () => phoneOf(r));
}

function build(ctx: CrmContext, i: number): Document | undefined {
  if (isDeleted('contacts', i)) return undefined;
  const r = rng(ctx, 'contacts', i);
  const person = personOf(rng(ctx, 'contacts', personIndex(ctx, i), 'person'));
  const createdAt = createdAtOf(ctx, r, 'contacts', i);
  const doc: Document = { _id: oid(ctx, 'contacts', i), firstName: person.firstName, lastName: person.lastName };
  put(doc, 'email', emailOf(ctx, personIndex(ctx, i)));
  put(doc, 'phoneNumbers', phoneNumbers(ctx, i));
  if (r.chance(0.6)) doc.jobTitle = r.pick(TITLES);
  doc.lifecycleStage = isAt(ctx, 'contactUnknownLifecycle', i)
    ? UNKNOWN_LIFECYCLE
    : spelling(r, [['lead', 30], ['Lead', 8], ['LEAD', 2], ['prospect', 20], ['Prospect', 5], ['customer', 20], ['Customer', 6], ['churned', 6], ['Churned', 3]]);
  const memberships = membershipsOf(ctx, i);
  const primary = memberships[0];
  // The planted dangling references: companies deleted without their contacts being updated.
  if (isAt(ctx, 'contactDanglingCompany', i)) doc.companyId = oid(ctx, 'companies', ctx.dirt.deletedCompany);
  else if (isAt(ctx, 'contactDanglingCompanyLate', i)) doc.companyId = oid(ctx, 'companies', ctx.dirt.deletedCompanyLate);
  else if (primary !== undefined) doc.companyId = oid(ctx, 'companies', primary.company);
  // Freelancers: the field was cleared (null) or never set (absent).
  else if (r.chance(0.4)) doc.companyId = null;
  doc.companyIDs = memberships.filter((m) => m.onContact).map((m) => oid(ctx, 'companies', m.company));
  if (r.chance(0.5)) {
    const [city, country] = r.pick(CITIES);
    doc.address = { street: `${r.int(1, 250)} ${r.pick(STREETS)}`, city, zip: String(r.int(1000, 99999)), country };
  }
  if (r.chance(0.4)) {
    const handle = person.local.replace('.', '_');
    doc.socials = r.chance(0.2) ? {} : { twitter: `@${handle}`, ...(r.chance(0.5) ? { linkedin: `in/${handle}` } : {}) };
  }
  // Lead scoring shipped halfway through the app's life: older contacts never got the field.
  if (i >= ctx.counts.contacts / 2) doc.scoreHistory = Array.from({ length: r.int(0, 6) }, () => r.int(0, 100));
  // Schema drift: the field was added to the Mongoose schema late, so only the last third has it.
  if (i >= (2 * ctx.counts.contacts) / 3 && r.chance(0.7)) doc.linkedinUrl = `https://www.linkedin.com/in/${person.local.replace('.', '-')}-${i}`;
  const birthday = r.next();
  if (birthday < 0.3) doc.birthday = calendarDate(r, new Date(Date.UTC(r.int(1950, 2003), r.int(0, 11), r.int(1, 28))));
  // The form posted an empty field as "" for a while.
  else if (birthday < 0.33) doc.birthday = '';
  if (r.chance(0.7)) doc.lastContactedAt = dateOrText(r, new Date(createdAt.getTime() + r.int(0, 300) * 86_400_000 + r.int(0, 86_399_999)), 0.35);
  // Imported from the old CRM: its owner number and an import tag (not in the Prisma schema: left behind).
  if (i < ctx.counts.contacts * 0.3) {
    if (r.chance(0.8)) doc.legacyOwnerId = someLegacyUserId(ctx, r.int(0, 1000));
    doc.importBatch = `legacy-import-2019-${String(1 + (i % 12)).padStart(2, '0')}`;
  }
  put(doc, 'assignedToId', auditUser(ctx, r, 'contacts', i, 0.1, 0.2));
  doc.tagIDs = distinctPicks(r, ctx.counts.tags, 3).map((t) => oid(ctx, 'tags', t));
  put(doc, 'createdBy', auditUser(ctx, r, 'contacts', i));
  put(doc, 'updatedBy', auditUser(ctx, r, 'contacts', i, 0.05, 0.3));
  const stamps = mongooseStamps(r, createdAt);
  if (isAt(ctx, 'contactMalformedDate', i)) stamps.createdAt = CONTACT_MALFORMED_DATE;
  return { ...doc, ...stamps };
}

export const contacts: CrmCollectionSpec = {
  name: 'contacts',
  model: 'Contact',
  // No unique index on email: the planted duplicate would be refused by the server.
  uniqueIndexes: [],
  build,
};
