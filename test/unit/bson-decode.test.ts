import { describe, expect, test } from '@jest/globals';
import { ObjectId, serialize, type Document } from 'bson';
import { decodeBsonDocument, findInvalidUtf8 } from '../../src/sources/bson-decode.ts';

/** `doc` serialized, with the bytes of `marker` (wherever it occurs first) replaced by invalid UTF-8 of the same length. */
function withInvalidUtf8(doc: Document, marker: string): Buffer {
  const bytes = Buffer.from(serialize(doc));
  const at = bytes.indexOf(marker, 0, 'utf8');
  if (at < 0) throw new Error(`no ${marker}`);
  bytes.fill(0xff, at, at + Buffer.byteLength(marker));
  return bytes;
}

describe('findInvalidUtf8', () => {
  test('names the path of a bad string in nested documents and arrays, past every other BSON type', () => {
    const doc = { _id: new ObjectId(), n: 1.5, big: 2n ** 40n, when: new Date(0), re: /x/i, bin: Buffer.from('ZZZZ'), ok: 'fine', list: ['a', { deep: 'QQQQ' }] };
    expect(findInvalidUtf8(withInvalidUtf8(doc, 'QQQQ'))).toEqual({ path: 'list.1.deep', inKey: false });
  });

  test('a bad field name is reported as such; valid documents give nothing', () => {
    expect(findInvalidUtf8(withInvalidUtf8({ a: { KKKK: 1 } }, 'KKKK'))).toEqual({ path: 'a.\uFFFD\uFFFD\uFFFD\uFFFD', inKey: true });
    expect(findInvalidUtf8(Buffer.from(serialize({ a: 'é', b: ['\uFFFD'] })))).toBeUndefined();
  });
});

describe('decodeBsonDocument', () => {
  test('a valid document decodes as the source reads it (a real U+FFFD is not mistaken for bad bytes)', () => {
    const decoded = decodeBsonDocument(Buffer.from(serialize({ _id: 7, s: 'a\uFFFDb' })), 'here');
    expect(decoded).toEqual({ ok: true, doc: { _id: 7, s: 'a\uFFFDb' } });
  });

  test('an invalid one comes back unreadable with its _id, the lenient rest and the reason', () => {
    const id = new ObjectId();
    const decoded = decodeBsonDocument(withInvalidUtf8({ _id: id, name: 'WWWW', keep: 'yes' }, 'WWWW'), 'document 3 of x.bson');
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.unreadable.sourceId).toEqual(id);
    expect(decoded.unreadable.doc).toMatchObject({ keep: 'yes', name: '\uFFFD\uFFFD\uFFFD\uFFFD' });
    expect(decoded.unreadable.reason).toBe('invalid UTF-8 in the string at name; document 3 of x.bson');
  });
});
