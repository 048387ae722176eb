import type { CrmContext } from './context.ts';
import { referenceable, rng } from './context.ts';
import { rand } from '../sample/random.ts';

// Which contact works at which company, computable from either side without remembering
// anything: contacts are laid out in blocks, one block per company (the "home" company), and
// some also worked at an older company a few blocks back. The app recorded each membership
// in `contacts.companyIDs`, in `companies.contactIDs`, or in both: the union is the truth.

/** How far back (in companies) a contact's previous employer may be. */
const EXTRA_BACK = 4;

function homeOf(ctx: CrmContext, contact: number): number {
  return Math.floor((contact * ctx.counts.companies) / ctx.counts.contacts);
}

/** The first contact of company c's block. */
function blockStart(ctx: CrmContext, company: number): number {
  return Math.ceil((company * ctx.counts.contacts) / ctx.counts.companies);
}

export interface Membership {
  company: number;
  /** Recorded in contacts.companyIDs / companies.contactIDs. */
  onContact: boolean;
  onCompany: boolean;
}

/**
 * The companies of a referenceable contact: its primary one first (also its `companyId`),
 * then maybe a previous employer. Freelancers have none.
 */
export function membershipsOf(ctx: CrmContext, contact: number): Membership[] {
  if (!referenceable(ctx, 'contacts', contact)) return [];
  const r = rng(ctx, 'contacts', contact, 'membership');
  if (r.chance(0.08)) return [];
  let home = homeOf(ctx, contact);
  // A deleted (or rejected) home company: the contact is filed under its neighbour instead.
  if (!referenceable(ctx, 'companies', home)) home -= 1;
  const companies = [home];
  if (r.chance(0.2)) {
    const extra = homeOf(ctx, contact) - 1 - r.int(0, EXTRA_BACK - 1);
    if (extra >= 0 && extra !== home && referenceable(ctx, 'companies', extra)) companies.push(extra);
  }
  return companies.map((company, slot) => {
    const side = rand(ctx.seed, 'companyContact', contact, slot === 0 ? 'home' : 'extra').next();
    return { company, onContact: side < 0.8, onCompany: side < 0.55 || side >= 0.8 };
  });
}

/** The primary company of a contact, if any (before planted dirt). */
export function primaryCompany(ctx: CrmContext, contact: number): number | undefined {
  return membershipsOf(ctx, contact)[0]?.company;
}

/** The contacts whose memberships name `company`, in contact order: a scan of a few blocks, not of all contacts. */
export function contactsOf(ctx: CrmContext, company: number): { contact: number; membership: Membership }[] {
  const from = blockStart(ctx, company);
  // Home members sit in the block (or the next one, if that company is gone); previous employees up to EXTRA_BACK blocks later.
  const to = Math.min(ctx.counts.contacts, blockStart(ctx, Math.min(ctx.counts.companies, company + EXTRA_BACK + 1)));
  const out: { contact: number; membership: Membership }[] = [];
  for (let contact = from; contact < to; contact++) {
    const membership = membershipsOf(ctx, contact).find((m) => m.company === company);
    if (membership !== undefined) out.push({ contact, membership });
  }
  return out;
}
