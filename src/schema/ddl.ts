import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { DiffParams } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { engineCacheKey, readCached, writeCached } from './engine-cache.ts';
import { ddlRenderingAdapter } from './offline-adapter.ts';

type EngineGlue = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

/** Prisma's DDL for the schema, split in the order the migrator runs it. */
export interface SchemaDdl {
  /** The whole script as Prisma wrote it, for --dry-run and for users who diff it. */
  script: string;
  /** Schema, enums and tables with primary keys: run before the load. */
  tables: string[];
  /** Unique indexes: run before the load, because they are what rejects a duplicate row. */
  uniqueIndexes: string[];
  /** Plain indexes: built after the load, once, instead of maintained per row. */
  indexes: string[];
  /** Foreign keys: added after the load, once orphans are out (see load/complete.ts). */
  foreignKeys: ForeignKeyDdl[];
}

export interface ForeignKeyDdl {
  sql: string;
  table: string;
  constraint: string;
}

/** The one WebAssembly call used here; Node has it, but @types/node does not declare it. */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let enginePromise: Promise<EngineGlue> | undefined;

/**
 * The package's entry point imports its .wasm as an ES module, which Node cannot do, so the
 * bytes are instantiated here against the package's own JS glue. Imported on first use only: a
 * schema whose DDL is cached never loads the engine.
 */
function loadSchemaEngine(): Promise<EngineGlue> {
  enginePromise ??= (async () => {
    const engineGlue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('@prisma/schema-engine-wasm').replace(/schema_engine\.js$/, 'schema_engine_bg.wasm');
    const { instance } = await wasmApi.instantiate(readFileSync(wasmPath), { './schema_engine_bg.js': engineGlue });
    engineGlue.__wbg_set_wasm(instance.exports);
    const start = instance.exports['__wbindgen_start'];
    if (typeof start === 'function') start();
    return engineGlue;
  })();
  return enginePromise;
}

/** What the migrator asks the engine besides the schema; part of the cache key. */
const DIFF_OPTIONS: Omit<DiffParams, 'to'> = { from: { tag: 'empty' }, script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] } };

/**
 * Renders Prisma's own migration script from nothing to `prismaSchema`, offline. The script is
 * kept in the engine cache (engine-cache.ts) by the engine's version, these options and the
 * schema text, so a re-run or a resume of the same schema does not load the engine at all.
 */
export async function renderDdl(prismaSchema: string): Promise<SchemaDdl> {
  const key = ddlCacheKey(prismaSchema);
  const cached = readCached(key) as { script?: unknown } | undefined;
  if (typeof cached?.script === 'string') return splitDdl(cached.script);
  const script = await renderScript(prismaSchema);
  writeCached(key, { script });
  return splitDdl(script);
}

/** The engine cache's name for the DDL of `prismaSchema`. */
export function ddlCacheKey(prismaSchema: string): string {
  return engineCacheKey('ddl', '@prisma/schema-engine-wasm', [JSON.stringify(DIFF_OPTIONS), prismaSchema]);
}

async function renderScript(prismaSchema: string): Promise<string> {
  const glue = await loadSchemaEngine();
  const adapter = bindMigrationAwareSqlAdapterFactory(ddlRenderingAdapter());
  const engine = await glue.SchemaEngine.new({ datamodels: [['schema.prisma', prismaSchema]] }, () => {}, adapter);
  try {
    const result = await engine.diff({ ...DIFF_OPTIONS, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: prismaSchema }] } });
    return result.stdout ?? '';
  } finally {
    engine.free();
  }
}

/** Prisma's script is a list of `-- Section` comments, each followed by one statement. */
export function splitDdl(script: string): SchemaDdl {
  const ddl: SchemaDdl = { script, tables: [], uniqueIndexes: [], indexes: [], foreignKeys: [] };
  for (const block of script.split(/\n(?=-- [A-Z])/)) {
    const match = /^-- (\w+)\n([\s\S]*)$/.exec(block.trim());
    if (!match) continue;
    const [, section = '', body = ''] = match;
    const sql = body.trim();
    if (sql === '') continue;
    if (section === 'CreateIndex') {
      (/^CREATE UNIQUE INDEX/.test(sql) ? ddl.uniqueIndexes : ddl.indexes).push(sql);
    } else if (section === 'AddForeignKey') {
      const fk = /^ALTER TABLE "([^"]+)" ADD CONSTRAINT "([^"]+)"/.exec(sql);
      if (!fk?.[1] || !fk[2]) throw new Error(`cannot read foreign key DDL: ${sql}`);
      ddl.foreignKeys.push({ sql, table: fk[1], constraint: fk[2] });
    } else {
      ddl.tables.push(sql);
    }
  }
  return ddl;
}
