import type { Document } from 'bson';
import type { Context } from '../context.ts';
import { dateOf, pickEarlier, rng } from '../context.ts';
import { money } from '../money.ts';
import type { Rand } from '../random.ts';
import { CITIES, STREETS, sentence } from '../text.ts';
import { priceCents } from './products.ts';
import type { CollectionSpec } from './spec.ts';

const FIRST_NUMBER = 1001;
const PAID_STATES: ReadonlySet<string> = new Set(['PAID', 'SHIPPED', 'DELIVERED']);

function shippingAddress(r: Rand): Document {
  const [city, country] = r.pick(CITIES);
  return { street: `${r.int(1, 250)} ${r.pick(STREETS)}`, city, postcode: String(r.int(1000, 99999)), country };
}

function build(ctx: Context, i: number): Document {
  const r = rng(ctx, 'orders', i);
  const placedAt = dateOf(ctx, r, 'orders', i);
  const status = r.weighted([['DELIVERED', 45], ['SHIPPED', 15], ['PAID', 15], ['PENDING', 15], ['CANCELLED', 10]] as const);
  const userId = ctx.ids.oid('users', pickEarlier(ctx, r, 'users', 'orders', i));
  const lines: Document[] = [];
  let totalCents = 0;
  const lineCount = r.int(1, 5);
  for (let l = 0; l < lineCount; l++) {
    const product = pickEarlier(ctx, r, 'products', 'orders', i);
    const quantity = r.weighted([[1, 60], [2, 20], [3, 10], [r.int(4, 10), 10]] as const);
    const list = priceCents(ctx, product);
    // An occasional 15% discount, still whole cents.
    const unitCents = r.chance(0.1) ? Math.round(list * 0.85) : list;
    totalCents += quantity * unitCents;
    lines.push({ productId: ctx.ids.oid('products', product), quantity, unitPrice: money(ctx.money, unitCents) });
  }
  const doc: Document = {
    _id: ctx.ids.oid('orders', i),
    number: FIRST_NUMBER + i,
    userId,
    status,
    total: money(ctx.money, totalCents),
    placedAt,
    shippingAddress: shippingAddress(r),
  };
  if (r.chance(0.15)) doc.note = sentence(r);
  doc.lines = lines;
  if (r.chance(0.8)) {
    const payment: Document = {
      method: r.weighted([['CARD', 70], ['PAYPAL', 20], ['BANK_TRANSFER', 10]] as const),
      amount: money(ctx.money, totalCents),
    };
    if (PAID_STATES.has(status)) payment.paidAt = new Date(placedAt.getTime() + r.int(1_000, 3 * 86_400_000));
    if (r.chance(0.7)) payment.reference = `PAY-${(FIRST_NUMBER + i).toString(36).toUpperCase()}-${r.int(100000, 999999)}`;
    doc.payment = payment;
  }
  return doc;
}

export const orders: CollectionSpec = {
  name: 'orders',
  model: 'Order',
  uniqueIndexes: [{ key: { number: 1 }, name: 'number_1' }],
  build,
};
