import type { Document } from 'bson';
import type { Context } from '../context.ts';
import { dateOf, pickEarlier, rng } from '../context.ts';
import { danglingCommentPost } from '../dirt.ts';
import { paragraphs, sentence } from '../text.ts';
import type { CollectionSpec } from './spec.ts';

/** Replies answer one of the last few comments, as in a live discussion. */
const REPLY_WINDOW = 40;
const REPLY_SHARE = 0.3;

/** The comment that comment c answers, if it is a reply; never the dirty one. */
export function commentParent(ctx: Context, c: number): number | undefined {
  if (c === 0 || c === ctx.dirt.commentDanglingPost) return undefined;
  const r = rng(ctx, 'comments', c, 'thread');
  if (!r.chance(REPLY_SHARE)) return undefined;
  const parent = c - 1 - r.int(0, Math.min(c, REPLY_WINDOW) - 1);
  // The dirty comment is never first (see planDirt), and only one is dirty.
  return parent === ctx.dirt.commentDanglingPost ? parent - 1 : parent;
}

/**
 * A reply is on its parent's post, so walk up to the thread's first comment,
 * whose post was picked directly. Chains are short (each step has p = 0.3).
 */
export function commentPost(ctx: Context, c: number): number {
  let root = c;
  for (let parent = commentParent(ctx, root); parent !== undefined; parent = commentParent(ctx, root)) root = parent;
  return pickEarlier(ctx, rng(ctx, 'comments', root, 'post'), 'posts', 'comments', root);
}

function build(ctx: Context, i: number): Document {
  const r = rng(ctx, 'comments', i);
  const dirty = i === ctx.dirt.commentDanglingPost;
  const doc: Document = {
    _id: ctx.ids.oid('comments', i),
    postId: dirty ? danglingCommentPost(ctx.ids, ctx.dirt) : ctx.ids.oid('posts', commentPost(ctx, i)),
    authorId: ctx.ids.oid('users', pickEarlier(ctx, r, 'users', 'comments', i)),
  };
  const parent = commentParent(ctx, i);
  if (parent !== undefined) doc.parentId = ctx.ids.oid('comments', parent);
  doc.body = r.chance(0.8) ? sentence(r) : paragraphs(r, 2, 4);
  doc.createdAt = dateOf(ctx, r, 'comments', i);
  return doc;
}

export const comments: CollectionSpec = {
  name: 'comments',
  model: 'Comment',
  uniqueIndexes: [],
  build,
};
