import { expect, test } from '@jest/globals';
import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { buildRowCheck } from '../../src/check/row-check.ts';
import { createIdMapper } from '../../src/ids/id-mapper.ts';
import { createPreparer, type Prepared } from '../../src/load/prepare.ts';
import { compileRow, type RowLine } from '../../src/load/row-line.ts';
import type { ModelPlan } from '../../src/plan/plan.ts';
import type { ColumnSpec, ModelGraph, ModelSpec, ScalarType } from '../../src/schema/model-graph.ts';
import { createSqliteConverter, type Coercion } from '../../src/sources/sqlite/sqlite-convert.ts';
import { copyEncoder } from '../../src/target/copy-text.ts';
import { createBsonConverter } from '../../src/transform/convert.ts';
import { defaultTransformer } from '../../src/transform/default-transformer.ts';
import type { SourceFields } from '../../src/transform/context.ts';
import { seededRandom } from '../support/seeded-random.ts';

function col(field: string, column: string, type: ScalarType, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { field, column, type, isList: false, required: false, isId: false, ...extra };
}
const native = (name: string, ...args: string[]) => ({ native: { name, args } });

// A direct copy's model of a Rails-style table: every column kind a SQLite file fills.
const id = col('id', 'id', 'Int', { isId: true, required: true });
const model: ModelSpec = {
  name: 'Event',
  table: 'events',
  id,
  key: [id],
  columns: [
    id,
    col('kind', 'kind', 'String', { required: true, ...native('VarChar', '8') }),
    col('status', 'status', 'String', { enumName: 'Status', enumValues: ['open', 'closed'] }),
    col('body', 'body', 'String'),
    col('small', 'small', 'Int', native('SmallInt')),
    col('big', 'big', 'BigInt'),
    col('score', 'score', 'Float'),
    col('real', 'real', 'Float', native('Real')),
    col('price', 'price', 'Decimal', native('Decimal', '8', '2')),
    col('ok', 'ok', 'Boolean', { required: true }),
    col('blob', 'blob', 'Bytes'),
    col('data', 'data', 'Json'),
    col('createdAt', 'created_at', 'DateTime', { required: true }),
    col('day', 'day', 'DateTime', native('Date')),
  ],
  relations: [],
  junctions: [],
  uniques: [],
};
const graph = { models: new Map([[model.name, model]]) } as unknown as ModelGraph;
const plan: ModelPlan = { model: 'Event', collection: 'events', transformer: defaultTransformer('Event'), custom: false, derived: [], embedded: [], junctions: [] };

function sourceFields(coercions: Coercion[], rules: { column: string; as: 'epoch-ms' }[] = []): SourceFields {
  return { collection: 'events', renames: {}, converter: createSqliteConverter({ timeZone: 'UTC', emptyStrings: 'null', rules, onCoercion: (c) => coercions.push(c) }) };
}

/** What a compiled row wrote is what the long way accepts: its row, encoded as the writer encodes it, with the same key and UUID. */
function expectLongWayRow(spec: ModelSpec, line: RowLine, long: Prepared, n: number): void {
  if (long.ok !== true) throw new Error(`row ${n}: compiled, but the long way says ${JSON.stringify(long.ok === false ? long.rejected.reason : 'skipped')}`);
  const row = long.value.rows.get(spec.name)?.[0] ?? {};
  expect(line).toEqual({ line: spec.columns.map((c) => copyEncoder(c)(row[c.field])).join('\t'), key: long.value.key, uuid: long.value.uuid });
}

/** Values of every storage class, in and out of each column's fit, with COPY's special characters. */
function randomDoc(random: () => number, n: number): Record<string, unknown> {
  // Mostly the first (a value that fits), else any: both ways come up often enough.
  const pick = (...xs: unknown[]): unknown => (random() < 0.85 ? xs[0] : xs[Math.floor(random() * xs.length)]);
  return {
    id: pick(BigInt(n), 2n ** 40n + BigInt(n)),
    kind: pick('signup', 'view', 'tab\there', 'back\\slash', 'new\nline', 'toolongvalue', 'nul\u0000', 12n, null),
    status: pick('open', 'closed', 'Open', null),
    body: pick('plain', 'crlf\r\n', 'ünïcødé ✓', '', Buffer.from('bytes'), 3.5, null),
    small: pick(5n, -32768n, 32768n, 2n ** 60n, '7', 1.0, null),
    big: pick(0n, -(2n ** 63n), 2n ** 62n, 4.0, null),
    score: pick(1.5, -0, 1e300, Number.NaN, 3n, '2.5', null),
    real: pick(0.5, 0.1, 3n, null),
    price: pick(12n, 1234567n, 0.1 + 0.2, '9.99', null),
    ok: pick(0n, 1n, 2n, 'yes', 1.0, null),
    blob: pick(Buffer.from([0, 9, 92, 255]), 'text', null),
    data: pick('{"a":1}', 'not json', 7n, null),
    created_at: pick('2021-01-01 00:05:35.969', '0001-01-01 00:00:00', '2021-01-01 00:05', '2024-03-01 10:20:30.9999996', '2021-01-01T00:05:35.1Z', '2021-01-01T00:05:35Z', '2021-02-30 00:00:00', '2021-01-01 00:05:35.123456', ' 2021-01-01', 1609459200000n, 1609459200n, 2459215.5, null),
    day: pick('2021-01-01', '2021-01-01 10:00:00', null),
    ...(random() < 0.05 ? { extra: 'left behind' } : {}),
  };
}

test('a compiled row is the long way’s row, encoded as the writer encodes it, or it leaves the document to the long way', () => {
  const random = seededRandom(5);
  const ids = createIdMapper('keep');
  const checks = new Map([[model.name, buildRowCheck(model)]]);
  const longCoercions: Coercion[] = [];
  const fastCoercions: Coercion[] = [];
  const longWay = createPreparer(graph, plan, ids, checks, sourceFields(longCoercions));
  const compiled = compileRow(model, plan, sourceFields(fastCoercions), ids);
  if (!compiled) throw new Error('the model should compile');
  let fast = 0;
  let fellBack = 0;
  for (let n = 1; n <= 20_000; n++) {
    const doc = { ...randomDoc(random, n), _id: n };
    const line = compiled(doc, n);
    const long = longWay.prepare(doc);
    if (line === undefined) {
      fellBack++;
      continue;
    }
    fast++;
    // Whatever the compiled row writes, the long way accepts with the same row and key.
    expectLongWayRow(model, line, long, n);
  }
  // The compiled row itself never coerces: only the long way counts coercions.
  expect(fastCoercions).toEqual([]);
  expect(longCoercions.length).toBeGreaterThan(0);
  // Both ways are exercised.
  expect(fast).toBeGreaterThan(100);
  expect(fellBack).toBeGreaterThan(1000);
});

test('the preparer with lines gives compiled documents their line and no rows; the others go the long way', () => {
  const ids = createIdMapper('keep');
  const checks = new Map([[model.name, buildRowCheck(model)]]);
  const preparer = createPreparer(graph, plan, ids, checks, sourceFields([]), undefined, { lines: true });
  const good = { _id: 1, id: 1n, kind: 'view', status: 'open', body: 'a\tb', small: 1n, big: 2n, score: 1.5, real: 0.5, price: 3n, ok: 1n, blob: null, data: null, created_at: '2021-01-01 00:05:35.969', day: '2021-01-01' };
  const fast = preparer.prepare(good);
  expect(fast.ok === true && fast.value.line).toBe('1\tview\topen\ta\\tb\t1\t2\t1.5\t0.5\t3\tt\t\\N\t\\N\t2021-01-01T00:05:35.969Z\t2021-01-01');
  expect(fast.ok === true && fast.value.rows.size).toBe(0);
  const coerced = preparer.prepare({ ...good, _id: 2, id: 2n, created_at: 1609459200000n });
  expect(coerced.ok === true && coerced.value.line).toBe(undefined);
  expect(coerced.ok === true && coerced.value.rows.get('Event')?.[0]?.['createdAt']).toEqual(new Date(1609459200000));
  const refused = preparer.prepare({ ...good, _id: 3, id: 3n, kind: 'much too long' });
  expect(refused.ok === false && refused.rejected.reason).toMatch(/kind/);
});

test('what needs the long way for every document is not compiled', () => {
  const source = sourceFields([]);
  const ids = createIdMapper('keep');
  expect(compileRow(model, { ...plan, custom: true }, source, ids)).toBeUndefined();
  expect(compileRow(model, plan, { ...source, renames: { kind: 'meta.kind' } }, ids)).toBeUndefined();
  // A column with a cast rule of its own.
  expect(compileRow(model, plan, sourceFields([], [{ column: 'events.created_at', as: 'epoch-ms' }]), ids)).toBeUndefined();
  expect(compileRow(model, plan, { ...source, converter: (_c, v) => v }, ids)).toBeUndefined();
});

// Schema mode: a UUID model whose document's own id, reference and id column (no relation) become UUIDs.
const uuidId = col('id', 'id', 'String', { isId: true, required: true, ...native('Uuid') });
const comment: ModelSpec = {
  name: 'Comment',
  table: 'comments',
  id: uuidId,
  key: [uuidId],
  columns: [
    uuidId,
    col('postId', 'post_id', 'String', { required: true, ...native('Uuid'), references: { model: 'Post', relation: 'CommentToPost' } }),
    col('createdBy', 'created_by', 'String', native('Uuid')),
    col('body', 'body', 'String', { required: true }),
    col('createdAt', 'created_at', 'DateTime', { required: true }),
  ],
  relations: [],
  junctions: [],
  uniques: [],
};

test('onto UUIDs: own id, references and id columns as the long way maps them; an id column is counted once, for the row written', () => {
  const random = seededRandom(9);
  const pick = (...xs: unknown[]): unknown => (random() < 0.85 ? xs[0] : xs[Math.floor(random() * xs.length)]);
  const commentGraph = { models: new Map([[comment.name, comment]]) } as unknown as ModelGraph;
  const commentPlan: ModelPlan = { model: 'Comment', collection: 'comments', transformer: defaultTransformer('Comment'), custom: false, derived: [], embedded: [], junctions: [] };
  const ids = createIdMapper('v7-objectid');
  const checks = new Map([[comment.name, buildRowCheck(comment)]]);
  const idColumn = { model: 'Comment', field: 'createdBy', column: 'created_by', target: 'User', decidedBy: 'config', onMissing: 'null', objectIdsNeedNoModel: true, labels: { ObjectId: 'oid', 'integer id': 'Comment.createdBy: integer id → User', 'string id': 'string' } } as const;
  const fields = (counts: string[]): SourceFields => ({ ...sourceFields([]), collection: 'comments', idColumns: new Map([['createdBy', idColumn]]), countIdColumn: (k) => counts.push(k) });
  const longCounts: string[] = [];
  const fastCounts: string[] = [];
  const longWay = createPreparer(commentGraph, commentPlan, ids, checks, fields(longCounts));
  const compiled = compileRow(comment, commentPlan, fields(fastCounts), ids);
  if (!compiled) throw new Error('the model should compile');
  let fast = 0;
  for (let n = 1; n <= 5_000; n++) {
    const doc = {
      _id: n,
      id: BigInt(n),
      post_id: pick(BigInt(n % 97), 'p-12', 1.5, null),
      created_by: pick(BigInt(n % 13), '0190f5c2-1a2b-7c3d-8e4f-5a6b7c8d9e0f', '', 2.5, null),
      body: pick('hello', 'nul\u0000', 4n),
      created_at: pick('2021-01-01 00:03:56.979', 1609459200000n),
    };
    const before = fastCounts.length;
    const line = compiled(doc, n);
    const long = longWay.prepare(doc);
    if (line === undefined) {
      expect(fastCounts.length).toBe(before);
      continue;
    }
    fast++;
    expectLongWayRow(comment, line, long, n);
  }
  expect(fast).toBeGreaterThan(1000);
  expect(fastCounts.length).toBeGreaterThan(500);
  // The long way counted every document's conversion, the fast one only the rows it wrote.
  expect(fastCounts.length).toBeLessThan(longCounts.length);
});

test('documents of a MongoDB-style collection: fields present in some documents only, ObjectIds, BSON numbers and dates', () => {
  const random = seededRandom(13);
  const pick = (...xs: unknown[]): unknown => (random() < 0.85 ? xs[0] : xs[Math.floor(random() * xs.length)]);
  const oid = (n: number) => new ObjectId(n.toString(16).padStart(24, '0'));
  const uid = col('id', 'id', 'String', { isId: true, required: true, ...native('Uuid') });
  const order: ModelSpec = {
    name: 'Order',
    table: 'orders',
    id: uid,
    key: [uid],
    columns: [
      uid,
      col('userId', 'userId', 'String', { required: true, ...native('Uuid'), references: { model: 'User', relation: 'OrderToUser' } }),
      col('status', 'status', 'String', { required: true, enumName: 'Status', enumValues: ['PAID', 'OPEN'], enumAliases: new Map([['paid', 'PAID'], ['open', 'OPEN']]) }),
      col('total', 'total', 'Decimal', native('Decimal', '10', '2')),
      col('items', 'items', 'Int', { required: true }),
      col('gift', 'gift', 'Boolean', { literalDefault: false }),
      col('note', 'note', 'String'),
      col('meta', 'meta', 'Json'),
      col('placedAt', 'placedAt', 'DateTime', { required: true }),
    ],
    relations: [],
    junctions: [],
    uniques: [],
  };
  const orderGraph = { models: new Map([[order.name, order]]) } as unknown as ModelGraph;
  const orderPlan: ModelPlan = { model: 'Order', collection: 'orders', transformer: defaultTransformer('Order'), custom: false, derived: [], embedded: [], junctions: [] };
  const ids = createIdMapper('v7-objectid');
  const checks = new Map([[order.name, buildRowCheck(order)]]);
  const longCoercions: unknown[] = [];
  const fastCoercions: unknown[] = [];
  const fields = (into: unknown[]): SourceFields => ({ collection: 'orders', renames: {}, converter: createBsonConverter({ emptyStrings: 'null', onCoercion: (c) => into.push(c) }) });
  const longWay = createPreparer(orderGraph, orderPlan, ids, checks, fields(longCoercions));
  const compiled = compileRow(order, orderPlan, fields(fastCoercions), ids);
  if (!compiled) throw new Error('the model should compile');
  let fast = 0;
  let absent = 0;
  for (let n = 1; n <= 10_000; n++) {
    const doc: Record<string, unknown> = {
      _id: oid(n),
      userId: pick(oid(n % 50), String(n), 7, null),
      status: pick('PAID', 'paid', 'LOST', ''),
      total: pick(new Double(12.5), new Decimal128('9.99'), 12.345, 'x', ''),
      items: pick(new Int32(3), 2.5, new Long(7), '4', null),
      gift: pick(true, undefined, 'no'),
      note: pick(undefined, 'tab\there', null, 5),
      meta: pick({ a: [1, { b: 'c' }] }, undefined, 'text'),
      placedAt: pick(new Date(1_600_000_000_000 + n), '2021-01-01T00:00:00Z', new Date(Number.NaN), ''),
    };
    for (const k of Object.keys(doc)) if (doc[k] === undefined) delete doc[k];
    if (random() < 0.02) doc['PlacedAt'] = doc['placedAt'];
    if (doc['PlacedAt'] !== undefined) delete doc['placedAt'];
    const sourceId = oid(n);
    const line = compiled(doc, sourceId);
    const long = longWay.prepare(doc);
    if (line === undefined) continue;
    fast++;
    if (!('gift' in doc) || !('note' in doc)) absent++;
    expectLongWayRow(order, line, long, n);
  }
  expect(fastCoercions).toEqual([]);
  expect(longCoercions.length).toBeGreaterThan(0);
  expect(fast).toBeGreaterThan(1000);
  // Fields some documents lack go the fast way too, filled as defaultRow fills them.
  expect(absent).toBeGreaterThan(500);
});
