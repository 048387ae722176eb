import type { Document } from 'bson';
import type { Context } from '../context.ts';
import { dateOf, pickClean, rng } from '../context.ts';
import { MALFORMED_DATE } from '../dirt.ts';
import type { Rand } from '../random.ts';
import { CITIES, EMAIL_DOMAINS, FIRST_ASCII, FIRST_NAMES, LAST_ASCII, LAST_NAMES, STREETS, sentence } from '../text.ts';
import type { CollectionSpec } from './spec.ts';

const LOCALES = ['en-US', 'en-GB', 'fr-FR', 'de-DE', 'ja-JP', 'pt-BR', 'es-ES'] as const;

/** Unique because the index is part of it; a pure function so the duplicate can copy it. */
export function emailOf(ctx: Context, index: number): string {
  const r = rng(ctx, 'users', index, 'email');
  const first = r.int(0, FIRST_ASCII.length - 1);
  const last = r.int(0, LAST_ASCII.length - 1);
  const plus = r.chance(0.1) ? '+shop' : '';
  return `${FIRST_ASCII[first]}.${LAST_ASCII[last]}${plus}.${index}@${r.pick(EMAIL_DOMAINS)}`;
}

function nameOf(ctx: Context, index: number): string {
  // Same stream as the e-mail, so the name matches the address.
  const r = rng(ctx, 'users', index, 'email');
  return `${FIRST_NAMES[r.int(0, FIRST_ASCII.length - 1)]} ${LAST_NAMES[r.int(0, LAST_ASCII.length - 1)]}`;
}

function settings(r: Rand): Document {
  const s: Document = { theme: r.pick(['light', 'dark'] as const), newsletter: r.chance(0.4), locale: r.pick(LOCALES) };
  if (r.chance(0.3)) s.notifications = { email: r.chance(0.7), sms: r.chance(0.2), digest: r.pick(['daily', 'weekly']) };
  if (r.chance(0.1)) s.shortcuts = ['g h', 'g o', 'ctrl+\\'];
  return s;
}

function addresses(r: Rand): Document[] {
  const n = r.int(0, 3);
  const defaultAt = n > 0 && r.chance(0.8) ? r.int(0, n - 1) : -1;
  const out: Document[] = [];
  for (let i = 0; i < n; i++) {
    const [city, country] = r.pick(CITIES);
    const a: Document = {};
    if (r.chance(0.6)) a.label = r.pick(['Home', 'Work', 'Maison', 'Büro', '実家']);
    a.street = `${r.int(1, 250)} ${r.pick(STREETS)}`;
    a.city = city;
    if (r.chance(0.85)) a.postcode = String(r.int(1000, 99999));
    a.country = country;
    if (i === defaultAt) a.isDefault = true;
    else if (r.chance(0.3)) a.isDefault = false;
    out.push(a);
  }
  return out;
}

function build(ctx: Context, i: number): Document {
  const r = rng(ctx, 'users', i);
  const dirty = i === ctx.dirt.userMalformedDate || i === ctx.dirt.userDuplicateEmail;
  const doc: Document = {
    _id: ctx.ids.oid('users', i),
    email: emailOf(ctx, i === ctx.dirt.userDuplicateEmail ? ctx.dirt.userDuplicateEmailSource : i),
    name: nameOf(ctx, i),
    role: r.weighted([['CUSTOMER', 85], ['STAFF', 12], ['ADMIN', 3]] as const),
    createdAt: i === ctx.dirt.userMalformedDate ? MALFORMED_DATE : dateOf(ctx, r, 'users', i),
  };
  if (r.chance(0.7)) doc.birthDate = new Date(Date.UTC(r.int(1950, 2006), r.int(0, 11), r.int(1, 28)));
  const bio = r.next();
  if (bio < 0.35) doc.bio = sentence(r);
  else if (bio < 0.55) doc.bio = null;
  else if (bio < 0.58) doc.bio = '';
  if (r.chance(0.8)) doc.settings = settings(r);
  if (r.chance(0.75)) doc.loginCount = r.int(0, 5000);
  if (i > 0 && r.chance(0.2)) doc.referredById = ctx.ids.oid('users', pickClean(ctx, r, 'users', i));
  // Dirty users carry no embedded rows, so rejecting them drops nothing else.
  if (!dirty && r.chance(0.85)) doc.addresses = addresses(r);
  return doc;
}

export const users: CollectionSpec = {
  name: 'users',
  model: 'User',
  // No unique index on email: the planted duplicate would make the server refuse
  // the insert (live) or the restore (dump). The migrator must find it itself.
  uniqueIndexes: [],
  build,
};
