import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from '@jest/globals';
import { ConfigError } from '../../src/config/config-error.ts';
import { ddlCacheKey, renderDdl } from '../../src/schema/ddl.ts';
import { dmmfCacheKey, readDmmf } from '../../src/schema/dmmf.ts';
import { ENGINE_CACHE_DIR, engineCacheKey } from '../../src/schema/engine-cache.ts';

// Each test uses a schema of its own (a unique comment), so its cache entries are its own, and
// removes them afterwards.
const SAMPLE = readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
const made: string[] = [];
const entry = (key: string) => {
  const file = join(ENGINE_CACHE_DIR, key);
  made.push(file);
  return file;
};
const uniqueSchema = () => `// engine-cache test ${randomUUID()}\n${SAMPLE}`;
afterEach(() => {
  for (const file of made.splice(0)) rmSync(file, { force: true });
});

describe('the DDL is rendered once per schema', () => {
  test('the first render keeps the script; the second, read back, is the same DDL', async () => {
    const schema = uniqueSchema();
    const file = entry(ddlCacheKey(schema));
    expect(existsSync(file)).toBe(false);
    const first = await renderDdl(schema);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ script: first.script });
    expect(await renderDdl(schema)).toEqual(first);
    expect(first.tables.some((sql) => sql.startsWith('CREATE TABLE "users"'))).toBe(true);
  });

  test('a kept script is what renderDdl returns (the engine is not asked again)', async () => {
    const schema = uniqueSchema();
    writeFileSync(entry(ddlCacheKey(schema)), JSON.stringify({ script: '-- CreateTable\nCREATE TABLE "kept" ("id" TEXT);' }));
    const ddl = await renderDdl(schema);
    expect(ddl.tables).toEqual(['CREATE TABLE "kept" ("id" TEXT);']);
  });

  test('a damaged entry is rendered again and replaced', async () => {
    const schema = uniqueSchema();
    const file = entry(ddlCacheKey(schema));
    writeFileSync(file, '{"scr');
    const ddl = await renderDdl(schema);
    expect(ddl.tables.length).toBeGreaterThan(10);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ script: ddl.script });
  });

  test('the key is the engine, its version and the whole request', () => {
    const schema = uniqueSchema();
    expect(ddlCacheKey(schema)).toBe(ddlCacheKey(schema));
    expect(ddlCacheKey(schema)).not.toBe(ddlCacheKey(`${schema}\n`));
    expect(ddlCacheKey(schema)).toMatch(/^ddl-[0-9a-f]{64}\.json$/);
    expect(engineCacheKey('ddl', '@prisma/schema-engine-wasm', ['a', 'b'])).not.toBe(engineCacheKey('ddl', '@prisma/schema-engine-wasm', ['ab']));
    expect(engineCacheKey('dmmf', '@prisma/prisma-schema-wasm', ['a'])).not.toBe(engineCacheKey('dmmf', '@prisma/schema-engine-wasm', ['a']));
  });
});

describe('the DMMF is read once per schema', () => {
  test('the part the migrator reads is kept, and read back equal', () => {
    const schema = uniqueSchema();
    const file = entry(dmmfCacheKey(schema));
    const first = readDmmf(schema);
    expect(existsSync(file)).toBe(true);
    expect(readDmmf(schema)).toStrictEqual(first);
    expect(first.datamodel.models.map((m) => m.name)).toContain('User');
  });

  test('a kept DMMF is what readDmmf returns; one that is not a DMMF is read afresh', () => {
    const schema = uniqueSchema();
    const file = entry(dmmfCacheKey(schema));
    writeFileSync(file, JSON.stringify({ datamodel: { models: [], enums: [] } }));
    expect(readDmmf(schema).datamodel.models).toEqual([]);
    writeFileSync(file, JSON.stringify({ datamodel: { models: 'no' } }));
    expect(readDmmf(schema).datamodel.models.length).toBeGreaterThan(10);
  });

  test('an invalid schema is refused every time and nothing is kept for it', () => {
    const schema = `// ${randomUUID()}\nmodel Broken {\n  id String @id\n  other Nope\n}\n`;
    for (let i = 0; i < 2; i++) expect(() => readDmmf(schema, 'broken.prisma')).toThrow(ConfigError);
    expect(existsSync(entry(dmmfCacheKey(schema, 'broken.prisma')))).toBe(false);
  });
});
