import { Binary } from 'bson';
import type { Document } from 'bson';
import type { Context } from '../context.ts';
import { rng } from '../context.ts';
import { dirtyIndices, skipDirty } from '../dirt.ts';
import { clipCodePoints, sentence, words } from '../text.ts';
import type { CollectionSpec } from './spec.ts';

const HEADLINE_MAX = 140;

/**
 * Profile i belongs to the clean user of rank floor(i * cleanUsers / profiles):
 * strictly increasing in i since profiles <= cleanUsers, hence one profile per
 * user at most, without remembering anything.
 */
export function profileUser(ctx: Context, i: number): number {
  const dirty = dirtyIndices(ctx.dirt, 'users');
  const cleanUsers = ctx.counts.users - dirty.length;
  return skipDirty(Math.floor((i * cleanUsers) / ctx.counts.profiles), dirty);
}

function headline(_ctx: Context, i: number, text: string): string {
  // A few sit exactly at the limit with astral-plane characters, where UTF-16
  // length (JS .length) exceeds the 140 code points PostgreSQL counts.
  if (i % 97 === 5) return clipCodePoints('🚀'.repeat(20) + 'é'.repeat(HEADLINE_MAX), HEADLINE_MAX);
  return clipCodePoints(text, HEADLINE_MAX);
}

function build(ctx: Context, i: number): Document {
  const r = rng(ctx, 'profiles', i);
  const user = profileUser(ctx, i);
  const doc: Document = { _id: ctx.ids.oid('profiles', i), userId: ctx.ids.oid('users', user) };
  if (r.chance(0.7)) doc.avatarUrl = `https://cdn.example.com/avatars/${user}.png?size=256&v=${r.int(1, 9)}`;
  if (r.chance(0.6)) doc.avatarHash = new Binary(r.bytes(16), 0);
  if (r.chance(0.4)) doc.website = r.pick(['https://example.com/~', 'https://blog.example.org/', 'http://exemple.fr/']) + String(user);
  if (r.chance(0.65)) doc.headline = headline(ctx, i, r.chance(0.5) ? sentence(r) : words(r, 5, 40));
  return doc;
}

export const profiles: CollectionSpec = {
  name: 'profiles',
  model: 'Profile',
  uniqueIndexes: [{ key: { userId: 1 }, name: 'userId_1' }],
  build,
};
