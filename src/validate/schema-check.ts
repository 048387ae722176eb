import type pg from 'pg';
import type { SchemaDdl } from '../schema/ddl.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { Findings } from './findings.ts';

interface Shape {
  columns: Map<string, string>;
  indexes: Map<string, string>;
  constraints: Map<string, string>;
}

/**
 * Compares the target's tables with what Prisma's own DDL creates. The DDL runs in a scratch
 * schema inside a transaction that is rolled back, and both schemas are read from the
 * catalogs: columns (type, NOT NULL, default), indexes and constraints, with schema names
 * taken out of their definitions so the two compare. `extras` (`table.column`, `table: name`) are
 * objects made after the load on purpose, not differences.
 */
export async function checkSchema(client: pg.PoolClient, ddl: SchemaDdl, tables: readonly string[], findings: Findings, extras: ReadonlySet<string> = new Set()): Promise<void> {
  const { rows: current } = await client.query<{ s: string }>('SELECT current_schema() AS s');
  const actualSchema = current[0]?.s ?? 'public';
  await client.query('BEGIN');
  try {
    await client.query('CREATE SCHEMA validate_expected');
    await client.query('SET LOCAL search_path = validate_expected');
    await client.query(ddl.script.replace(/CREATE SCHEMA IF NOT EXISTS "public";/g, ''));
    const expected = await readShape(client, 'validate_expected', tables);
    const actual = await readShape(client, actualSchema, tables);
    // Objects the run adds beyond Prisma's DDL are the object check's (object-check.ts).
    for (const key of extras) for (const shape of [actual.columns, actual.indexes, actual.constraints]) shape.delete(key);
    compare('column', expected.columns, actual.columns, findings);
    compare('index', expected.indexes, actual.indexes, findings);
    // A foreign key added NOT VALID keeps dangling ids on purpose (references.onMissing: keep): reported, not a difference.
    for (const [key, def] of actual.constraints) {
      if (!def.endsWith(' NOT VALID')) continue;
      findings.warn('schema', key.split(':')[0] ?? key, 'not-valid-foreign-key', `constraint ${key} is NOT VALID: existing rows may point at nothing (onMissing: keep)`, [key]);
      actual.constraints.set(key, def.slice(0, -' NOT VALID'.length));
    }
    compare('constraint', expected.constraints, actual.constraints, findings);
  } finally {
    await client.query('ROLLBACK');
  }
}

async function readShape(client: pg.PoolClient, schema: string, tables: readonly string[]): Promise<Shape> {
  const strip = (text: string) => text.replaceAll(`${quoteIdent(schema)}.`, '').replaceAll(`${schema}.`, '');
  const { rows: cols } = await client.query<{ t: string; c: string; type: string; nn: boolean; def: string | null }>(
    `SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS nn, pg_get_expr(d.adbin, d.adrelid) AS def
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped`,
    [schema, tables],
  );
  const { rows: idx } = await client.query<{ t: string; name: string; def: string }>(
    `SELECT tablename AS t, indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = $1 AND tablename = ANY($2)`,
    [schema, tables],
  );
  const { rows: cons } = await client.query<{ t: string; name: string; def: string }>(
    `SELECT c.relname AS t, k.conname AS name, pg_get_constraintdef(k.oid) AS def
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2)`,
    [schema, tables],
  );
  return {
    columns: new Map(cols.map((r) => [`${r.t}.${r.c}`, `${strip(r.type)}${r.nn ? ' NOT NULL' : ''}${r.def ? ` DEFAULT ${strip(r.def)}` : ''}`])),
    indexes: new Map(idx.map((r) => [`${r.t}: ${r.name}`, strip(r.def).replace(/ ON (ONLY )?\S+ /, ' ON ')])),
    constraints: new Map(cons.map((r) => [`${r.t}: ${r.name}`, strip(r.def)])),
  };
}

function compare(what: string, expected: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>, findings: Findings): void {
  for (const [key, want] of expected) {
    const table = key.split(/[.:]/)[0] ?? key;
    const got = actual.get(key);
    if (got === undefined) findings.add('schema', table, `missing-${what}`, `${what} ${key} is missing (the schema says: ${want})`, key);
    else if (got !== want) findings.add('schema', table, `different-${what}`, `${what} ${key} is ${got}; the schema says ${want}`, key);
  }
  for (const [key, got] of actual) {
    if (!expected.has(key)) findings.add('schema', key.split(/[.:]/)[0] ?? key, `extra-${what}`, `${what} ${key} (${got}) is not in the schema`, key);
  }
}
