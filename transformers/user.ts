import { defineTransformer, embeddedList, type RowOf } from './define.ts';

/**
 * Users embed their addresses. Each becomes an Address row whose position keeps the array
 * order (the app shows the first as primary); `settings` stays a JSON document.
 */
export default defineTransformer({
  model: 'User',
  derives: { Address: 'userId' },
  transform(doc, ctx) {
    const user = ctx.defaultRow(doc);
    const addresses: RowOf<'Address'>[] = embeddedList(doc, 'addresses').map((a, position) => ({
      id: ctx.derivedId(`addresses/${position}`),
      userId: ctx.uuid,
      position,
      label: ctx.convert('Address', 'label', a['label']) as string | null,
      street: ctx.convert('Address', 'street', a['street']) as string,
      city: ctx.convert('Address', 'city', a['city']) as string,
      postcode: ctx.convert('Address', 'postcode', a['postcode']) as string | null,
      country: ctx.convert('Address', 'country', a['country']) as string,
      isDefault: (ctx.convert('Address', 'isDefault', a['isDefault']) as boolean | null) ?? position === 0,
    }));
    return { rows: { User: [user], Address: addresses } };
  },
});
