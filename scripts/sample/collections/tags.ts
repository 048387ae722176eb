import type { Document } from 'bson';
import type { Context } from '../context.ts';
import type { CollectionSpec } from './spec.ts';

// None ends in " <number>", which is how later rounds are told apart.
const BASE = [
  'sale', 'new', 'bestseller', 'eco', 'handmade', 'gift', 'limited', 'vegan', 'café', 'über',
  'naïve-art', '日本語', 'été', 'winter', 'kids', 'premium', 'outdoor', 'retro', 'minimal', 'smart-home',
  'tutorial', 'news', 'how-to', 'review', 'behind the scenes', 'recipe', 'travel', 'diy', 'design', 'tech',
  'C#', 'c++', 'rock & roll', '"quoted"', 'back\\slash', 'größe', 'señor', '🔥 hot', 'crème', 'ÄÖÜ',
] as const;

export function tagName(i: number): string {
  const name = BASE[i % BASE.length] as string;
  const round = Math.floor(i / BASE.length);
  return round === 0 ? name : `${name} ${round + 1}`;
}

function build(ctx: Context, i: number): Document {
  return { _id: ctx.ids.oid('tags', i), name: tagName(i) };
}

export const tags: CollectionSpec = {
  name: 'tags',
  model: 'Tag',
  uniqueIndexes: [{ key: { name: 1 }, name: 'name_1' }],
  build,
};
