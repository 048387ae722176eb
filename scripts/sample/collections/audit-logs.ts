import { Long } from 'bson';
import type { Document } from 'bson';
import type { Context } from '../context.ts';
import { dateOf, pickEarlier, rng } from '../context.ts';
import type { Rand } from '../random.ts';
import type { CollectionSpec } from './spec.ts';

const ACTIONS = [
  'user.login', 'user.logout', 'user.update', 'order.create', 'order.cancel', 'payment.capture',
  'product.update', 'post.publish', 'comment.delete', 'settings.change',
] as const;

/**
 * Strictly increasing and unique. The last tenth jumps past 2^53 (first to
 * 2^53 + 1, the smallest integer a double cannot hold, then to 2^60 + i) so
 * any trip through a JS number shows as a changed value or a duplicate.
 */
export function sequenceOf(ctx: Context, i: number): bigint {
  const n = ctx.counts.audit_logs;
  const big = n - Math.max(1, Math.ceil(n / 10));
  if (i < big) return BigInt(i + 1);
  if (i === big) return 2n ** 53n + 1n;
  return 2n ** 60n + BigInt(i);
}

function ip(r: Rand): string {
  if (r.chance(0.7)) return `${r.pick([10, 81, 172, 192, 203])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  // Canonical (lowercase, no leading zeros, no zero groups) so PostgreSQL's inet
  // prints back exactly what was written.
  if (r.chance(0.5)) return `2001:db8::${r.int(1, 0xffff).toString(16)}`;
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) groups.push(r.int(1, 0xffff).toString(16));
  return groups.join(':');
}

function meta(r: Rand, action: string): Document {
  const m: Document = { source: r.pick(['web', 'ios', 'android', 'admin']) };
  if (action.startsWith('order')) m.items = r.int(1, 5);
  if (r.chance(0.3)) m.userAgent = 'Mozilla/5.0 (X11; Linux x86_64) "quoted" \\ agent';
  if (r.chance(0.2)) m.changes = { before: { locale: 'en-US' }, after: { locale: 'ja-JP' }, note: 'naïve → 日本語' };
  return m;
}

function build(ctx: Context, i: number): Document {
  const r = rng(ctx, 'audit_logs', i);
  const action = r.pick(ACTIONS);
  const doc: Document = { _id: ctx.ids.oid('audit_logs', i) };
  if (r.chance(0.85)) doc.userId = ctx.ids.oid('users', pickEarlier(ctx, r, 'users', 'audit_logs', i));
  doc.action = action;
  doc.sequence = Long.fromBigInt(sequenceOf(ctx, i));
  doc.at = dateOf(ctx, r, 'audit_logs', i);
  if (r.chance(0.8)) doc.ip = ip(r);
  if (r.chance(0.6)) doc.meta = meta(r, action);
  return doc;
}

export const auditLogs: CollectionSpec = {
  name: 'audit_logs',
  model: 'AuditLog',
  uniqueIndexes: [{ key: { sequence: 1 }, name: 'sequence_1' }],
  build,
};
