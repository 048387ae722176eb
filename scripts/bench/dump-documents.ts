import { readFileSync } from 'node:fs';
import { deserialize, serialize, type Document } from 'bson';

/**
 * Reads BSON so that writing it back gives the same types: an Int32 stays an Int32, a Double a
 * Double, an Int64 a Long, binary data a Binary (the tool's own reader promotes them to numbers).
 */
const FAITHFUL = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

/** The documents of one mongodump `.bson` file (concatenated BSON), each as its raw bytes. */
export function rawDocuments(path: string): Buffer[] {
  const buf = readFileSync(path);
  const out: Buffer[] = [];
  for (let pos = 0; pos < buf.length; ) {
    if (buf.length - pos < 5) throw new Error(`${path}: truncated BSON at byte ${pos}`);
    const size = buf.readInt32LE(pos);
    if (size < 5 || pos + size > buf.length) throw new Error(`${path}: corrupt BSON at byte ${pos} (document length ${size})`);
    out.push(buf.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

export const decodeFaithfully = (bytes: Uint8Array): Document => deserialize(bytes, FAITHFUL);

export const encode = (doc: Document): Buffer => Buffer.from(serialize(doc));

/**
 * `bytes` (one BSON document) with a date field appended, without decoding it: the length,
 * the elements, then type 0x09, the name, int64 milliseconds, and the closing 0 again. What
 * stamps the untouched documents of the changed dump cheaply; the caller knows the name is new.
 */
export function appendDate(bytes: Buffer, name: string, date: Date): Buffer {
  const key = Buffer.from(`${name}\0`, 'utf8');
  const out = Buffer.alloc(bytes.length + 1 + key.length + 8);
  bytes.copy(out, 0, 0, bytes.length - 1);
  let pos = bytes.length - 1;
  out[pos++] = 0x09;
  pos += key.copy(out, pos);
  out.writeBigInt64LE(BigInt(date.getTime()), pos);
  out[out.length - 1] = 0;
  out.writeInt32LE(out.length, 0);
  return out;
}
