import { defineTransformer, embeddedDoc } from './define.ts';

/**
 * Posts keep their counters in an embedded `stats` document, flattened here into the
 * `views` and `likes` columns. A post that was never viewed has no `stats` at all: zero.
 */
export default defineTransformer({
  model: 'Post',
  transform(doc, ctx) {
    const stats = embeddedDoc(doc, 'stats') ?? {};
    const post = {
      ...ctx.defaultRow(doc),
      views: (ctx.convert('Post', 'views', stats['views']) as number | null) ?? 0,
      likes: (ctx.convert('Post', 'likes', stats['likes']) as number | null) ?? 0,
    };
    return { rows: { Post: [post] }, links: ctx.defaultLinks(doc) };
  },
});
