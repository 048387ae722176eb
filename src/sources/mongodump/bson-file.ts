import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { basename } from 'node:path';
import { decodeBsonDocument, type DecodedDocument } from '../bson-decode.ts';

export type BsonEntry = DecodedDocument & {
  /** Byte offset just past this document in the (decompressed) file. */
  end: number;
};

/**
 * Streams the documents of a mongodump `.bson` (or `.bson.gz`) file: each is a little-endian
 * int32 length followed by that many bytes. Memory stays at one read chunk plus one document.
 * Each document is decoded on its own: one that cannot be (invalid UTF-8 in a string) comes
 * back as unreadable, naming its byte offset, and the next one is read as usual.
 */
export async function* readBsonFile(path: string, startOffset = 0): AsyncGenerator<BsonEntry> {
  for await (const entries of readBsonChunks(path, startOffset)) yield* entries;
}

/**
 * The same documents, as the whole ones each read chunk completes: one await per megabyte read
 * instead of one per document (an async generator's yield is a promise and a microtask each).
 */
export async function* readBsonChunks(path: string, startOffset = 0): AsyncGenerator<BsonEntry[]> {
  const gzipped = path.endsWith('.gz');
  // A plain file seeks straight to the resume point; a gzip stream has to be read through.
  const raw = createReadStream(path, { start: gzipped ? 0 : startOffset, highWaterMark: 1 << 20 });
  const stream = gzipped ? raw.pipe(createGunzip()) : raw;
  let offset = gzipped ? 0 : startOffset;
  let carry: Buffer = Buffer.alloc(0);
  const name = basename(path);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let pos = 0;
    const entries: BsonEntry[] = [];
    while (buf.length - pos >= 4) {
      const size = buf.readInt32LE(pos);
      if (size < 5) throw new Error(`${path}: corrupt BSON at byte ${offset + pos} (document length ${size})`);
      if (buf.length - pos < size) break;
      const end = offset + pos + size;
      if (end > startOffset) {
        const at = offset + pos;
        const decoded = decodeBsonDocument(buf.subarray(pos, pos + size), `document at byte ${at} of ${name}`) as BsonEntry;
        decoded.end = end;
        entries.push(decoded);
      }
      pos += size;
    }
    if (entries.length > 0) yield entries;
    offset += pos;
    carry = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
    buf = carry;
  }
  if (carry.length > 0) throw new Error(`${path}: truncated BSON: ${carry.length} bytes after the last whole document`);
}

/** Counts the documents of a `.bson` file by their length prefixes, without decoding them. */
export async function countBsonDocuments(path: string): Promise<number> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let count = 0;
  let skip = 0; // bytes of the current document still to pass over
  let header: Buffer = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let pos = 0;
    while (pos < chunk.length) {
      if (skip > 0) {
        const step = Math.min(skip, chunk.length - pos);
        skip -= step;
        pos += step;
        continue;
      }
      const take = Math.min(4 - header.length, chunk.length - pos);
      header = Buffer.concat([header, chunk.subarray(pos, pos + take)]);
      pos += take;
      if (header.length < 4) continue;
      const size = header.readInt32LE(0);
      if (size < 5) throw new Error(`${path}: corrupt BSON (document length ${size})`);
      count++;
      skip = size - 4;
      header = Buffer.alloc(0);
    }
  }
  if (skip > 0 || header.length > 0) throw new Error(`${path}: truncated BSON at the end`);
  return count;
}

/**
 * Calls `each` with every document's raw bytes (a view, valid during the call), decoding none:
 * for a reader that keeps only some (init's sample) or looks at one field. Returns the count.
 */
export async function forEachRawDocument(path: string, each: (bytes: Buffer) => void): Promise<number> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let carry: Buffer = Buffer.alloc(0);
  let count = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let pos = 0;
    while (buf.length - pos >= 4) {
      const size = buf.readInt32LE(pos);
      if (size < 5) throw new Error(`${path}: corrupt BSON (document length ${size})`);
      if (buf.length - pos < size) break;
      each(buf.subarray(pos, pos + size));
      count++;
      pos += size;
    }
    carry = Buffer.from(buf.subarray(pos));
  }
  return count;
}
