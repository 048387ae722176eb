import { expect, test } from '@jest/globals';
import { sinceFilter } from '../../src/baseline/since-filter.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { buildModelGraph, type ModelSpec } from '../../src/schema/model-graph.ts';
import type { SourceFields } from '../../src/transform/context.ts';
import { convertValue } from '../../src/transform/convert.ts';

const graph = buildModelGraph(
  readDmmf(`
datasource db {
  provider = "postgresql"
}
model Note {
  id    String   @id @db.Uuid
  stamp DateTime @updatedAt @map("modified")
  @@map("notes")
}
model Memo {
  id    String @id @db.Uuid
  @@map("memos")
}
`),
);
const modelOf = (name: string): ModelSpec => {
  const m = graph.models.get(name);
  if (!m) throw new Error(`no model ${name}`);
  return m;
};
const fields: SourceFields = { collection: 'notes', converter: (column, value, label) => convertValue(column, value, label), renames: {} };
const since = new Date('2025-01-01T00:00:00Z');
const old = new Date('2024-06-01T00:00:00Z');
const recent = new Date('2025-06-01T00:00:00Z');

test('an @updatedAt column is read raw from its source field (the @map name here) by the default transformer only', () => {
  const unchanged = sinceFilter(modelOf('Note'), { custom: false }, since, fields).unchangedRaw;
  if (!unchanged) throw new Error('no raw reading for the default transformer');
  expect(unchanged({ _id: 1, modified: old })).toBe(true);
  expect(unchanged({ _id: 1, stamp: old })).toBe(true);
  expect(unchanged({ _id: 1, modified: recent })).toBe(false);
  // No time, or one the converter refuses (a zone-less text): prepared and compared, as without the fast path.
  expect(unchanged({ _id: 1 })).toBe(false);
  expect(unchanged({ _id: 1, modified: '2024-06-01 10:00:00' })).toBe(false);
  // A hand-written transformer may fill the column from anything; without the source fields there is nothing to read by.
  expect(sinceFilter(modelOf('Note'), { custom: true }, since, fields).unchangedRaw).toBeUndefined();
  expect(sinceFilter(modelOf('Note'), { custom: false }, since).unchangedRaw).toBeUndefined();
});

test('without an @updatedAt column a source time field is read raw, whoever transforms: the prepared check reads the raw document too', () => {
  for (const custom of [false, true]) {
    const filter = sinceFilter(modelOf('Memo'), { custom }, since);
    expect(filter.unchangedRaw?.({ _id: 1, title: 'no time yet' })).toBe(false);
    expect(filter.field()).toBeUndefined();
    expect(filter.unchangedRaw?.({ _id: 2, updated_at: '2024-06-01T00:00:00Z' })).toBe(true);
    expect(filter.field()).toEqual({ kind: 'source-field', field: 'updated_at' });
    expect(filter.unchangedRaw?.({ _id: 3, updated_at: recent })).toBe(false);
  }
});
