import { BSONError, deserialize, type Document } from 'bson';
import { asSourceId } from '../ids/source-id.ts';
import { BSON_READ_OPTIONS, type UnreadableRecord } from './source.ts';

export type DecodedDocument = { ok: true; doc: Document } | { ok: false; unreadable: UnreadableRecord };

/**
 * Decodes one BSON document of a Mongo-family source. A document the BSON library refuses
 * (a string that is not valid UTF-8, most often) is not the end of the run: it comes back as
 * unreadable, with its `_id` and the rest of its values read leniently (bad bytes as U+FFFD)
 * for the error log, and a reason naming the field. `where` says which document it was.
 */
export function decodeBsonDocument(bytes: Uint8Array, where: string): DecodedDocument {
  try {
    return { ok: true, doc: deserialize(bytes, BSON_READ_OPTIONS) };
  } catch (error) {
    if (!(error instanceof BSONError)) throw error;
    let lenient: Document = {};
    try {
      lenient = deserialize(bytes, { ...BSON_READ_OPTIONS, validation: { utf8: false } });
    } catch {
      // Not only bad text: keep the reason, and whatever of the _id the raw bytes give.
    }
    const bad = findInvalidUtf8(bytes);
    const what = bad ? `invalid UTF-8 in ${bad.inKey ? 'the field name' : 'the string'} at ${bad.path || '(top level)'}` : `unreadable BSON (${error.message})`;
    return { ok: false, unreadable: { doc: lenient, sourceId: asSourceId(lenient['_id']), reason: `${what}; ${where}` } };
  }
}

const fatal = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** Sizes of the fixed-width BSON element types, by type byte. */
const FIXED: Readonly<Record<number, number>> = { 0x01: 8, 0x06: 0, 0x07: 12, 0x08: 1, 0x09: 8, 0x0a: 0, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16, 0xff: 0, 0x7f: 0 };

/**
 * The path (`profile.bio`, `tags.2`) of the first field name or string value in a raw BSON
 * document whose bytes are not valid UTF-8, found by walking the element list as the BSON spec
 * lays it out. Undefined if every string is valid (or the bytes are malformed elsewhere).
 */
export function findInvalidUtf8(bytes: Uint8Array): { path: string; inKey: boolean } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const valid = (from: number, to: number) => {
    try {
      fatal.decode(bytes.subarray(from, to));
      return true;
    } catch {
      return false;
    }
  };
  const cstringEnd = (from: number) => {
    const end = bytes.indexOf(0, from);
    if (end < 0) throw new RangeError('unterminated cstring');
    return end;
  };
  const walk = (start: number, prefix: string): { path: string; inKey: boolean } | undefined => {
    const end = start + view.getInt32(start, true) - 1;
    let pos = start + 4;
    while (pos < end) {
      const type = bytes[pos] ?? 0;
      const keyEnd = cstringEnd(pos + 1);
      const path = `${prefix}${lenient.decode(bytes.subarray(pos + 1, keyEnd))}`;
      if (!valid(pos + 1, keyEnd)) return { path, inKey: true };
      pos = keyEnd + 1;
      const fixed = FIXED[type];
      if (fixed !== undefined) {
        pos += fixed;
      } else if (type === 0x02 || type === 0x0d || type === 0x0e || type === 0x0c) {
        const length = view.getInt32(pos, true);
        if (!valid(pos + 4, pos + 4 + length - 1)) return { path, inKey: false };
        pos += 4 + length + (type === 0x0c ? 12 : 0);
      } else if (type === 0x03 || type === 0x04) {
        const found = walk(pos, `${path}.`);
        if (found) return found;
        pos += view.getInt32(pos, true);
      } else if (type === 0x05) {
        pos += 4 + 1 + view.getInt32(pos, true);
      } else if (type === 0x0b) {
        const patternEnd = cstringEnd(pos);
        const flagsEnd = cstringEnd(patternEnd + 1);
        if (!valid(pos, patternEnd)) return { path, inKey: false };
        pos = flagsEnd + 1;
      } else if (type === 0x0f) {
        const length = view.getInt32(pos + 4, true);
        if (!valid(pos + 8, pos + 8 + length - 1)) return { path, inKey: false };
        const found = walk(pos + 8 + length, `${path}.$scope.`);
        if (found) return found;
        pos += view.getInt32(pos, true);
      } else {
        return undefined;
      }
    }
    return undefined;
  };
  try {
    return walk(0, '');
  } catch {
    return undefined;
  }
}
