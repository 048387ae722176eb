import { describe, expect, test } from '@jest/globals';
import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { chooseColumn } from '../../src/init/column-type.ts';
import { gatherFacts } from '../../src/init/field-facts.ts';
import { profileDocuments, type FieldProfile } from '../../src/init/field-profile.ts';
import { modelName, fieldName, singular, withoutIdSuffix } from '../../src/init/names.ts';
import { parseSampleSize, sampleCount } from '../../src/init/sample-size.ts';
import { Reservoir } from '../../src/init/reservoir.ts';
import { proposeEnum } from '../../src/init/propose-enum.ts';

// Issue 12: the documented rules of migration:init (MIGRATION_README section 11), one value shape at a time.

async function choice(values: unknown[], field = 'f') {
  const docs = values.map((v, i) => (v === undefined ? { _id: i } : { _id: i, [field]: v }));
  const profile = await profileDocuments(docs);
  const f = profile.fields.find((x) => x.name === field) as FieldProfile;
  return chooseColumn(f, gatherFacts(docs).get(field), false);
}

describe('a column per field', () => {
  test('one BSON type each', async () => {
    expect(await choice([new Int32(1), new Int32(2)])).toMatchObject({ kind: 'scalar', type: 'Int' });
    expect(await choice([Long.fromNumber(5_000_000_000)])).toMatchObject({ kind: 'scalar', type: 'BigInt' });
    expect(await choice([new Double(1.5)])).toMatchObject({ kind: 'scalar', type: 'Float' });
    expect(await choice([Decimal128.fromString('19.99')])).toMatchObject({ kind: 'scalar', type: 'Decimal' });
    expect(await choice([new Date(0)])).toMatchObject({ kind: 'scalar', type: 'DateTime', native: 'Timestamptz(3)' });
    expect(await choice([true, false])).toMatchObject({ kind: 'scalar', type: 'Boolean' });
    expect(await choice([new ObjectId()])).toMatchObject({ kind: 'ref' });
    expect(await choice([{ a: 1 }])).toMatchObject({ kind: 'json' });
  });

  test('numbers of several kinds widen to one', async () => {
    expect(await choice([new Int32(1), Long.fromNumber(2)])).toMatchObject({ type: 'BigInt' });
    expect(await choice([new Int32(1), new Double(2.5)])).toMatchObject({ type: 'Float' });
    expect(await choice([new Int32(1), Decimal128.fromString('2.5')])).toMatchObject({ type: 'Decimal' });
  });

  test('a main type with dirt beside it keeps the type and says which values will be rejected', async () => {
    const dirty = await choice([...Array.from({ length: 19 }, (_, i) => new Int32(i)), 'five']);
    expect(dirty).toMatchObject({ kind: 'scalar', type: 'Int' });
    expect(dirty.kind === 'scalar' && dirty.todo).toMatch(/String 1 of 20 sampled values are not Int32.*"five".*rejected/);
    // '' where a number is expected loads as NULL: no TODO.
    const empty = await choice([...Array.from({ length: 19 }, (_, i) => new Int32(i)), '']);
    expect(empty).toMatchObject({ kind: 'scalar', type: 'Int' });
    expect(empty.kind === 'scalar' && empty.todo).toBeFalsy();
  });

  test('more mixed than 90/10 is Json', async () => {
    expect(await choice(['a', 'b', new Int32(1), new Int32(2)])).toMatchObject({ kind: 'json' });
  });

  test('arrays: scalars a list, ObjectIds a many-to-many candidate, sub-documents a child model, dynamic keys Json', async () => {
    expect(await choice([['a'], ['b', 'c']])).toMatchObject({ kind: 'scalar', type: 'String', list: true });
    expect(await choice([[new ObjectId()], []])).toMatchObject({ kind: 'refList' });
    expect(await choice([[{ street: 'x' }, { street: 'y', city: 'z' }]])).toMatchObject({ kind: 'children' });
    const dynamic = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`2024-01-${10 + i}`, i]));
    expect(await choice([[dynamic]])).toMatchObject({ kind: 'json' });
    expect(await choice([[], []])).toMatchObject({ kind: 'scalar', list: true, todo: expect.stringMatching(/empty/) });
    expect(await choice([[[1, 2]]])).toMatchObject({ kind: 'json' });
  });
});

describe('names', () => {
  test('models singular PascalCase, fields kept where Prisma allows them', () => {
    expect(['audit_logs', 'categories', 'addresses', 'statuses', 'news', 'order-lines'].map(modelName)).toEqual(['AuditLog', 'Category', 'Address', 'Status', 'News', 'OrderLine']);
    expect(['first-name', 'ok', '$meta', '2fa'].map(fieldName)).toEqual(['firstName', 'ok', 'meta', 'field2fa']);
    expect(singular('people')).toBe('people');
    expect(['authorId', 'author_id', 'tagIDs', 'paid', 'video', 'ID'].map(withoutIdSuffix)).toEqual(['author', 'author', 'tag', undefined, undefined, undefined]);
  });
});

describe('sampling', () => {
  test('a count or a share', () => {
    expect(sampleCount(parseSampleSize('1000'), 50)).toBe(50);
    expect(sampleCount(parseSampleSize('5%'), 1000)).toBe(50);
    expect(() => parseSampleSize('0')).toThrow(/--sample 0/);
    expect(() => parseSampleSize('150%')).toThrow(/--sample/);
  });

  test('the reservoir is uniform enough and the same for the same seed', () => {
    const draw = () => {
      const r = new Reservoir<number>(100, 42);
      for (let i = 0; i < 10_000; i++) r.offer(i);
      return r.items();
    };
    const a = draw();
    expect(a).toEqual(draw());
    expect(a).toHaveLength(100);
    // From the whole stream, not its start.
    expect(a.filter((x) => x >= 5_000).length).toBeGreaterThan(25);
  });
});

describe('enums, with --enums only', () => {
  test('a small closed set of codes', () => {
    const docs = Array.from({ length: 40 }, (_, i) => ({ status: ['PAID', 'closed_won', 'order.create'][i % 3] }));
    const e = proposeEnum('Order', 'status', gatherFacts(docs).get('status'), []);
    expect(e?.values).toEqual([{ name: 'PAID' }, { name: 'closed_won' }, { name: 'orderCreate', map: 'order.create' }]);
  });

  test('free text, rare values or too few strings: no enum', () => {
    const words = Array.from({ length: 40 }, (_, i) => ({ label: ['Büro', 'Home'][i % 2] }));
    expect(proposeEnum('A', 'label', gatherFacts(words).get('label'), [])).toBeUndefined();
    const few = Array.from({ length: 5 }, () => ({ s: 'A' }));
    expect(proposeEnum('A', 's', gatherFacts(few).get('s'), [])).toBeUndefined();
  });
});
