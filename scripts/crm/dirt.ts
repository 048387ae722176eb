import type { CrmCollection, CrmCounts } from './counts.ts';
import { deletedAtOrAfter, isDeleted } from './deleted.ts';

export type CrmDirtKind =
  | 'duplicate-unique'
  | 'dangling-required-ref'
  | 'dangling-optional-ref'
  | 'dangling-link'
  | 'wrong-type'
  | 'missing-required'
  | 'malformed-date'
  | 'unknown-enum';

/** What a correct migration does with the document (see scripts/crm/README.md, "Planted dirt"). */
export type CrmExpected = 'reject-document' | 'set-null-and-report' | 'drop-link-and-report';

export interface CrmDirtRecord {
  collection: CrmCollection;
  model: string;
  /** 24-hex ObjectId of the dirty document. */
  _id: string;
  field: string;
  kind: CrmDirtKind;
  what: string;
  expected: CrmExpected;
}

/**
 * One planted defect: where it sits and what it is. Positions are fractions of the
 * collection, so the defect is mid-collection at every scale (a migrator that stops at
 * the first bad document, or checks only the tail, shows).
 */
interface DirtSpec {
  name: string;
  collection: CrmCollection;
  at: number;
  field: string;
  kind: CrmDirtKind;
  expected: CrmExpected;
}

// Rejected documents are never referenced by clean ones, so each rejection removes exactly
// one document and nothing else; the others (null-and-report, drop-link) may be referenced.
const SPECS = [
  { name: 'userDuplicateEmail', collection: 'users', at: 0.6, field: 'email', kind: 'duplicate-unique', expected: 'reject-document' },
  { name: 'contactDuplicateEmail', collection: 'contacts', at: 0.45, field: 'email', kind: 'duplicate-unique', expected: 'reject-document' },
  { name: 'contactMalformedDate', collection: 'contacts', at: 0.3, field: 'createdAt', kind: 'malformed-date', expected: 'reject-document' },
  { name: 'contactUnknownLifecycle', collection: 'contacts', at: 0.7, field: 'lifecycleStage', kind: 'unknown-enum', expected: 'reject-document' },
  { name: 'contactDanglingCompany', collection: 'contacts', at: 0.55, field: 'companyId', kind: 'dangling-optional-ref', expected: 'set-null-and-report' },
  { name: 'contactDanglingCompanyLate', collection: 'contacts', at: 0.85, field: 'companyId', kind: 'dangling-optional-ref', expected: 'set-null-and-report' },
  { name: 'companyDanglingContact', collection: 'companies', at: 0.4, field: 'contactIDs', kind: 'dangling-link', expected: 'drop-link-and-report' },
  { name: 'documentWrongType', collection: 'documents', at: 0.5, field: 'sizeBytes', kind: 'wrong-type', expected: 'reject-document' },
  { name: 'dealMissingTitle', collection: 'deals', at: 0.35, field: 'title', kind: 'missing-required', expected: 'reject-document' },
  { name: 'dealUnknownStatus', collection: 'deals', at: 0.5, field: 'status', kind: 'unknown-enum', expected: 'reject-document' },
  { name: 'dealWrongType', collection: 'deals', at: 0.65, field: 'amount', kind: 'wrong-type', expected: 'reject-document' },
  { name: 'dealDanglingDocument', collection: 'deals', at: 0.8, field: 'connected_documents', kind: 'dangling-link', expected: 'drop-link-and-report' },
  { name: 'invoiceDanglingCompany', collection: 'invoices', at: 0.4, field: 'companyId', kind: 'dangling-required-ref', expected: 'reject-document' },
  { name: 'invoiceMissingIssuedAt', collection: 'invoices', at: 0.75, field: 'issuedAt', kind: 'missing-required', expected: 'reject-document' },
  { name: 'paymentDanglingInvoice', collection: 'payments', at: 0.5, field: 'invoiceIDs', kind: 'dangling-link', expected: 'drop-link-and-report' },
  { name: 'noteDanglingContact', collection: 'notes', at: 0.5, field: 'contactId', kind: 'dangling-required-ref', expected: 'reject-document' },
  { name: 'taskUnknownPriority', collection: 'tasks', at: 0.3, field: 'priority', kind: 'unknown-enum', expected: 'reject-document' },
  { name: 'taskMalformedDate', collection: 'tasks', at: 0.6, field: 'dueAt', kind: 'malformed-date', expected: 'reject-document' },
  { name: 'taskDanglingDeal', collection: 'tasks', at: 0.85, field: 'dealId', kind: 'dangling-optional-ref', expected: 'set-null-and-report' },
  { name: 'activityWrongType', collection: 'activities', at: 0.5, field: 'ip', kind: 'wrong-type', expected: 'reject-document' },
] as const satisfies readonly DirtSpec[];

export type DirtName = (typeof SPECS)[number]['name'];

/**
 * Values that real data has and that a migration must load, not reject; at fixed places so
 * tests can look them up. Listed in manifest.json, not dirt.json.
 */
const QUIRK_SPECS = [
  { name: 'dealEmptyAmount', collection: 'deals', at: 0.2, field: 'amount' },
  { name: 'dealNegativeZeroAmount', collection: 'deals', at: 0.25, field: 'amount' },
  { name: 'dealGhostCreator', collection: 'deals', at: 0.9, field: 'createdBy' },
  { name: 'companyEmptyEmployeeCount', collection: 'companies', at: 0.6, field: 'employeeCount' },
  { name: 'contactNullPhoneNumbers', collection: 'contacts', at: 0.2, field: 'phoneNumbers' },
] as const;

export type QuirkName = (typeof QUIRK_SPECS)[number]['name'];

export interface CrmDirtPlan {
  readonly at: Readonly<Record<DirtName | QuirkName, number>>;
  /** The earlier, clean user and contact whose e-mails the duplicates repeat. */
  readonly userEmailSource: number;
  readonly contactEmailSource: number;
  /** Deleted documents the dangling references point at. */
  readonly deletedCompany: number;
  readonly deletedCompanyLate: number;
  readonly deletedContact: number;
  /** Per collection, the planted indices whose expected outcome is a rejection. */
  readonly rejected: ReadonlyMap<CrmCollection, ReadonlySet<number>>;
  /** Per collection, every planted index (dirt and quirks). */
  readonly planted: ReadonlyMap<CrmCollection, ReadonlySet<number>>;
}

export function planCrmDirt(counts: CrmCounts): CrmDirtPlan {
  const planted = new Map<CrmCollection, Set<number>>();
  const rejected = new Map<CrmCollection, Set<number>>();
  const place = (collection: CrmCollection, fraction: number): number => {
    const taken = planted.get(collection) ?? new Set<number>();
    planted.set(collection, taken);
    let i = Math.max(1, Math.floor(counts[collection] * fraction));
    while (taken.has(i) || isDeleted(collection, i)) i++;
    if (i >= counts[collection]) throw new Error(`${collection} is too small for its planted documents`);
    taken.add(i);
    return i;
  };
  const at: Partial<Record<DirtName | QuirkName, number>> = {};
  for (const spec of SPECS) {
    const i = place(spec.collection, spec.at);
    at[spec.name] = i;
    if (spec.expected === 'reject-document') {
      const set = rejected.get(spec.collection) ?? new Set<number>();
      rejected.set(spec.collection, set);
      set.add(i);
    }
  }
  for (const spec of QUIRK_SPECS) at[spec.name] = place(spec.collection, spec.at);
  const full = at as Record<DirtName | QuirkName, number>;
  // The source of a duplicate is the nearest earlier document that stays clean.
  const earlierClean = (collection: CrmCollection, from: number): number => {
    let i = from - 1;
    while (i > 0 && (planted.get(collection)?.has(i) === true || isDeleted(collection, i))) i--;
    return i;
  };
  return {
    at: full,
    userEmailSource: earlierClean('users', full.userDuplicateEmail),
    contactEmailSource: earlierClean('contacts', full.contactDuplicateEmail),
    deletedCompany: deletedAtOrAfter('companies', Math.floor(counts.companies / 3)),
    deletedCompanyLate: deletedAtOrAfter('companies', Math.floor((2 * counts.companies) / 3)),
    deletedContact: deletedAtOrAfter('contacts', Math.floor(counts.contacts / 3)),
    rejected,
    planted,
  };
}

export function dirtSpecs(): readonly (DirtSpec & { name: DirtName })[] {
  return SPECS;
}

export function quirkSpecs(): readonly { name: QuirkName; collection: CrmCollection; field: string }[] {
  return QUIRK_SPECS;
}
