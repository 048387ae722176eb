import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { planMigration, type Plan, type PlanInput } from '../../src/plan/plan.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { buildModelGraph } from '../../src/schema/model-graph.ts';
import { transformers } from '../../transformers/index.ts';
import { ObjectId } from 'bson';
import { resolveLinkSources } from '../../src/plan/link-sources.ts';
import { openSource } from '../../src/sources/open-source.ts';
import { writeDumpFolder } from '../support/write-dump.ts';

const graph = buildModelGraph(readDmmf(readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8')));
const derivedModels = ['Address', 'OrderLine', 'Payment'];
const sourceCollections = [...graph.models.values()].filter((m) => !derivedModels.includes(m.name)).map((m) => m.table);

const plan = (overrides: Partial<PlanInput> = {}): Plan => planMigration({ graph, collections: sourceCollections, transformers, ...overrides });

const phaseNames = (p: Plan) => p.phases.map((phase) => phase.map((m) => m.model));

describe('the sample schema', () => {
  const result = plan();
  const phaseOf = new Map(result.phases.flatMap((phase, i) => phase.map((m) => [m.model, i] as const)));
  // Derived rows are written with their owner, so a derived model's relations count for the owner.
  const owners: Record<string, string> = { Address: 'User', OrderLine: 'Order', Payment: 'Order' };
  const ownerOf = (model: string) => owners[model] ?? model;

  test('every source model is planned once, derived models are not', () => {
    expect([...phaseOf.keys()].sort()).toEqual(
      [...graph.models.keys()].filter((m) => !derivedModels.includes(m)).sort(),
    );
    expect(result.phases.flat()).toHaveLength(phaseOf.size);
    expect(result.deferred).toEqual([]);
    expect(result.unsourced).toEqual([]);
    expect(result.unmapped).toEqual([]);
  });

  test('a model loads after every model its relations and its derived rows point at', () => {
    const checked: string[] = [];
    const violations: string[] = [];
    for (const model of graph.models.values()) {
      const owner = ownerOf(model.name);
      for (const r of model.relations) {
        const target = ownerOf(r.target);
        if (target === owner) continue;
        checked.push(`${model.name}.${r.field}`);
        if (!(phaseOf.get(owner)! > phaseOf.get(target)!)) violations.push(`${model.name}.${r.field} → ${r.target}`);
      }
    }
    expect(violations).toEqual([]);
    // 16 relations, less the 6 that stay within one owner (self-relations, derived → owner).
    expect(checked).toHaveLength(10);
  });

  test('a junction owner (side A) loads after the other side', () => {
    for (const j of graph.junctions) expect(phaseOf.get(j.a.model)!).toBeGreaterThan(phaseOf.get(j.b.model)!);
  });

  test('the phases are the shortest layering', () => {
    expect(phaseNames(result)).toEqual([
      ['Category', 'Tag', 'User'],
      ['AuditLog', 'Post', 'Product', 'Profile'],
      ['Comment', 'Order', 'Review'],
    ]);
  });

  test('derived models hang off their owner; custom transformers are marked', () => {
    const byModel = new Map(result.phases.flat().map((m) => [m.model, m]));
    expect(byModel.get('User')?.derived).toEqual([{ model: 'Address', ownerField: 'userId' }]);
    expect(byModel.get('Order')?.derived).toEqual([
      { model: 'OrderLine', ownerField: 'orderId' },
      { model: 'Payment', ownerField: 'orderId' },
    ]);
    expect([...byModel.values()].filter((m) => m.custom).map((m) => m.model).sort()).toEqual(['Order', 'Post', 'User']);
    expect(byModel.get('Tag')?.transformer.model).toBe('Tag');
  });

  test('a hand-written transformer fills side A of its junctions; the default ones wait for the source arrays', () => {
    const byModel = new Map(result.phases.flat().map((m) => [m.model, m]));
    expect(byModel.get('Post')?.junctions.map((j) => [j.junction.table, j.ownerColumn, j.how])).toEqual([['_PostToTag', 'A', 'transformer']]);
    expect(byModel.get('Product')?.junctions).toEqual([]);
    expect(byModel.get('Tag')?.junctions).toEqual([]);
  });

  test('the source arrays decide the rest: tagIds on Product by name, Post keeps its transformer', async () => {
    const path = writeDumpFolder(Object.fromEntries(sourceCollections.map((c) => [c, c === 'products' ? [{ _id: new ObjectId(), name: 'p', tagIds: [new ObjectId()] }] : []])));
    const source = await openSource({ kind: 'mongodump', path, emptyStrings: 'null' });
    try {
      const resolved = await resolveLinkSources({ graph, plan: result, source, junctions: {}, renames: () => ({}) });
      const byModel = new Map(resolved.phases.flat().map((m) => [m.model, m]));
      expect(byModel.get('Product')?.junctions.map((j) => [j.junction.table, j.ownerColumn, j.sourceField, j.how])).toEqual([['_ProductToTag', 'A', 'tagIds', 'name']]);
      expect(byModel.get('Post')?.junctions.map((j) => [j.junction.table, j.ownerColumn, j.how])).toEqual([['_PostToTag', 'A', 'transformer']]);
      expect(byModel.get('Tag')?.junctions).toEqual([]);
    } finally {
      await source.close();
    }
  });
});

test('a cycle through an optional relation is broken there', () => {
  const cyclic = buildModelGraph(
    readDmmf(`
      datasource db {
        provider = "postgresql"
      }
      model A {
        id    String @id
        bId   String
        b     B      @relation("AB", fields: [bId], references: [id])
        fromB B[]    @relation("BA")
      }
      model B {
        id    String  @id
        aId   String?
        a     A?      @relation("BA", fields: [aId], references: [id])
        fromA A[]     @relation("AB")
      }
    `),
  );
  // A is planned first, so its required edge is found first: only a preference for optional edges picks B.a.
  const result = planMigration({ graph: cyclic, collections: ['A', 'B'], transformers: [] });
  expect(result.deferred).toEqual(['B.a']);
  expect(phaseNames(result)).toEqual([['B'], ['A']]);
});

describe('selection and overrides', () => {
  test('only keeps the named models', () => {
    expect(phaseNames(plan({ only: ['Post', 'Tag'] }))).toEqual([['Tag'], ['Post']]);
  });

  test('only with an unknown or a derived model throws, naming it', () => {
    expect(() => plan({ only: ['Tag', 'Nope'] })).toThrow(/Nope/);
    expect(() => plan({ only: ['Address'] })).toThrow(/Address/);
  });

  test('explicit phases replace the computed order', () => {
    const names = [...graph.models.keys()].filter((m) => !derivedModels.includes(m));
    const result = plan({ phases: [names.slice().reverse(), []] });
    expect(phaseNames(result)).toEqual([names.slice().reverse()]);
  });

  test('explicit phases that leave a model out throw, naming it', () => {
    const names = [...graph.models.keys()].filter((m) => !derivedModels.includes(m) && m !== 'Review');
    expect(() => plan({ phases: [names] })).toThrow(/leaves out Review/);
  });

  test('a model without a collection is unsourced, a collection without a model unmapped', () => {
    const collections = [...sourceCollections.filter((c) => c !== 'audit_logs'), 'legacy_events', 'system.views'];
    const result = plan({ collections });
    expect(result.unsourced).toEqual(['AuditLog']);
    expect(result.unmapped).toEqual(['legacy_events']);
    expect(result.phases.flat().map((m) => m.model)).not.toContain('AuditLog');
  });

  test('collectionOf renames a model`s source collection', () => {
    const collections = [...sourceCollections.filter((c) => c !== 'users'), 'people'];
    const result = plan({ collections, collectionOf: { User: 'people' } });
    expect(result.phases.flat().find((m) => m.model === 'User')?.collection).toBe('people');
    expect(result.unmapped).toEqual([]);
  });
});
