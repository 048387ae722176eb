import type { Document } from 'bson';
import type { CrmContext } from '../context.ts';
import { createdAtOf, isAt, oid, rng } from '../context.ts';
import { slugify } from '../../sample/text.ts';
import { auditUser, countValue, mongooseStamps, put } from '../values.ts';
import type { CrmCollectionSpec } from './spec.ts';

const FILES = [
  ['Angebot', 'pdf', 'application/pdf'],
  ['Contrat signé', 'pdf', 'application/pdf'],
  ['Pricing sheet', 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['NDA', 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['Whiteboard', 'png', 'image/png'],
  ['見積書', 'pdf', 'application/pdf'],
  ['Call recording', 'm4a', 'audio/mp4'],
] as const;

function build(ctx: CrmContext, i: number): Document {
  const r = rng(ctx, 'documents', i);
  const [base, ext, mimeType] = r.pick(FILES);
  const createdAt = createdAtOf(ctx, r, 'documents', i);
  const doc: Document = {
    _id: oid(ctx, 'documents', i),
    fileName: `${base} ${createdAt.getUTCFullYear()}-${String(i).padStart(4, '0')}.${ext}`,
    mimeType,
    // What a hand-edited import wrote instead of a number of bytes.
    sizeBytes: isAt(ctx, 'documentWrongType', i) ? '12 KB' : countValue(r, r.int(2_000, 40_000_000), 0.3),
    storageKey: `uploads/${createdAt.toISOString().slice(0, 7)}/${slugify(base)}-${i}.${ext}`,
  };
  if (r.chance(0.7)) doc.checksum = Buffer.from(r.bytes(32)).toString('hex');
  put(doc, 'uploadedById', auditUser(ctx, r, 'documents', i));
  // Soft delete: null on most documents (Mongoose default), a date on a few, absent on the oldest.
  if (i >= ctx.counts.documents / 5) doc.deletedAt = r.chance(0.05) ? new Date(createdAt.getTime() + 86_400_000) : null;
  return { ...doc, ...mongooseStamps(r, createdAt) };
}

export const documents: CrmCollectionSpec = {
  name: 'documents',
  model: 'Document',
  uniqueIndexes: [{ key: { storageKey: 1 }, name: 'storageKey_1' }],
  build,
};
