import type { CrmCollection } from './counts.ts';
import type { CrmContext } from './context.ts';
import { CRM_SPECS } from './collections/index.ts';
import { ACTIVITY_BAD_IP } from './collections/activities.ts';
import { CONTACT_MALFORMED_DATE, UNKNOWN_LIFECYCLE } from './collections/contacts.ts';
import { DANGLING, DEAL_WRONG_AMOUNT, UNKNOWN_DEAL_STATUS } from './collections/deals.ts';
import { TASK_MALFORMED_DATE, UNKNOWN_PRIORITY } from './collections/tasks.ts';
import type { CrmDirtRecord, DirtName, QuirkName } from './dirt.ts';
import { dirtSpecs, quirkSpecs } from './dirt.ts';

export interface QuirkRecord {
  collection: CrmCollection;
  model: string;
  _id: string;
  field: string;
  what: string;
  expected: string;
}

/** dirt.json: each planted defect, with the document, the field, and what a migration must do. */
export function dirtRecords(ctx: CrmContext): CrmDirtRecord[] {
  const hex = (c: CrmCollection, i: number): string => ctx.ids.oid(c, i).toHexString();
  const dangling = (k: number, c: CrmCollection, name: DirtName): string => ctx.ids.dangling(k, ctx.ids.seconds(c, ctx.dirt.at[name])).toHexString();
  const what: Record<DirtName, string> = {
    userDuplicateEmail: `email repeats that of the earlier user ${hex('users', ctx.dirt.userEmailSource)}`,
    contactDuplicateEmail: `email (and name) repeat those of the earlier contact ${hex('contacts', ctx.dirt.contactEmailSource)}`,
    contactMalformedDate: `createdAt is the string "${CONTACT_MALFORMED_DATE}"`,
    contactUnknownLifecycle: `lifecycleStage is "${UNKNOWN_LIFECYCLE}", no ContactLifecycle value in any spelling`,
    contactDanglingCompany: `companyId ${hex('companies', ctx.dirt.deletedCompany)} is a deleted company`,
    contactDanglingCompanyLate: `companyId ${hex('companies', ctx.dirt.deletedCompanyLate)} is a deleted company`,
    companyDanglingContact: `contactIDs holds ${hex('contacts', ctx.dirt.deletedContact)}, a deleted contact`,
    documentWrongType: 'sizeBytes is the string "12 KB"',
    dealMissingTitle: 'title is absent',
    dealUnknownStatus: `status is "${UNKNOWN_DEAL_STATUS}", no DealStatus value in any spelling`,
    dealWrongType: `amount is the string "${DEAL_WRONG_AMOUNT}"`,
    dealDanglingDocument: `connected_documents holds ${dangling(DANGLING.dealDocument, 'deals', 'dealDanglingDocument')}, which is no document`,
    invoiceDanglingCompany: `companyId ${hex('companies', ctx.dirt.deletedCompany)} is a deleted company (required relation)`,
    invoiceMissingIssuedAt: 'issuedAt is absent (required, no default)',
    paymentDanglingInvoice: `invoiceIDs holds ${dangling(DANGLING.paymentInvoice, 'payments', 'paymentDanglingInvoice')}, which is no invoice`,
    noteDanglingContact: `contactId ${hex('contacts', ctx.dirt.deletedContact)} is a deleted contact (required relation)`,
    taskUnknownPriority: `priority is "${UNKNOWN_PRIORITY}", no TaskPriority value`,
    taskMalformedDate: `dueAt is the string "${TASK_MALFORMED_DATE}"`,
    taskDanglingDeal: `dealId ${dangling(DANGLING.taskDeal, 'tasks', 'taskDanglingDeal')} is no deal`,
    activityWrongType: `ip is "${ACTIVITY_BAD_IP}", not an address (column is inet)`,
  };
  return dirtSpecs().map((spec) => ({
    collection: spec.collection,
    model: CRM_SPECS[spec.collection].model,
    _id: hex(spec.collection, ctx.dirt.at[spec.name]),
    field: spec.field,
    kind: spec.kind,
    what: what[spec.name],
    expected: spec.expected,
  }));
}

/** manifest.json's `quirks`: values real data has that must load, each with what it must load as. */
export function quirkRecords(ctx: CrmContext): QuirkRecord[] {
  const text: Record<QuirkName, [string, string]> = {
    dealEmptyAmount: ['amount is ""', 'amount NULL'],
    dealNegativeZeroAmount: ['amount is the Double -0.0', 'amount -0 (float8 keeps the sign)'],
    dealGhostCreator: ['createdBy is the ObjectId of no user (an ex-employee)', 'createdBy is that ObjectId\'s UUID (no relation to check)'],
    companyEmptyEmployeeCount: ['employeeCount is ""', 'employee_count NULL'],
    contactNullPhoneNumbers: ['phoneNumbers is null', 'phone_numbers NULL (or {} if the team prefers; never a rejection)'],
  };
  return quirkSpecs().map((spec) => {
    const [what, expected] = text[spec.name];
    return { collection: spec.collection, model: CRM_SPECS[spec.collection].model, _id: ctx.ids.oid(spec.collection, ctx.dirt.at[spec.name]).toHexString(), field: spec.field, what, expected };
  });
}
