import { describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import type { ModelPlan } from '../../src/plan/plan.ts';
import { readDmmf } from '../../src/schema/dmmf.ts';
import { buildModelGraph } from '../../src/schema/model-graph.ts';
import { readSqliteSchema } from '../../src/sources/sqlite/sqlite-schema.ts';
import { unsweptForeignKeyTables } from '../../src/sources/sqlite/unswept-foreign-keys.ts';
import { defaultTransformer } from '../../src/transform/default-transformer.ts';

/**
 * Issue 11, item 5: SQLite's foreign_key_check is skipped only for the keys the target's sweep
 * checks itself. Schema mode: a SQLite key is swept when the model reading its table has a
 * one-column relation from the field read from that column to the model reading the parent.
 */
const sqlite = new Database(':memory:');
sqlite.exec(`
  CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
  CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES users (id), editor_id INTEGER REFERENCES users (id));
  CREATE TABLE lines (order_no INTEGER, line_no INTEGER, PRIMARY KEY (order_no, line_no));
  CREATE TABLE shipments (id INTEGER PRIMARY KEY, order_no INTEGER, line_no INTEGER, FOREIGN KEY (order_no, line_no) REFERENCES lines (order_no, line_no));
`);
const { tables } = readSqliteSchema(sqlite);
const graph = buildModelGraph(
  readDmmf(`datasource db {
  provider = "postgresql"
}

model User {
  id    String  @id @db.Uuid
  name  String?
  posts Post[]  @relation("author")
  edits Post[]  @relation("editor")
}

model Post {
  id       String  @id @db.Uuid
  authorId String? @db.Uuid
  editorId String? @db.Uuid
  author   User?   @relation("author", fields: [authorId], references: [id])
  editor   User?   @relation("editor", fields: [editorId], references: [id])
}

model Line {
  orderNo Int
  lineNo  Int

  @@id([orderNo, lineNo])
}

model Shipment {
  id      String @id @db.Uuid
  orderNo Int?
  lineNo  Int?
}
`),
);
const plan = (model: string, collection: string, custom = false): ModelPlan => ({ model, collection, transformer: defaultTransformer(model), custom, derived: [], embedded: [], junctions: [] });
const plans = [plan('User', 'users'), plan('Post', 'posts'), plan('Line', 'lines'), plan('Shipment', 'shipments')];

describe('which SQLite tables only foreign_key_check can vouch for', () => {
  test('every key of posts is a relation of the field read from its column: swept; the composite key is not', () => {
    const renames = (p: ModelPlan): Record<string, string> => (p.model === 'Post' ? { authorId: 'author_id', editorId: 'editor_id' } : {});
    expect(unsweptForeignKeyTables(tables, plans, graph, renames)).toEqual(['shipments']);
  });

  test('a column read by no relation field (editor_id read as nothing): posts is checked by SQLite', () => {
    const renames = (p: ModelPlan): Record<string, string> => (p.model === 'Post' ? { authorId: 'author_id' } : {});
    expect(unsweptForeignKeyTables(tables, plans, graph, renames)).toEqual(['posts', 'shipments']);
  });

  test('a hand-written transformer may fill the column from anything: its table is checked by SQLite', () => {
    const renames = (p: ModelPlan): Record<string, string> => (p.model === 'Post' ? { authorId: 'author_id', editorId: 'editor_id' } : {});
    const custom = plans.map((p) => (p.model === 'Post' ? plan('Post', 'posts', true) : p));
    expect(unsweptForeignKeyTables(tables, custom, graph, renames)).toEqual(['posts', 'shipments']);
  });

  test('a parent table no model reads: its children are checked by SQLite; a table not copied is not', () => {
    const renames = (p: ModelPlan): Record<string, string> => (p.model === 'Post' ? { authorId: 'author_id', editorId: 'editor_id' } : {});
    const withoutUsers = plans.filter((p) => p.model !== 'User');
    expect(unsweptForeignKeyTables(tables, withoutUsers, graph, renames)).toEqual(['posts', 'shipments']);
    expect(unsweptForeignKeyTables(tables, plans.filter((p) => p.model !== 'Shipment'), graph, renames)).toEqual([]);
  });
});
