import type { ObjectId } from 'bson';
import type { CollectionName } from './collection-names.ts';
import type { Counts } from './counts.ts';
import type { IdSpace } from './ids.ts';

export type DirtKind = 'duplicate-unique' | 'malformed-date' | 'dangling-reference' | 'wrong-type' | 'missing-required';

export interface DirtRecord {
  collection: CollectionName;
  model: string;
  /** 24-hex ObjectId of the dirty document. */
  id: string;
  kind: DirtKind;
  detail: string;
}

/**
 * Where each planted defect sits. They are mid-collection (not at the end) so a
 * migrator that stops at the first bad document, or only checks the tail, shows.
 */
export interface DirtPlan {
  userMalformedDate: number;
  userDuplicateEmail: number;
  /** The earlier, clean user whose email the duplicate reuses. */
  userDuplicateEmailSource: number;
  productDanglingTag: number;
  postMissingTitle: number;
  reviewDanglingProduct: number;
  reviewWrongType: number;
  commentDanglingPost: number;
}

export const MALFORMED_DATE = '2021-02-30T25:61:00Z';

/** Distinct counters for the dangling ids, so no two defects share one. */
const DANGLING_KEY = { productTag: 0, reviewProduct: 1, commentPost: 2 } as const;

export function planDirt(counts: Counts): DirtPlan {
  const users = counts.users;
  const userMalformedDate = Math.floor(users / 3);
  const userDuplicateEmail = Math.floor((2 * users) / 3);
  return {
    userMalformedDate,
    userDuplicateEmail,
    // The clean user just before the duplicate (skipping the other dirty one).
    userDuplicateEmailSource: userDuplicateEmail - 1 === userMalformedDate ? userDuplicateEmail - 2 : userDuplicateEmail - 1,
    productDanglingTag: Math.floor(counts.products / 2),
    postMissingTitle: Math.floor(counts.posts / 2),
    reviewDanglingProduct: Math.floor(counts.reviews / 3),
    reviewWrongType: Math.floor((2 * counts.reviews) / 3),
    commentDanglingPost: Math.floor(counts.comments / 2),
  };
}

/** Sorted indices of the dirty documents of one collection; they must never be referenced. */
export function dirtyIndices(plan: DirtPlan, collection: CollectionName): readonly number[] {
  switch (collection) {
    case 'users':
      return [plan.userMalformedDate, plan.userDuplicateEmail].sort((a, b) => a - b);
    case 'products':
      return [plan.productDanglingTag];
    case 'posts':
      return [plan.postMissingTitle];
    case 'reviews':
      return [plan.reviewDanglingProduct, plan.reviewWrongType].sort((a, b) => a - b);
    case 'comments':
      return [plan.commentDanglingPost];
    default:
      return [];
  }
}

/** Maps a rank among clean documents to its index, stepping over the dirty ones. */
export function skipDirty(rank: number, dirtySorted: readonly number[]): number {
  let index = rank;
  for (const d of dirtySorted) if (d <= index) index++;
  return index;
}

export function danglingProductTag(ids: IdSpace, plan: DirtPlan): ObjectId {
  return ids.dangling(DANGLING_KEY.productTag, ids.seconds('products', plan.productDanglingTag));
}

export function danglingReviewProduct(ids: IdSpace, plan: DirtPlan): ObjectId {
  return ids.dangling(DANGLING_KEY.reviewProduct, ids.seconds('reviews', plan.reviewDanglingProduct));
}

export function danglingCommentPost(ids: IdSpace, plan: DirtPlan): ObjectId {
  return ids.dangling(DANGLING_KEY.commentPost, ids.seconds('comments', plan.commentDanglingPost));
}

export function dirtRecords(ids: IdSpace, plan: DirtPlan): DirtRecord[] {
  const hex = (c: CollectionName, i: number): string => ids.oid(c, i).toHexString();
  return [
    {
      collection: 'users',
      model: 'User',
      id: hex('users', plan.userMalformedDate),
      kind: 'malformed-date',
      detail: `createdAt is the string "${MALFORMED_DATE}"`,
    },
    {
      collection: 'users',
      model: 'User',
      id: hex('users', plan.userDuplicateEmail),
      kind: 'duplicate-unique',
      detail: `email repeats that of the earlier user ${hex('users', plan.userDuplicateEmailSource)}`,
    },
    {
      collection: 'products',
      model: 'Product',
      id: hex('products', plan.productDanglingTag),
      kind: 'dangling-reference',
      detail: `tagIds contains ${danglingProductTag(ids, plan).toHexString()}, which is no tag`,
    },
    {
      collection: 'reviews',
      model: 'Review',
      id: hex('reviews', plan.reviewDanglingProduct),
      kind: 'dangling-reference',
      detail: `productId ${danglingReviewProduct(ids, plan).toHexString()} is no product`,
    },
    {
      collection: 'reviews',
      model: 'Review',
      id: hex('reviews', plan.reviewWrongType),
      kind: 'wrong-type',
      detail: 'rating is the string "five"',
    },
    {
      collection: 'posts',
      model: 'Post',
      id: hex('posts', plan.postMissingTitle),
      kind: 'missing-required',
      detail: 'title is absent',
    },
    {
      collection: 'comments',
      model: 'Comment',
      id: hex('comments', plan.commentDanglingPost),
      kind: 'dangling-reference',
      detail: `postId ${danglingCommentPost(ids, plan).toHexString()} is no post`,
    },
  ];
}
