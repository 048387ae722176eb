import { expect, test } from '@jest/globals';
import { STATE_TABLES } from '../../src/target/identifiers.ts';
import { STATE_DDL } from '../../src/target/state-schema.ts';

test('the closed list of state tables is exactly what the state schema creates', () => {
  const created = [...STATE_DDL.matchAll(/CREATE TABLE IF NOT EXISTS _migration\.(\w+)/g)].map((m) => m[1]).sort();
  expect(created).toEqual([...STATE_TABLES]);
});
