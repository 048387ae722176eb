import type { Db } from 'mongodb';

/** The source ids of the documents changeLiveSample touched, by what it did to them. */
export interface LiveChanges {
  renamed: string;
  unmapped: string;
  retagged: string;
  relined: string;
  deleted: string;
  inserted: string;
}

/**
 * The changes an app makes between a full copy and a catch-up, made with the driver on the
 * sample in a live server: a product renamed (a mapped field), one given a field no model
 * reads, one losing its first tag (a many-to-many array), a new product, an order's first
 * line changed (an embedded array), a review deleted. Each picks the first document in `_id`
 * order that has the shape it needs.
 */
export async function changeLiveSample(db: Db): Promise<LiveChanges> {
  const products = await db.collection('products').find({ 'tagIds.1': { $exists: true } }).sort({ _id: 1 }).limit(3).toArray();
  const [renamed, unmapped, retagged] = products;
  if (!renamed || !unmapped || !retagged) throw new Error('too few tagged products');
  await db.collection('products').updateOne({ _id: renamed._id }, { $set: { name: 'Renamed live' } });
  await db.collection('products').updateOne({ _id: unmapped._id }, { $set: { legacyBarcode: '4006381333931' } });
  await db.collection('products').updateOne({ _id: retagged._id }, { $pop: { tagIds: -1 } });
  const { _id: _drop, ...copy } = renamed;
  const inserted = await db.collection('products').insertOne({ ...copy, sku: 'SKU-LIVE-NEW', name: 'Inserted live' });
  const relined = await db.collection('orders').findOne({ 'lines.0': { $exists: true } }, { sort: { _id: 1 } });
  if (!relined) throw new Error('no order with lines');
  await db.collection('orders').updateOne({ _id: relined._id }, { $inc: { 'lines.0.quantity': 1 } });
  const deleted = await db.collection('reviews').findOne({}, { sort: { _id: 1 } });
  if (!deleted) throw new Error('no review');
  await db.collection('reviews').deleteOne({ _id: deleted._id });
  return {
    renamed: renamed._id.toHexString(),
    unmapped: unmapped._id.toHexString(),
    retagged: retagged._id.toHexString(),
    relined: relined._id.toHexString(),
    deleted: deleted._id.toHexString(),
    inserted: inserted.insertedId.toHexString(),
  };
}
