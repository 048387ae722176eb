import type pg from 'pg';
import type { SchemaDdl } from '../schema/ddl.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import { expectedPgType } from '../schema/pg-types.ts';
import { quoteIdent } from './identifiers.ts';
import { withTransaction } from './transaction.ts';

export type SchemaOrigin = 'created' | 'existing';

/**
 * Brings the target to "tables ready for COPY":
 *  - no table of the schema exists: run Prisma's DDL for enums and tables (with primary
 *    keys) and its unique indexes, which are what reject a duplicate during the load;
 *  - every table exists (created by an earlier run, or by the user's `prisma migrate`):
 *    check columns and types against the schema (holdBackForeignKeys then lifts the foreign
 *    keys of a run that still loads; completeLoad adds them back after the orphan sweep);
 *  - some exist: refuse, naming them.
 */
export async function prepareTargetSchema(pool: pg.Pool, graph: ModelGraph, ddl: SchemaDdl, schemaFile: string): Promise<SchemaOrigin> {
  const tables = [...[...graph.models.values()].map((m) => m.table), ...graph.junctions.map((j) => j.table)];
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)`,
    [tables],
  );
  const present = new Set(rows.map((r) => r.table_name));
  if (present.size === 0) {
    await withTransaction(pool, async (client) => {
      for (const sql of [...ddl.tables, ...ddl.uniqueIndexes]) await client.query(sql);
      await client.query(`INSERT INTO _migration.loaded_tables (table_name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [tables]);
    });
    return 'created';
  }
  const missing = tables.filter((t) => !present.has(t));
  if (missing.length > 0) {
    throw new Error(`the target has some of the schema's tables but not ${missing.join(', ')}; use an empty database or apply the whole schema first`);
  }
  const problems = await compareColumns(pool, graph);
  if (problems.length > 0) throw new Error(`the target's tables do not match ${schemaFile}:\n  ${problems.join('\n  ')}`);
  await pool.query(`INSERT INTO _migration.loaded_tables (table_name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [tables]);
  return 'existing';
}

/** Column names, types and nullability of every model table, against the schema. */
export async function compareColumns(pool: pg.Pool, graph: ModelGraph): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string; column_name: string; type: string; not_null: boolean }>(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind = 'r'`,
  );
  const actual = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
  const problems: string[] = [];
  for (const model of graph.models.values()) {
    for (const column of model.columns) {
      const key = `${model.table}.${column.column}`;
      const found = actual.get(key);
      const expected = expectedPgType(column);
      if (!found) problems.push(`${key}: missing (expected ${expected})`);
      else if (found.type !== expected) problems.push(`${key}: type is ${found.type}, the schema says ${expected}`);
      // Prisma creates list columns without NOT NULL whatever the field says; a team's own migration may add it.
      else if (!column.isList && found.not_null !== column.required) problems.push(`${key}: ${found.not_null ? 'NOT NULL' : 'nullable'}, the schema says ${column.required ? 'NOT NULL' : 'nullable'}`);
    }
  }
  return problems;
}

/** Drops the schema's foreign keys for the load, so it does not depend on order (a no-op if absent). */
export async function holdBackForeignKeys(pool: pg.Pool, ddl: SchemaDdl): Promise<void> {
  for (const fk of ddl.foreignKeys) {
    await pool.query(`ALTER TABLE ${quoteIdent(fk.table)} DROP CONSTRAINT IF EXISTS ${quoteIdent(fk.constraint)}`);
  }
}
