import { describe, expect, test } from '@jest/globals';
import { compareFingerprints, sourceFingerprintSchema, type SourceFingerprint } from '../../src/sources/source-fingerprint.ts';

const at = (takenAt: string, parts: SourceFingerprint['parts']): SourceFingerprint => ({ takenAt, parts });

describe('compareFingerprints', () => {
  const before = at('2026-12-01T10:00:00.000Z', {
    file: { size: 1_048_576, mtime: '2026-12-01T09:00:00.000Z', 'change counter': 7 },
    'table "Genre"': { rows: 25, 'max rowid': 25 },
    'table "Track"': { rows: 3503, 'max rowid': 3503 },
  });

  test('the same source taken again, later: no differences (the time it was taken is not compared)', () => {
    expect(compareFingerprints(before, { ...structuredClone(before), takenAt: '2026-12-02T10:00:00.000Z' })).toEqual([]);
  });

  test('each changed measure is one line naming the part, the measure, before and after, in the order of the parts', () => {
    const after = structuredClone(before);
    after.parts['table "Track"'] = { rows: 3502, 'max rowid': 3503 };
    after.parts['table "Genre"'] = { rows: 26, 'max rowid': 26 };
    after.parts['file'] = { ...before.parts['file'], 'change counter': 9 };
    expect(compareFingerprints(before, after)).toEqual([
      'file: change counter 7 → 9',
      'table "Genre": rows 25 → 26',
      'table "Genre": max rowid 25 → 26',
      'table "Track": rows 3,503 → 3,502',
    ]);
  });

  test('a part that appeared or disappeared is named as new or gone', () => {
    const after = at(before.takenAt, { file: before.parts['file'] ?? {}, 'table "Genre"': before.parts['table "Genre"'] ?? {}, 'table "Album"': { rows: 1 } });
    expect(compareFingerprints(before, after)).toEqual(['table "Track": gone', 'table "Album": new']);
  });

  test('a measure that became empty, or is only on one side, reads as none', () => {
    const a = at('t', { 'collection users': { documents: 3, 'max _id': '{"$oid":"656a0000000000000000000a"}' } });
    const b = at('t', { 'collection users': { documents: 0, 'max _id': null, extra: 'x' } });
    expect(compareFingerprints(a, b)).toEqual(['collection users: documents 3 → 0', 'collection users: max _id {"$oid":"656a0000000000000000000a"} → none', 'collection users: extra none → x']);
  });

  test('a rowid past 2^53 is compared by its exact digits, not as a rounded number', () => {
    const a = at('t', { 'table "Big"': { 'max rowid': '9007199254740993' } });
    const b = at('t', { 'table "Big"': { 'max rowid': 9007199254740992 } });
    expect(compareFingerprints(a, b)).toEqual(['table "Big": max rowid 9007199254740993 → 9,007,199,254,740,992']);
  });
});

describe('sourceFingerprintSchema', () => {
  test('reads back what a run stored, and refuses anything else', () => {
    const stored = JSON.parse(JSON.stringify(at('t', { file: { size: 1, mtime: null } }))) as unknown;
    expect(sourceFingerprintSchema.parse(stored)).toEqual({ takenAt: 't', parts: { file: { size: 1, mtime: null } } });
    expect(() => sourceFingerprintSchema.parse({ parts: {} })).toThrow();
    expect(() => sourceFingerprintSchema.parse({ takenAt: 't', parts: { file: { size: true } } })).toThrow();
  });
});
