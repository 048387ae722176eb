import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { renderDdl, splitDdl, type SchemaDdl } from '../../src/schema/ddl.ts';

const modelTables = [
  'users', 'profiles', 'addresses', 'categories', 'tags', 'products', 'orders',
  'order_lines', 'payments', 'reviews', 'posts', 'comments', 'audit_logs',
];
const junctionTables = ['_PostToTag', '_ProductToTag'];

describe('renderDdl on the sample schema (offline)', () => {
  let ddl: SchemaDdl;
  beforeAll(async () => {
    ddl = await renderDdl(readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8'));
  });

  test('creates every model table and both junction tables, each once', () => {
    const created = ddl.tables.map((sql) => /^CREATE TABLE "([^"]+)"/.exec(sql)?.[1]).filter((t) => t !== undefined);
    expect(created.sort()).toEqual([...modelTables, ...junctionTables].sort());
  });

  test('the enums are created with the tables', () => {
    const types = ddl.tables.filter((sql) => sql.startsWith('CREATE TYPE')).map((sql) => /"(\w+)"/.exec(sql)?.[1]);
    expect(types.sort()).toEqual(['OrderStatus', 'PaymentMethod', 'Role']);
  });

  test('no index or foreign key hides among the tables', () => {
    for (const sql of ddl.tables) expect(sql).not.toMatch(/^(CREATE (UNIQUE )?INDEX|ALTER TABLE)/);
  });

  test('unique indexes hold only CREATE UNIQUE INDEX, one per @unique and @@unique', () => {
    for (const sql of ddl.uniqueIndexes) expect(sql).toMatch(/^CREATE UNIQUE INDEX /);
    expect(ddl.uniqueIndexes).toHaveLength(12);
    expect(ddl.uniqueIndexes.join('\n')).toContain('"reviews"("productId", "userId")');
  });

  test('plain indexes hold only non-unique ones: @@index and the junctions` B column', () => {
    for (const sql of ddl.indexes) expect(sql).toMatch(/^CREATE INDEX /);
    expect(ddl.indexes).toHaveLength(6);
    expect(ddl.indexes.join('\n')).toContain('"_PostToTag"("B")');
  });

  test('foreign keys are parsed into table and constraint', () => {
    // 16 relation fields plus A and B of each junction.
    expect(ddl.foreignKeys).toHaveLength(20);
    for (const fk of ddl.foreignKeys) {
      expect([...modelTables, ...junctionTables]).toContain(fk.table);
      expect(fk.sql.startsWith(`ALTER TABLE "${fk.table}" ADD CONSTRAINT "${fk.constraint}" FOREIGN KEY`)).toBe(true);
    }
    expect(ddl.foreignKeys).toContainEqual(expect.objectContaining({ table: 'order_lines', constraint: 'order_lines_productId_fkey' }));
    expect(ddl.foreignKeys).toContainEqual(expect.objectContaining({ table: '_ProductToTag', constraint: '_ProductToTag_B_fkey' }));
  });
});

describe('splitDdl', () => {
  const script = [
    '-- CreateEnum',
    `CREATE TYPE "Mood" AS ENUM ('HAPPY', 'SAD');`,
    '',
    '-- CreateTable',
    'CREATE TABLE "t" (',
    '    "id" TEXT NOT NULL,',
    '    "u" TEXT NOT NULL,',
    '    -- inline comment, not a section',
    '    CONSTRAINT "t_pkey" PRIMARY KEY ("id")',
    ');',
    '',
    '-- CreateIndex',
    'CREATE UNIQUE INDEX "t_u_key" ON "t"("u");',
    '',
    '-- CreateIndex',
    'CREATE INDEX "t_id_u_idx" ON "t"("id", "u");',
    '',
    '-- AddForeignKey',
    'ALTER TABLE "t" ADD CONSTRAINT "t_u_fkey" FOREIGN KEY ("u") REFERENCES "v"("id") ON DELETE RESTRICT ON UPDATE CASCADE;',
    '',
  ].join('\n');

  test('sorts each statement into its list and keeps the script', () => {
    const ddl = splitDdl(script);
    expect(ddl.script).toBe(script);
    expect(ddl.tables).toHaveLength(2);
    expect(ddl.tables[0]).toBe(`CREATE TYPE "Mood" AS ENUM ('HAPPY', 'SAD');`);
    expect(ddl.tables[1]).toMatch(/^CREATE TABLE "t" \([\s\S]*inline comment[\s\S]*\);$/);
    expect(ddl.uniqueIndexes).toEqual(['CREATE UNIQUE INDEX "t_u_key" ON "t"("u");']);
    expect(ddl.indexes).toEqual(['CREATE INDEX "t_id_u_idx" ON "t"("id", "u");']);
    expect(ddl.foreignKeys).toEqual([
      { table: 't', constraint: 't_u_fkey', sql: 'ALTER TABLE "t" ADD CONSTRAINT "t_u_fkey" FOREIGN KEY ("u") REFERENCES "v"("id") ON DELETE RESTRICT ON UPDATE CASCADE;' },
    ]);
  });

  test('an empty script gives empty lists', () => {
    expect(splitDdl('')).toEqual({ script: '', tables: [], uniqueIndexes: [], indexes: [], foreignKeys: [] });
    expect(splitDdl('-- This is an empty migration.').tables).toEqual([]);
  });

  test('a foreign key it cannot read is an error, not a silent skip', () => {
    expect(() => splitDdl('-- AddForeignKey\nALTER TABLE t ADD CONSTRAINT c FOREIGN KEY (x) REFERENCES u(id);')).toThrow(/cannot read foreign key/);
  });
});
