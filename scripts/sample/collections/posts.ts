import type { Document } from 'bson';
import type { Context } from '../context.ts';
import { dateOf, pickEarlier, rng } from '../context.ts';
import { paragraphs, slugify, TRICKY, words } from '../text.ts';
import { distinctPicks } from './products.ts';
import type { CollectionSpec } from './spec.ts';

const TITLE_STARTS = [
  'How we ship', 'Ten tips for', 'Behind the scenes:', 'Notre sélection de', 'Warum wir', 'Die Größe von',
  '日本語で読む', 'A "quick" look at', 'Why C:\\ paths break', 'Spring sale 🌸', 'Crème de la crème:',
] as const;

function build(ctx: Context, i: number): Document {
  const r = rng(ctx, 'posts', i);
  const title = `${r.pick(TITLE_STARTS)} ${words(r, 1, 6)}`;
  const doc: Document = {
    _id: ctx.ids.oid('posts', i),
    authorId: ctx.ids.oid('users', pickEarlier(ctx, r, 'users', 'posts', i)),
  };
  // The slug stays derived from the title even where the title is left out.
  if (i !== ctx.dirt.postMissingTitle) doc.title = title;
  doc.slug = `${slugify(title)}-${i}`;
  doc.body = r.chance(0.1) ? `${paragraphs(r, 1, 3)}\n\n\`\`\`\n${r.pick(TRICKY)}\n\`\`\`` : paragraphs(r, 2, 6);
  const published = r.next();
  if (published < 0.75) doc.publishedAt = dateOf(ctx, r, 'posts', i);
  else if (published < 0.9) doc.publishedAt = null;
  if (r.chance(0.7)) {
    const views = r.int(0, 50_000);
    doc.stats = { views, likes: r.int(0, Math.floor(views / 10)) };
  }
  // The dirty post has no tag links, so rejecting it drops no join rows.
  const tagIds = distinctPicks(r, ctx.counts.tags, 3).map((t) => ctx.ids.oid('tags', t));
  doc.tagIds = i === ctx.dirt.postMissingTitle ? [] : tagIds;
  return doc;
}

export const posts: CollectionSpec = {
  name: 'posts',
  model: 'Post',
  uniqueIndexes: [{ key: { slug: 1 }, name: 'slug_1' }],
  build,
};
