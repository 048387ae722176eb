import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '../../src/config/config-error.ts';
import type { MigrationConfig } from '../../src/config/config-schema.ts';
import { describeEmbedded } from '../../src/plan/describe-embedded.ts';
import { planEmbedded } from '../../src/plan/embedded.ts';
import { planMigration } from '../../src/plan/plan.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { buildModelGraph } from '../../src/schema/model-graph.ts';
import type { Transformer } from '../../src/transform/types.ts';

// models.<Child>.embeddedIn, read against the schema before anything is touched (plan/embedded.ts).

const graph = buildModelGraph(
  readDmmf(`
datasource db {
  provider = "postgresql"
}
model User {
  id        String    @id @db.Uuid
  name      String
  addresses Address[]
  profile   Profile?
  notes     Note[]
  tags      Tag[]
  pins      Pin[]     @relation("pinned")
  pins2     Pin[]     @relation("pinned2")
  @@map("users")
}
model Address {
  id       String @id @db.Uuid
  userId   String @db.Uuid
  user     User   @relation(fields: [userId], references: [id])
  position Int
  street   String
  @@map("addresses")
}
model Profile {
  userId String  @id @db.Uuid
  user   User    @relation(fields: [userId], references: [id])
  bio    String?
  @@map("profiles")
}
model Note {
  id     Int     @id @default(autoincrement())
  userId String  @db.Uuid
  user   User    @relation(fields: [userId], references: [id])
  @@map("notes")
}
model Tag {
  id     String  @id @db.Uuid
  userId String? @db.Uuid
  user   User?   @relation(fields: [userId], references: [id])
  @@map("tags")
}
model Pin {
  id      String @id @db.Uuid
  userId  String @db.Uuid
  user    User   @relation("pinned", fields: [userId], references: [id])
  user2Id String @db.Uuid
  user2   User   @relation("pinned2", fields: [user2Id], references: [id])
  @@map("pins")
}
model Loose {
  id   String @id @db.Uuid
  text String
  @@map("loose")
}
model Line {
  orderId  String @db.Uuid
  order    Order  @relation(fields: [orderId], references: [id])
  ordinal  Int
  quantity Int
  @@id([orderId, ordinal])
  @@map("lines")
}
model Order {
  id    String @id @db.Uuid
  lines Line[]
  @@map("orders")
}
`),
);

type Models = MigrationConfig['models'];
const mongo = { sourceKind: 'mongodump' };

function problem(models: Models, transformers: Transformer[] = [], context: Parameters<typeof planEmbedded>[3] = mongo): string {
  try {
    planEmbedded(graph, models, transformers, context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('no ConfigError');
}

describe('a child that fits', () => {
  test('an array of sub-documents: its owner field, its id derived, its position column', () => {
    expect(planEmbedded(graph, { Address: { embeddedIn: 'User.addresses' } }, [], mongo)).toEqual([
      { model: 'Address', parent: 'User', path: 'addresses', ownerField: 'userId', positionField: 'position', idField: 'id', oneToOne: false },
    ]);
  });

  test('keyed by its owner: one row per parent, no derived id; a composite key is read (ordinal as the position)', () => {
    const [profile, line] = planEmbedded(graph, { Profile: { embeddedIn: 'User.profile' }, Line: { embeddedIn: 'Order.lines' } }, [], mongo);
    expect(profile).toEqual({ model: 'Profile', parent: 'User', path: 'profile', ownerField: 'userId', oneToOne: true });
    expect(line).toEqual({ model: 'Line', parent: 'Order', path: 'lines', ownerField: 'orderId', positionField: 'ordinal', oneToOne: false });
  });

  test('a dotted path reaches a sub-document inside a sub-document', () => {
    expect(planEmbedded(graph, { Address: { embeddedIn: 'User.profile.addresses' } }, [], mongo)[0]?.path).toBe('profile.addresses');
  });

  test('the plan: the child hangs off its parent as derived rows, is not planned on its own (a collection named like it stays unread), and is described', () => {
    const embedded = planEmbedded(graph, { Address: { embeddedIn: 'User.addresses' } }, [], mongo);
    const plan = planMigration({ graph, collections: ['users', 'addresses'], transformers: [], embedded });
    const [user] = plan.phases.flat();
    expect(plan.phases.flat().map((p) => p.model)).toEqual(['User']);
    expect(user?.derived).toEqual([{ model: 'Address', ownerField: 'userId' }]);
    expect(user?.transformer.derives).toEqual({ Address: 'userId' });
    expect(user?.custom).toBe(false);
    expect(plan.unmapped).toEqual(['addresses']);
    expect(describeEmbedded(plan)).toEqual(['Address ← User.addresses (embedded, 1 row per element, position in Address.position)']);
  });
});

describe('refused with the key and the reason', () => {
  test.each([
    [{ Nope: { embeddedIn: 'User.addresses' } }, 'models.Nope.embeddedIn (User.addresses): the Prisma schema has no model Nope'],
    [{ Address: { embeddedIn: 'Usr.addresses' } }, 'models.Address.embeddedIn (Usr.addresses): the Prisma schema has no model Usr'],
    [{ Address: { embeddedIn: 'Address.self' } }, 'a model cannot be embedded in itself'],
    [{ Loose: { embeddedIn: 'User.loose' } }, 'Loose has no relation to User, but an embedded row points at its owner: add `userId String @db.Uuid`'],
    [{ Tag: { embeddedIn: 'User.tags' } }, 'Tag.user → User is optional, but an embedded row always has its owner: make userId required'],
    [{ Pin: { embeddedIn: 'User.pins' } }, 'Pin has 2 required relations to User (user, user2), so which one is the owner cannot be told'],
    [{ Note: { embeddedIn: 'User.notes' } }, "Note.id is Int, but an embedded row's id is a UUID made from its owner and position: make it String @db.Uuid, or key the model with @@id([userId, position])"],
    [{ Address: { embeddedIn: 'User.addresses', collection: 'addresses' } }, "models.Address.collection is set too: a model's rows come from its own collection or from its parent's documents, not both"],
    [{ Address: { embeddedIn: 'Profile.addresses' }, Profile: { embeddedIn: 'User.profile' } }, 'Profile is itself embedded (in User.profile)'],
  ] as [Models, string][])('%j', (models, message) => {
    expect(problem(models)).toContain(message);
  });

  test('a parent with a hand-written transformer: that transformer decides', () => {
    const user: Transformer = { model: 'User', transform: () => ({ rows: {} }) };
    expect(problem({ Address: { embeddedIn: 'User.addresses' } }, [user], { ...mongo, transformersFile: 'transformers/index.ts' })).toBe(
      "models.Address.embeddedIn (User.addresses): User has a hand-written transformer in transformers/index.ts, and that transformer decides which rows its documents make: derive Address there (derives: { Address: '…' }), or remove it so the default transformer reads addresses",
    );
  });

  test('a child a hand-written transformer already derives, or one with a transformer of its own', () => {
    const order: Transformer = { model: 'Order', derives: { Address: 'userId' }, transform: () => ({ rows: {} }) };
    expect(problem({ Address: { embeddedIn: 'User.addresses' } }, [order])).toContain('the transformer for Order in the transformers module already derives Address');
    const address: Transformer = { model: 'Address', transform: () => ({ rows: {} }) };
    expect(problem({ Address: { embeddedIn: 'User.addresses' } }, [address])).toContain('Address has a hand-written transformer in the transformers module');
  });

  test('a SQLite source has no sub-documents', () => {
    expect(problem({ Address: { embeddedIn: 'User.addresses' } }, [], { sourceKind: 'sqlite' })).toContain('a SQLite source has no embedded documents');
  });

  test('every problem at once, one line each', () => {
    expect(problem({ Nope: { embeddedIn: 'User.a' }, Loose: { embeddedIn: 'User.b' } }).split('\n')).toHaveLength(2);
  });
});
