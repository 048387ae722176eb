import type { CrmCollection } from '../counts.ts';
import { activities } from './activities.ts';
import { companies } from './companies.ts';
import { contacts } from './contacts.ts';
import { dealStages } from './deal-stages.ts';
import { deals } from './deals.ts';
import { documents } from './documents.ts';
import { invoices } from './invoices.ts';
import { notes } from './notes.ts';
import { payments } from './payments.ts';
import type { CrmCollectionSpec } from './spec.ts';
import { tags } from './tags.ts';
import { tasks } from './tasks.ts';
import { users } from './users.ts';

export type { CrmCollectionSpec } from './spec.ts';

export const CRM_SPECS: Readonly<Record<CrmCollection, CrmCollectionSpec>> = {
  users,
  dealStages,
  tags,
  companies,
  contacts,
  documents,
  deals,
  invoices,
  payments,
  notes,
  tasks,
  activities,
};
