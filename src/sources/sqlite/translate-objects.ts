import type { SourceObject } from '../../accounting/schema-objects.ts';
import { quoteIdent } from '../../target/identifiers.ts';
import { typeFor, type TypeRule } from './cast-rules.ts';
import { fitIdentifier } from './fit-name.ts';
import type { SqliteObjects } from './sqlite-objects.ts';
import type { SqliteTable } from './sqlite-schema.ts';
import { leadingIdentifier } from './sql-text.ts';

/** The PostgreSQL names the direct copy gave a SQLite table and its columns (from the Prisma schema it generated). */
export interface TargetNames {
  table(sqliteTable: string): string | undefined;
  column(sqliteTable: string, column: string): string | undefined;
}

export const TRIGGER_REASON = 'SQLite trigger body; recreate it as a PL/pgSQL function';

/**
 * Every schema object of the SQLite file, with how PostgreSQL is to have it. Tables, columns,
 * keys and plain indexes come from the generated Prisma schema (its warnings say which foreign
 * keys it could not carry); views, expression and partial indexes, generated columns and CHECKs
 * get a PostgreSQL statement made from SQLite's own SQL, which STEP 4 runs to find out whether
 * PostgreSQL accepts it; triggers are listed, never guessed at.
 */
export function sqliteSchemaObjects(tables: readonly SqliteTable[], objects: SqliteObjects, names: TargetNames, warnings: readonly string[], typeRules: readonly TypeRule[] = []): SourceObject[] {
  const out: SourceObject[] = [];
  const unnamed = (what: string) => `the generated Prisma schema has no ${what}`;
  // Index names share PostgreSQL's relation namespace with tables and each other.
  const usedRelations = new Set(tables.flatMap((t) => names.table(t.name) ?? []));
  for (const t of tables) {
    const table = names.table(t.name);
    if (!table) {
      out.push({ kind: 'table', name: t.name, probe: { kind: 'none' }, reason: unnamed('model for it') });
      continue;
    }
    out.push({ kind: 'table', name: t.name, probe: { kind: 'table', table } });
    const column = (c: string) => names.column(t.name, c) ?? c;
    for (const c of t.columns) out.push({ kind: 'column', name: `${t.name}.${c.name}`, probe: { kind: 'column', table, column: column(c.name), generated: false } });
    if (t.primaryKey.length > 0) out.push({ kind: 'primary-key', name: `${t.name} (${t.primaryKey.join(', ')})`, probe: { kind: 'primary-key', table } });
    for (const fk of t.foreignKeys) {
      const name = `${t.name} (${fk.columns.join(', ')}) → ${fk.table}`;
      const why = warnings.find((w) => w.startsWith(`${t.name}: foreign key (${fk.columns.join(', ')})`) || (fk.columns.length === 1 && w.startsWith(`${t.name}.${fk.columns[0]}: references`)));
      out.push({ kind: 'foreign-key', name, probe: { kind: 'foreign-key', table, columns: fk.columns.map(column) }, ...(why ? { reason: why.replace(/^[^:]*: /, '') } : {}) });
    }
    for (const i of t.indexes) {
      if (i.origin === 'pk' || i.columns.some((c) => c === '')) continue;
      out.push({ kind: 'index', name: i.name, probe: { kind: 'index', table, columns: i.columns.map(column), unique: i.unique } });
    }
  }
  for (const g of objects.generated) {
    const table = names.table(g.table);
    const name = `${g.table}.${g.column}`;
    const sourceSql = `${g.column} ${g.declared} GENERATED ALWAYS AS (${g.expression}) ${g.stored ? 'STORED' : 'VIRTUAL'}`;
    if (!table) {
      out.push({ kind: 'generated-column', name, sourceSql, probe: { kind: 'none' }, reason: unnamed(`table for ${g.table}`) });
      continue;
    }
    const type = pgTypeOf(typeFor(g.table, g.column, g.declared, typeRules).type);
    out.push({
      kind: 'generated-column',
      name,
      sourceSql,
      probe: { kind: 'column', table, column: g.column, generated: true },
      create: `ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(g.column)} ${type} GENERATED ALWAYS AS (${g.expression}) STORED`,
      schemaKey: `${table}.${g.column}`,
      // PostgreSQL before 18 computes generated columns only when a row is written.
      note: `${g.stored ? '' : 'VIRTUAL in SQLite, '}GENERATED ALWAYS AS (…) STORED, the last column of ${table}; the copy does not write it, PostgreSQL computes it`,
    });
  }
  const checksPerTable = new Map<string, Set<string>>();
  for (const c of objects.checks) {
    const table = names.table(c.table);
    const sourceSql = `CHECK (${c.expression})`;
    const used = checksPerTable.get(c.table) ?? new Set<string>();
    checksPerTable.set(c.table, used);
    const name = fitIdentifier(c.name ?? `${table ?? c.table}_check`, used);
    if (!table) {
      out.push({ kind: 'check', name: `${c.table}: ${name}`, sourceSql, probe: { kind: 'none' }, reason: unnamed(`table for ${c.table}`) });
      continue;
    }
    out.push({
      kind: 'check',
      name: `${c.table}: ${name}`,
      sourceSql,
      probe: { kind: 'constraint', table, name },
      create: `ALTER TABLE ${quoteIdent(table)} ADD CONSTRAINT ${quoteIdent(name)} CHECK (${c.expression})`,
      schemaKey: `${table}: ${name}`,
    });
  }
  for (const i of objects.indexes) {
    const table = names.table(i.table);
    if (!table) {
      out.push({ kind: 'index', name: i.name, sourceSql: i.sql, probe: { kind: 'none' }, reason: unnamed(`table for ${i.table}`) });
      continue;
    }
    // A unique constraint's index is named as Prisma names keys: `<table>_<columns>_key`.
    const name = fitIdentifier(i.constraintColumns ? [table, ...i.constraintColumns.map((c) => names.column(i.table, c) ?? c), 'key'].join('_') : i.name, usedRelations);
    // PostgreSQL wants an expression in its own parentheses; a bare column may stay bare.
    let folded = false;
    const items = i.items.map((item) => {
      const m = /^(.*?)(\s+(?:ASC|DESC))?$/is.exec(item);
      let expr = (m?.[1] ?? item).trim();
      // PostgreSQL has no NOCASE collation; lower() is the usual way to the same rule (see the note).
      const nocase = /^(.*?)\s+COLLATE\s+"?NOCASE"?$/is.exec(expr);
      if (nocase) {
        folded = true;
        expr = `lower(${nocase[1] ?? ''})`;
      }
      const id = leadingIdentifier(expr);
      return `${id && id.rest.trim() === '' ? quoteIdent(names.column(i.table, id.name) ?? id.name) : `(${expr})`}${m?.[2] ?? ''}`;
    });
    out.push({
      kind: 'index',
      name: i.name,
      sourceSql: i.sql,
      probe: { kind: 'named-index', table, name },
      create: `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} ON ${quoteIdent(table)} (${items.join(', ')})${i.where === undefined ? '' : ` WHERE ${i.where}`}`,
      schemaKey: `${table}: ${name}`,
      ...(folded ? { note: 'COLLATE NOCASE in SQLite, lower(…) here: it folds every letter, not only A-Z, so it may treat more values as equal' } : {}),
    });
  }
  for (const v of objects.views) {
    const body = viewBody(v.sql);
    out.push({
      kind: 'view',
      name: v.name,
      sourceSql: v.sql,
      probe: { kind: 'view', name: v.name },
      ...(body === undefined ? { reason: 'its CREATE VIEW statement could not be read' } : { create: `CREATE VIEW ${quoteIdent(v.name)}${body.columns} AS ${body.select}` }),
    });
  }
  for (const tr of objects.triggers) out.push({ kind: 'trigger', name: tr.name, sourceSql: tr.sql, probe: { kind: 'none' }, reason: TRIGGER_REASON });
  return out;
}

/** `CREATE [TEMP] VIEW [IF NOT EXISTS] name [(a, b)] AS select` → the column list and the select. */
function viewBody(sql: string): { columns: string; select: string } | undefined {
  const head = /^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?/i.exec(sql);
  if (!head) return undefined;
  let id = leadingIdentifier(sql.slice(head[0].length));
  // `main.v`: the schema name goes, the view is created in the target's schema.
  if (id && id.rest.startsWith('.')) id = leadingIdentifier(id.rest.slice(1));
  if (!id) return undefined;
  const cols = /^\s*\(([^)]*)\)/.exec(id.rest);
  const after = cols ? id.rest.slice(cols[0].length) : id.rest;
  const as = /^\s*AS\s+/i.exec(after);
  if (!as) return undefined;
  const columns = cols ? ` (${(cols[1] ?? '').split(',').map((c) => quoteIdent(leadingIdentifier(c.trim())?.name ?? c.trim())).join(', ')})` : '';
  return { columns, select: after.slice(as[0].length).trim().replace(/;\s*$/, '') };
}

/** The column type a direct copy gives a type name (as Prisma's DDL spells it), for a generated column added after the load. */
function pgTypeOf(type: string): string {
  const m = /^(\w+)(?:\(([^)]*)\))?$/.exec(type);
  const args = m?.[2];
  switch (m?.[1]) {
    case 'BigInt':
      return 'bigint';
    case 'Int':
      return 'integer';
    case 'Float':
      return 'double precision';
    case 'Decimal':
      return args ? `numeric(${args})` : 'numeric(65,30)';
    case 'VarChar':
      return `varchar(${args})`;
    case 'Boolean':
      return 'boolean';
    case 'Date':
      return 'date';
    case 'DateTime':
      return 'timestamptz(6)';
    case 'Json':
      return 'jsonb';
    case 'Bytes':
      return 'bytea';
    default:
      return 'text';
  }
}
