import type { PaymentMethod } from '../src/generated/prisma/enums.ts';
import { defineTransformer, embeddedDoc, embeddedList, type RowOf } from './define.ts';

/**
 * Orders embed their lines and their payment. Lines become OrderLine rows (position keeps
 * the order), the payment a one-to-one Payment row, and the shipping address stays JSON:
 * it is a snapshot at order time, not a reference to the user's address book.
 */
export default defineTransformer({
  model: 'Order',
  derives: { OrderLine: 'orderId', Payment: 'orderId' },
  transform(doc, ctx) {
    const order = ctx.defaultRow(doc);
    const lines: RowOf<'OrderLine'>[] = embeddedList(doc, 'lines').map((line, position) => ({
      id: ctx.derivedId(`lines/${position}`),
      orderId: ctx.uuid,
      position,
      productId: ctx.ref('Product', line['productId'], `lines[${position}].productId`) ?? '',
      quantity: ctx.convert('OrderLine', 'quantity', line['quantity']) as number,
      unitPrice: ctx.convert('OrderLine', 'unitPrice', line['unitPrice']) as string,
    }));
    const paid = embeddedDoc(doc, 'payment');
    const payment: RowOf<'Payment'>[] = paid
      ? [
          {
            id: ctx.derivedId('payment'),
            orderId: ctx.uuid,
            method: ctx.convert('Payment', 'method', paid['method']) as PaymentMethod,
            amount: ctx.convert('Payment', 'amount', paid['amount']) as string,
            paidAt: ctx.convert('Payment', 'paidAt', paid['paidAt']) as Date | null,
            reference: ctx.convert('Payment', 'reference', paid['reference']) as string | null,
          },
        ]
      : [];
    return { rows: { Order: [order], OrderLine: lines, Payment: payment }, links: ctx.defaultLinks(doc) };
  },
});
