import { describe, expect, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { readSqliteObjects } from '../../src/sources/sqlite/sqlite-objects.ts';
import { readSqliteSchema } from '../../src/sources/sqlite/sqlite-schema.ts';
import { sqliteSchemaObjects } from '../../src/sources/sqlite/translate-objects.ts';

/** SQLite's own SQL for views, indexes, generated columns and CHECKs, made into PostgreSQL statements. */
describe('translating SQLite schema objects', () => {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE "my ""t""" (id INTEGER PRIMARY KEY, a INTEGER, b TEXT COLLATE NOCASE, "c d" REAL CHECK ("c d" > 0),
      s TEXT AS (upper(b)), CONSTRAINT [pos a] CHECK (a >= 0), UNIQUE (b));
    CREATE INDEX ix_sum ON "my ""t""" (a + 1 DESC, "c d", lower(b)) WHERE a IS NOT NULL AND b <> 'x,(y';
    CREATE INDEX ix_plain ON "my ""t""" (a);
    CREATE VIEW IF NOT EXISTS main.v (x, "y z") AS SELECT a, b FROM "my ""t""" WHERE b LIKE '%AS%';
  `);
  const { tables } = readSqliteSchema(db);
  const objects = readSqliteObjects(db);
  const translated = sqliteSchemaObjects(tables, objects, { table: (t) => (t === 'my "t"' ? 'my_t' : undefined), column: (_t, c) => (c === 'c d' ? 'c_d' : c) }, []);
  const create = (kind: string) => translated.filter((o) => o.kind === kind).map((o) => o.create);

  test('a plain index stays with the Prisma schema; an expression index with a WHERE and a NOCASE unique constraint are translated, expressions in parentheses', () => {
    expect(translated.filter((o) => o.kind === 'index').map((o) => [o.name, o.create])).toEqual([
      ['ix_plain', undefined],
      ['my "t"_b_key', 'CREATE UNIQUE INDEX "my_t_b_key" ON "my_t" ((lower("b")))'],
      ['ix_sum', `CREATE INDEX "ix_sum" ON "my_t" ((a + 1) DESC, "c_d", (lower(b))) WHERE a IS NOT NULL AND b <> 'x,(y'`],
    ]);
  });

  test('generated column, named and unnamed CHECKs, and a view with a column list and a schema prefix', () => {
    expect(create('generated-column')).toEqual(['ALTER TABLE "my_t" ADD COLUMN "s" text GENERATED ALWAYS AS (upper(b)) STORED']);
    expect(create('check')).toEqual(['ALTER TABLE "my_t" ADD CONSTRAINT "my_t_check" CHECK ("c d" > 0)', 'ALTER TABLE "my_t" ADD CONSTRAINT "pos a" CHECK (a >= 0)']);
    expect(create('view')).toEqual([`CREATE VIEW "v" ("x", "y z") AS SELECT a, b FROM "my ""t""" WHERE b LIKE '%AS%'`]);
  });
});
