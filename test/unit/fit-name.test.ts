import { describe, expect, test } from '@jest/globals';
import { fitIdentifier } from '../../src/sources/sqlite/fit-name.ts';
import { storedIdentifier } from '../../src/target/identifiers.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('fitIdentifier', () => {
  test('a name PostgreSQL keeps whole is kept', () => {
    expect(fitIdentifier('x'.repeat(63), new Set())).toBe('x'.repeat(63));
  });

  test('a longer one becomes the same ≤63-byte name every time, cut on a character boundary', () => {
    const name = `ix_${'é'.repeat(35)}`;
    const a = fitIdentifier(name, new Set());
    expect(a).toBe(fitIdentifier(name, new Set()));
    expect(bytes(a)).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^ix_é+_[0-9a-f]{8}$/);
  });

  test('two long names with the same first 63 bytes stay distinct, and a taken name is not reused', () => {
    const used = new Set<string>();
    const a = fitIdentifier(`${'t'.repeat(63)}_one`, used);
    const b = fitIdentifier(`${'t'.repeat(63)}_two`, used);
    expect(a).not.toBe(b);
    const c = fitIdentifier(a, used);
    expect(c).not.toBe(a);
    expect(bytes(c)).toBeLessThanOrEqual(63);
  });
});

test('storedIdentifier cuts at 63 bytes like the server, never inside a character', () => {
  expect(storedIdentifier('é'.repeat(40))).toBe('é'.repeat(31));
  expect(storedIdentifier('short')).toBe('short');
});
