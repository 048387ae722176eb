import type { Document, ObjectId } from 'bson';
import { Double } from 'bson';
import type { Rand } from '../sample/random.ts';
import type { CrmCollection } from './counts.ts';
import type { CrmContext } from './context.ts';
import { pickEarlier } from './context.ts';
import { CRM_END_S } from './timeline.ts';

// The shapes Mongoose leaves in real data, in one place so every collection uses them alike.

const DAY_MS = 86_400_000;

/**
 * `timestamps: true` and the version key: `updatedAt` at or after `createdAt` (before the dump),
 * `__v` an int32 that counts array rewrites, so mostly 0.
 */
export function mongooseStamps(r: Rand, createdAt: Date): Document {
  const end = CRM_END_S * 1000;
  const edited = r.chance(0.6);
  const updatedAt = edited ? new Date(Math.min(end, createdAt.getTime() + r.int(1, 400) * DAY_MS + r.int(0, DAY_MS))) : createdAt;
  return { createdAt, updatedAt, __v: r.weighted([[0, 70], [1, 15], [2, 8], [r.int(3, 40), 7]] as const) };
}

/**
 * A date the way different app versions wrote it: mostly a BSON Date; sometimes an ISO string
 * (imports, a `JSON.stringify`ed payload saved back), with milliseconds, microseconds (from a
 * Python job) or a UTC offset.
 */
export function dateOrText(r: Rand, date: Date, stringShare = 0.15): Date | string {
  if (!r.chance(stringShare)) return date;
  const iso = date.toISOString();
  const form = r.weighted([['ms', 5], ['micro', 3], ['offset', 2]] as const);
  if (form === 'ms') return iso;
  if (form === 'micro') return `${iso.slice(0, 23)}${String(r.int(0, 999)).padStart(3, '0')}Z`;
  // The same instant, written in Paris summer time.
  const shifted = new Date(date.getTime() + 2 * 3_600_000).toISOString();
  return `${shifted.slice(0, 19)}+02:00`;
}

/** A calendar date, as a Date at UTC midnight or as the "YYYY-MM-DD" a date picker saved. */
export function calendarDate(r: Rand, date: Date, stringShare = 0.2): Date | string {
  const midnight = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  return r.chance(stringShare) ? midnight.toISOString().slice(0, 10) : midnight;
}

/**
 * A count as the app wrote it over the years: an int32, or a Double holding an integer
 * (`Number` through a JSON round trip, or `$inc` by 1.0).
 */
export function countValue(r: Rand, n: number, doubleShare = 0.2): number | Double {
  return r.chance(doubleShare) ? new Double(n) : n;
}

/** Free-string enum values: the canonical spelling, then its case and rename variants by weight. */
export function spelling(r: Rand, variants: readonly (readonly [string, number])[]): string {
  return r.weighted(variants);
}

/**
 * An audit id (`createdBy`, `updatedBy`, `assignedToId`): a user's ObjectId, or null (a system
 * job), or absent (written before the plugin that sets it). Returns undefined for "absent".
 */
export function auditUser(ctx: CrmContext, r: Rand, from: CrmCollection, index: number, nullShare = 0.08, absentShare = 0.12): ObjectId | null | undefined {
  const x = r.next();
  if (x < absentShare) return undefined;
  if (x < absentShare + nullShare) return null;
  return ctx.ids.oid('users', pickEarlier(ctx, r, 'users', from, index));
}

/** Sets `doc[field]` unless the value is "absent"; keeps builders free of if-chains. */
export function put(doc: Document, field: string, value: unknown): void {
  if (value !== undefined) doc[field] = value;
}
