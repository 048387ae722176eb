import { expect, test } from '@jest/globals';
import type { ColumnSpec } from '../../src/schema/model-graph.ts';
import { canonicalValue, parseArrayText } from '../../src/validate/canonical.ts';

test('array literals as node-postgres leaves them for enum arrays', () => {
  expect(parseArrayText('{}')).toEqual([]);
  expect(parseArrayText('{LOW,HIGH}')).toEqual(['LOW', 'HIGH']);
  expect(parseArrayText(String.raw`{"a b",NULL,"q\"x","c\\d"}`)).toEqual(['a b', null, 'q"x', String.raw`c\d`]);
});

test('an enum list compares equal whether parsed or read as text', () => {
  const column: ColumnSpec = { field: 'l', column: 'l', type: 'String', enumName: 'Level', isList: true, required: true, isId: false };
  expect(canonicalValue(column, '{LOW,HIGH}')).toBe(canonicalValue(column, ['LOW', 'HIGH']));
  expect(canonicalValue(column, '{}')).toBe(canonicalValue(column, []));
});
