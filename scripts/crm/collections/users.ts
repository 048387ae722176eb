import type { Document } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, rng } from '../context.ts';
import { personOf, phoneOf } from '../people.ts';
import { CRM_END_S } from '../timeline.ts';
import { dateOrText, mongooseStamps, spelling } from '../values.ts';
import type { CrmCollectionSpec } from './spec.ts';

const TIMEZONES = ['Europe/Paris', 'Europe/Berlin', 'America/Chicago', 'Asia/Tokyo', 'America/Sao_Paulo', 'UTC'] as const;

/** Staff joined before the switch from the old CRM keep their number there. */
function hasLegacyId(ctx: CrmContext, index: number): boolean {
  return index < Math.ceil(ctx.counts.users / 2);
}

export function legacyUserId(index: number): number {
  return 1000 + index * 7;
}

/** The e-mail of user `index` (staff addresses: unique by construction). */
export function userEmail(ctx: CrmContext, index: number): string {
  const p = personOf(rng(ctx, 'users', index, 'person'));
  return `${p.local}.${index}@acme-crm.example`;
}

/** A legacy user number an old contact may still carry: some user's that exists. */
export function someLegacyUserId(ctx: CrmContext, pick: number): number {
  return legacyUserId(pick % Math.ceil(ctx.counts.users / 2));
}

function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'users', i);
  const duplicate = isAt(ctx, 'userDuplicateEmail', i);
  const person = personOf(rng(ctx, 'users', i, 'person'));
  const createdAt = createdAtOf(ctx, r, 'users', i);
  const doc: Document = {
    _id: oid(ctx, 'users', i),
    // The duplicate: an admin re-invited a colleague under a new account with the same address.
    email: userEmail(ctx, duplicate ? ctx.dirt.userEmailSource : i),
    firstName: person.firstName,
    lastName: person.lastName,
    // Early versions wrote "salesRep" and capitalised freely; the enum's labels are snake_case.
    role: i === 0 ? 'admin' : spelling(r, [['sales_rep', 50], ['salesRep', 10], ['SALES_REP', 5], ['manager', 15], ['Manager', 5], ['admin', 4], ['Admin', 2]]),
  };
  if (hasLegacyId(ctx, i)) doc.legacyId = legacyUserId(i);
  if (r.chance(0.9)) doc.isActive = r.chance(0.85);
  doc.passwordHash = `$2b$10$${Buffer.from(r.bytes(39)).toString('base64').replace(/[+/=]/g, '.').slice(0, 53)}`;
  // Left behind by a password reset that never finished: not in the Prisma schema.
  if (r.chance(0.1)) doc.resetPasswordToken = Buffer.from(r.bytes(20)).toString('hex');
  if (r.chance(0.8)) doc.lastLoginAt = dateOrText(r, new Date(Math.min(CRM_END_S * 1000, createdAt.getTime() + r.int(1, 900) * 86_400_000)), 0.2);
  if (r.chance(0.7)) doc.timezone = r.pick(TIMEZONES);
  if (r.chance(0.6)) doc.phoneNumbers = Array.from({ length: r.int(1, 2) }, () => phoneOf(r));
  return { ...doc, ...mongooseStamps(r, createdAt) };
}

export const users: CrmCollectionSpec = {
  name: 'users',
  model: 'User',
  // No unique index on email: the planted duplicate would be refused by the server. The migrator must find it.
  // Nor on legacyId: most of the newer users lack it, and a plain unique index counts absent as a duplicate null.
  uniqueIndexes: [],
  build,
};
