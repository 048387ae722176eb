import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { deserialize, type Document } from 'bson';
import { BSON_READ_OPTIONS } from '../source.ts';

export interface BsonEntry {
  doc: Document;
  /** Byte offset just past this document in the (decompressed) file. */
  end: number;
}

/**
 * Streams the documents of a mongodump `.bson` (or `.bson.gz`) file: each is a little-endian
 * int32 length followed by that many bytes. Memory stays at one read chunk plus one document.
 */
export async function* readBsonFile(path: string, startOffset = 0): AsyncGenerator<BsonEntry> {
  const gzipped = path.endsWith('.gz');
  // A plain file seeks straight to the resume point; a gzip stream has to be read through.
  const raw = createReadStream(path, { start: gzipped ? 0 : startOffset, highWaterMark: 1 << 20 });
  const stream = gzipped ? raw.pipe(createGunzip()) : raw;
  let offset = gzipped ? 0 : startOffset;
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let pos = 0;
    while (buf.length - pos >= 4) {
      const size = buf.readInt32LE(pos);
      if (size < 5) throw new Error(`${path}: corrupt BSON at byte ${offset + pos} (document length ${size})`);
      if (buf.length - pos < size) break;
      const end = offset + pos + size;
      if (end > startOffset) {
        yield { doc: deserialize(buf.subarray(pos, pos + size), BSON_READ_OPTIONS), end };
      }
      pos += size;
    }
    offset += pos;
    carry = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
    buf = carry;
  }
  if (carry.length > 0) throw new Error(`${path}: truncated BSON: ${carry.length} bytes after the last whole document`);
}
