import { describe, expect, test } from '@jest/globals';
import { ObjectId, type Document } from 'bson';
import { ConfigError } from '../../src/config/load-config.ts';
import { resolveLinkSources } from '../../src/plan/link-sources.ts';
import { planMigration } from '../../src/plan/plan.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { buildModelGraph } from '../../src/schema/model-graph.ts';
import { openSource } from '../../src/sources/open-source.ts';
import { writeDumpFolder } from '../support/write-dump.ts';

// Which array fills which many-to-many table (plan/link-sources.ts), on real dump folders.

const SCHEMA = `
datasource db {
  provider = "postgresql"
}
model Deal {
  id       String        @id @db.Uuid
  contacts DealContact[]
  watchers DealWatcher[]
  @@map("deals")
}
model Contact {
  id      String        @id @db.Uuid
  deals   DealContact[]
  watched DealWatcher[]
  @@map("contacts")
}
model DealContact {
  dealId    String  @db.Uuid
  deal      Deal    @relation(fields: [dealId], references: [id])
  contactId String  @db.Uuid
  contact   Contact @relation(fields: [contactId], references: [id])
  @@id([dealId, contactId])
}
model DealWatcher {
  dealId    String  @db.Uuid
  deal      Deal    @relation(fields: [dealId], references: [id])
  contactId String  @db.Uuid
  contact   Contact @relation(fields: [contactId], references: [id])
  addedAt   DateTime @updatedAt
  @@id([dealId, contactId])
}
`;
const graph = buildModelGraph(readDmmf(SCHEMA));
const contacts = Array.from({ length: 5 }, () => ({ _id: new ObjectId() }));

async function resolve(deals: Document[], junctions: Record<string, { from: string[] }> = {}, more: Record<string, Document[]> = {}) {
  const source = await openSource({ kind: 'mongodump', path: writeDumpFolder({ deals, contacts, ...more }), emptyStrings: 'null' });
  try {
    const plan = planMigration({ graph, collections: ['deals', 'contacts', ...Object.keys(more)], transformers: [] });
    const resolved = await resolveLinkSources({ graph, plan, source, junctions, renames: () => ({}) });
    return Object.fromEntries((resolved.links ?? []).map((l) => [l.junction.relation, l.fills.map((f) => `${f.model}.${f.field} ${f.how}`)]));
  } finally {
    await source.close();
  }
}

describe('explicit junction models', () => {
  test('are found: two required relations as the key, an @updatedAt column is no obstacle', () => {
    expect((graph.explicitJunctions ?? []).map((j) => [j.relation, j.a.model, j.a.field, j.b.model, j.b.field, j.stamps ?? []])).toEqual([
      ['DealContact', 'Deal', 'contacts', 'Contact', 'deals', []],
      ['DealWatcher', 'Deal', 'watchers', 'Contact', 'watched', ['addedAt']],
    ]);
  });

  test.each(['contactIDs', 'contactIds', 'contact_ids', 'contacts', 'Contacts'])('%s names the relation field contacts', async (field) => {
    expect(await resolve([{ _id: new ObjectId(), [field]: [contacts[0]?._id] }])).toEqual({ DealContact: [`Deal.${field} name`], DealWatcher: [] });
  });

  test('watcherIDs names the relation field, beating an array that only names the model', async () => {
    expect(await resolve([{ _id: new ObjectId(), watcherIDs: [contacts[1]?._id], contactIDs: [contacts[0]?._id] }])).toEqual({ DealContact: ['Deal.contactIDs name'], DealWatcher: ['Deal.watcherIDs name'] });
  });

  test('one unnamed array whose ids fit two tables is refused, naming both and the config key', async () => {
    const error = await resolve([{ _id: new ObjectId(), people: contacts.map((c) => c._id) }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^Deal\.people could fill junction DealContact \(DealContact\) \(by ids sampled: 5 of 5 sampled ids found in contacts\) or junction DealWatcher \(DealWatcher\) \(by ids sampled: .*\); settle it in the config: junctions: \{ DealContact: \{ from: \['Deal\.people'\] \} \}/,
    );
  });

  test('config settles it; the configured array is then no one else’s', async () => {
    expect(await resolve([{ _id: new ObjectId(), people: contacts.map((c) => c._id) }], { DealWatcher: { from: ['Deal.people'] } })).toEqual({ DealContact: [], DealWatcher: ['Deal.people config'] });
  });

  test('a junction model with a collection of its own loads from it, not from arrays', async () => {
    expect(await resolve([{ _id: new ObjectId(), contactIDs: [contacts[0]?._id] }], {}, { DealContact: [] })).toEqual({ DealWatcher: [] });
  });

  test('an array of ids of no side fills nothing', async () => {
    expect(await resolve([{ _id: new ObjectId(), people: [new ObjectId(), new ObjectId()] }])).toEqual({ DealContact: [], DealWatcher: [] });
  });
});

describe('a self many-to-many named in the config', () => {
  // Prisma's `_UserFollows`: a row (A, B) says B follows A (Prisma's client stores ann.following =
  // [bob] as A = bob, B = ann), so a document's followingIDs put its own id in B, its followerIDs in A.
  const selfGraph = buildModelGraph(
    readDmmf(`
datasource db {
  provider = "postgresql"
}
model User {
  id        String @id @db.Uuid
  following User[] @relation("UserFollows")
  followers User[] @relation("UserFollows")
  @@map("users")
}
`),
  );
  const ann = new ObjectId();
  const bob = new ObjectId();
  const users = [
    { _id: ann, followingIDs: [bob], followerIDs: [] },
    { _id: bob, followingIDs: [], followerIDs: [ann] },
  ];

  async function fills(from: string[]) {
    const source = await openSource({ kind: 'mongodump', path: writeDumpFolder({ users }), emptyStrings: 'null' });
    try {
      const plan = planMigration({ graph: selfGraph, collections: ['users'], transformers: [] });
      const resolved = await resolveLinkSources({ graph: selfGraph, plan, source, junctions: { UserFollows: { from } }, renames: () => ({}) });
      return resolved.phases.flat().flatMap((p) => p.junctions.map((f) => `${f.sourceField ?? ''} → ${(f.ownerColumn === 'A' ? f.junction.a : f.junction.b).field} (owner in ${f.ownerColumn})`));
    } finally {
      await source.close();
    }
  }

  test('each array fills the side its name says, not both the first', async () => {
    expect(await fills(['User.followingIDs', 'User.followerIDs'])).toEqual(['followingIDs → following (owner in B)', 'followerIDs → followers (owner in A)']);
  });

  test('an array whose name says neither list is refused with the fix', async () => {
    await expect(fills(['User.friends'])).rejects.toThrow(
      "config junctions.UserFollows.from: 'User.friends': User is on both sides of UserFollows, so the array's name must say which list it fills (followers or following, e.g. followersIDs); rename the list field or the array",
    );
  });
});
