import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { draftFromPrismaMongo } from '../../src/init/from-prisma-mongo.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { buildModelGraph } from '../../src/schema/model-graph.ts';
import { tempFile } from '../support/write-dump.ts';

// The conversion's less common cases, in-process: a Prisma 6 datasource with env() URLs, ids
// that are not ObjectIds, a relation to a unique field, native types without a PostgreSQL
// meaning, arrays of ids no name explains, a self many-to-many whose array names the wrong list.

const SCHEMA = `
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider  = "mongodb"
  url       = env("DATABASE_URL")
  directUrl = env("DIRECT_URL")
}

type Settings {
  theme String
  tags  String[]
}

/// Accounts keep the number of the old system as _id.
model Account {
  id       Int       @id @map("_id")
  email    String    @unique
  seq      Int       @db.Long
  syncedAt DateTime? @db.Timestamp
  friends  String[]  @db.ObjectId
  settings Settings?
  notes    Note[]    @relation("NoteAccount")
  authored Note[]    @relation("NoteAuthor")

  @@index([settings.theme])
  @@map("accounts")
}

model Note {
  id          String  @id @default(auto()) @map("_id") @db.ObjectId
  accountId   Int
  account     Account @relation("NoteAccount", fields: [accountId], references: [id])
  authorEmail String
  author      Account @relation("NoteAuthor", fields: [authorEmail], references: [email])
  reviewerId  String? @db.ObjectId
}

model Person {
  id        String   @id @default(auto()) @map("_id") @db.ObjectId
  idolIDs   String[] @db.ObjectId
  idols     Person[] @relation("Fans", fields: [idolIDs], references: [id])
  likedByIDs String[] @db.ObjectId
  fans      Person[] @relation("Fans", fields: [likedByIDs], references: [id])
}
`;

async function convert(compositeTypes: 'json' | 'models') {
  const file = tempFile('legacy.prisma', SCHEMA);
  const draft = await draftFromPrismaMongo(file, { dir: 'out', schemaPath: join('out', 'schema.prisma'), configPath: join('out', 'migration.yaml') }, { compositeTypes });
  return { draft, graph: buildModelGraph(readDmmf(draft.schema)), config: parse(draft.config) as Record<string, unknown>, conversion: draft.files['conversion.md'] ?? '' };
}

describe('a Prisma 6 schema with the less common shapes', () => {
  test('the env() URLs are taken out (Prisma 7 refuses them) and the config says where the URL was', async () => {
    const { config, draft, conversion } = await convert('json');
    expect(config['source']).toEqual({ kind: 'mongodb', url: 'mongodb://localhost:27017' });
    expect(draft.config).toContain('# the schema read its URL from env("DATABASE_URL"): give that URL as MONGO_URL');
    expect(conversion).toContain('- `datasource url` → not carried');
    expect(conversion).toContain('- `datasource directUrl` → not carried');
    expect(conversion).toContain('the schema names no database');
  });

  test('ids that are not ObjectIds, and their foreign keys, are UUIDs (v5); a relation to a unique field keeps its values and is a TODO', async () => {
    const { graph, draft, conversion } = await convert('json');
    expect(graph.models.get('Account')?.id).toMatchObject({ field: 'id', type: 'String', native: { name: 'Uuid' } });
    const note = graph.models.get('Note');
    expect(note?.columns.find((c) => c.field === 'accountId')).toMatchObject({ type: 'String', native: { name: 'Uuid' }, references: { model: 'Account' } });
    expect(note?.columns.find((c) => c.field === 'authorEmail')).toMatchObject({ type: 'String', references: { model: 'Account' } });
    expect(note?.columns.find((c) => c.field === 'authorEmail')?.native).toBeUndefined();
    expect(draft.schema).toMatch(/author\s+Account @relation\("NoteAuthor", fields: \[authorEmail\], references: \[email\]\)/);
    expect(conversion).toContain('- `Account.id` → `String @id @db.Uuid`: the source `_id` is an Int, not an ObjectId: it becomes the UUIDv5');
    // The run would turn the email into a UUID: said, not left to happen.
    expect(conversion).toContain('- **TODO** `Note.authorEmail` → `String`: the foreign key of `author` references Account.email, not its id: kept with its values, but the run turns every foreign key into the UUID');
  });

  test('native types: Long on an Int is noted, a BSON Timestamp is a TODO in both files', async () => {
    const { draft, conversion } = await convert('json');
    expect(conversion).toContain('- `Account.seq @db.Long` → `Int`: stored as 64-bit in MongoDB');
    expect(conversion).toMatch(/- \*\*TODO\*\* `Account.syncedAt` → `DateTime\? @db.Timestamptz\(3\)`: @db.Timestamp is a BSON Timestamp/);
    expect(draft.config).toMatch(/#   - Account.syncedAt: @db.Timestamp is a BSON Timestamp/);
  });

  test('an id column whose name says no model of the schema is a TODO entry, left to the ObjectIds', async () => {
    const { config, draft, conversion } = await convert('json');
    expect(config['references']).toEqual({ 'Note.reviewerId': {} });
    expect(draft.config).toMatch(/# TODO: whose ids\? .*\n {2}Note\.reviewerId: \{\}/);
    expect(conversion).toContain('- **TODO** `references.Note.reviewerId` → an entry without a model in migration.yaml');
  });

  test('an array of ObjectIds no relation and no model name explains stays hex text', async () => {
    const { graph, conversion } = await convert('json');
    expect(graph.models.get('Account')?.columns.find((c) => c.field === 'friends')).toMatchObject({ type: 'String', isList: true });
    expect(graph.models.get('Account')?.columns.find((c) => c.field === 'friends')?.native).toBeUndefined();
    expect(conversion).toContain('- `Account.friends` → `String[]`: an array of ObjectIds that no relation reads: kept as their hex text');
  });

  test('a self many-to-many whose array does not name its list is a TODO, not a silent reversal', async () => {
    const { config, conversion } = await convert('json');
    expect(config['junctions']).toEqual({ Fans: { from: ['Person.idolIDs', 'Person.likedByIDs'] } });
    expect(conversion).toMatch(/- \*\*TODO\*\* `junctions.Fans: Person.likedByIDs` → fills `fans`: a self many-to-many: the run tells which list an array fills by its name/);
    expect(conversion).not.toContain('junctions.Fans: Person.idolIDs');
  });

  test('an index on a composite path: dropped with Json, moved to the child model with models', async () => {
    const json = await convert('json');
    expect(json.conversion).toContain('- `@@index([settings.theme])` → dropped: settings is a Json column now');
    const models = await convert('models');
    expect(models.draft.schema).toMatch(/model AccountSettings \{[^}]*accountId\s+String\s+@unique @db.Uuid[^}]*@@index\(\[theme\]\)/s);
    expect(models.config['models']).toEqual({ AccountSettings: { embeddedIn: 'Account.settings' } });
  });
});
