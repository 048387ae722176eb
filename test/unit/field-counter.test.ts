import { describe, expect, test } from '@jest/globals';
import { ObjectId } from 'bson';
import { FieldCounter, modelAccounting, type FieldCount } from '../../src/accounting/field-accounting.ts';
import { planMigration, type ModelPlan } from '../../src/plan/plan.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { buildModelGraph } from '../../src/schema/model-graph.ts';
import type { SourceDoc, Transformer } from '../../src/transform/types.ts';

const graph = buildModelGraph(
  readDmmf(`
datasource db {
  provider = "postgresql"
}
model Post {
  id    String @id @db.Uuid
  title String
  tags  Tag[]
  @@map("posts")
}
model Tag {
  id    String @id @db.Uuid
  name  String
  posts Post[]
  @@map("tags")
}
`),
);

const id = (i: number) => new ObjectId(i.toString(16).padStart(24, '0'));

function planOf(model: string, transformers: Transformer[] = []): ModelPlan {
  const plan = planMigration({ graph, collections: ['posts', 'tags'], transformers }).phases.flat().find((p) => p.model === model);
  if (!plan) throw new Error(`no plan for ${model}`);
  // The arrays of a default transformer are chosen from the source (plan/link-sources.ts): here, Post.tagIds by name.
  const [junction] = graph.junctions;
  if (plan.custom || model !== 'Post' || !junction) return plan;
  return { ...plan, junctions: [{ junction, ownerColumn: 'A', sourceField: 'tagIds', how: 'name', union: false }] };
}

/** Runs documents through the counter as the preparer does: watch, transform, count. */
function account(counter: FieldCounter, docs: SourceDoc[], transform: (doc: SourceDoc) => void = () => {}): Map<string, FieldCount> {
  for (const doc of docs) {
    transform(counter.watch(doc));
    counter.count(doc);
  }
  return new Map(modelAccounting('m', 'c', counter.take().values()).fields.map((f) => [f.path, f]));
}

describe('the default transformer', () => {
  test('classifies each key by what reads it: the id, a column (in any case), a link array, config, the Mongoose rule, or nothing', () => {
    const model = graph.models.get('Post');
    if (!model) throw new Error('no Post');
    const counter = new FieldCounter(model, planOf('Post'), {}, ['legacy']);
    const fields = account(counter, [
      { _id: id(1), Title: 'a', tagIds: [], legacy: 1, __v: 0 },
      { _id: id(2), title: 'b', nickname: 'n', __v: 0 },
    ]);
    expect(Object.fromEntries([...fields].map(([path, f]) => [path, [f.use, f.documents, f.example]]))).toEqual({
      _id: ['id', 2, id(1).toHexString()],
      Title: ['column', 1, id(1).toHexString()],
      title: ['column', 1, id(2).toHexString()],
      tagIds: ['link', 1, id(1).toHexString()],
      legacy: ['ignored', 1, id(1).toHexString()],
      __v: ['version-key', 2, id(1).toHexString()],
      nickname: ['left-behind', 1, id(2).toHexString()],
    });
  });

  test('a dotted rename reads one child: its parent is partly read and the other children are named', () => {
    const model = graph.models.get('Tag');
    if (!model) throw new Error('no Tag');
    const counter = new FieldCounter(model, planOf('Tag'), { name: 'label.text' }, ['label.color']);
    const fields = account(counter, [{ _id: id(1), label: { text: 'x', color: 'red', size: 3 } }, { _id: id(2), label: null }]);
    expect([...fields.values()].map((f) => `${f.path}:${f.use}:${f.documents}`).sort()).toEqual(['_id:id:2', 'label.color:ignored:1', 'label.size:left-behind:1', 'label.text:column:1', 'label:partly-read:2']);
  });
});

describe('a hand-written transformer', () => {
  const custom: Transformer = { model: 'Post', transform: () => ({ rows: {} }) };
  const model = graph.models.get('Post');
  if (!model) throw new Error('no Post');

  test('a field it reads in some documents only counts as read; one it never reads is left behind', () => {
    const counter = new FieldCounter(model, planOf('Post', [custom]), {}, []);
    const docs = Array.from({ length: 10 }, (_, i) => ({ _id: id(i), title: `t${i}`, kind: i % 3 === 0 ? 'long' : 'short', body: 'b', extra: i }));
    const fields = account(counter, docs, (doc) => {
      void doc['title'];
      if (doc['kind'] === 'long') void doc['body'];
    });
    expect(fields.get('body')).toMatchObject({ use: 'transformer', documents: 10 });
    expect(fields.get('title')).toMatchObject({ use: 'transformer', documents: 10 });
    expect(fields.get('extra')).toMatchObject({ use: 'left-behind', documents: 10, example: id(0).toHexString() });
  });

  test('the Proxy is used only while the reads are unknown: then documents pass as they are', () => {
    const counter = new FieldCounter(model, planOf('Post', [custom]), {}, []);
    const read = (doc: SourceDoc) => void doc['title'];
    const doc = (i: number, more: Record<string, unknown> = {}): SourceDoc => ({ _id: id(i), title: 't', ...more });
    account(counter, [doc(1)], read);
    const known = doc(2);
    expect(counter.watch(known)).toBe(known);
    counter.count(known);
    const drifted = doc(3, { nickname: 'n' });
    expect(counter.watch(drifted)).not.toBe(drifted);
    counter.count(drifted);
    // After a thousand documents holding it unread, a key no longer makes a document watched.
    account(counter, Array.from({ length: 1000 }, (_, i) => doc(10 + i, { nickname: 'n' })), read);
    const settled = doc(5000, { nickname: 'n' });
    expect(counter.watch(settled)).toBe(settled);
  });
});

describe('a model config embeds (models.<Child>.embeddedIn)', () => {
  const embeddedGraph = buildModelGraph(
    readDmmf(`
datasource db {
  provider = "postgresql"
}
model User {
  id        String    @id @db.Uuid
  name      String
  addresses Address[]
  @@map("users")
}
model Address {
  id       String @id @db.Uuid
  userId   String @db.Uuid
  user     User   @relation(fields: [userId], references: [id])
  position Int
  city     String
  geoLat   Float?
  @@map("addresses")
}
`),
  );
  const user = embeddedGraph.models.get('User');
  const address = embeddedGraph.models.get('Address');
  if (!user || !address) throw new Error('no User or Address');
  const child = { model: 'Address', parent: 'User', path: 'profile.addresses', ownerField: 'userId', positionField: 'position', idField: 'id', oneToOne: false };
  const plan = planMigration({ graph: embeddedGraph, collections: ['users'], transformers: [], embedded: [child] }).phases.flat()[0];
  if (!plan) throw new Error('no plan');

  test("the path is read in part; the elements' keys are counted once per document by what of the child reads them, ignore lists of both models honoured", () => {
    const counter = new FieldCounter(user, plan, {}, ['profile.addresses.legacy'], { embedded: [{ child, model: address, renames: {}, ignore: ['internal'] }] });
    const fields = account(counter, [
      { _id: id(1), name: 'a', profile: { addresses: [{ City: 'x', geo: { lat: 1, lng: 2 }, extra: 1 }, { city: 'y', extra: 2, _id: id(9), userId: 'u' }, 'not a document'] } },
      { _id: id(2), name: 'b', profile: { addresses: [{ city: 'z', position: 4, internal: true, legacy: 1 }] } },
      { _id: id(3), name: 'c', profile: { addresses: [] } },
      { _id: id(4), name: 'd', profile: {} },
    ]);
    expect(Object.fromEntries([...fields].map(([path, f]) => [path, `${f.use} ${f.detail} ${f.documents}`]))).toEqual({
      _id: 'id id 4',
      name: 'column name 4',
      profile: 'partly-read  4',
      'profile.addresses': 'partly-read embedded Address 3',
      'profile.addresses.City': 'column Address.city 1',
      'profile.addresses.city': 'column Address.city 2',
      'profile.addresses.position': 'column Address.position 1',
      'profile.addresses.geo': 'partly-read  1',
      'profile.addresses.geo.lat': 'column Address.geoLat 1',
      'profile.addresses.geo.lng': 'left-behind  1',
      // Counted once in the first document, though two of its elements hold it.
      'profile.addresses.extra': 'left-behind  1',
      // The element's own id and owner are not read: the row's id is derived, its owner is the parent.
      'profile.addresses._id': 'left-behind  1',
      'profile.addresses.userId': 'left-behind  1',
      'profile.addresses.internal': 'ignored models.Address.ignore 1',
      'profile.addresses.legacy': 'ignored models.ignore 1',
    });
  });
});
