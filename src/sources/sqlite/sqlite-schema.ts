import type Database from 'better-sqlite3';
import { z } from 'zod';
import { quoteIdent } from '../../target/identifiers.ts';
import { chooseTableKey, rowidName, type TableKey } from './table-key.ts';

export interface SqliteColumn {
  name: string;
  /** The declared type as written (`NVARCHAR(40)`, `` for none). */
  declared: string;
  notNull: boolean;
  /** The DEFAULT expression as written, or null. */
  defaultSql: string | null;
  /** 1-based position in the primary key, 0 when not part of it. */
  pk: number;
}

export interface SqliteTable {
  name: string;
  columns: SqliteColumn[];
  primaryKey: string[];
  /** An `INTEGER PRIMARY KEY` column: the rowid alias, which a direct copy turns into an identity. */
  rowidAlias: string | undefined;
  autoincrement: boolean;
  withoutRowid: boolean;
  foreignKeys: { columns: string[]; table: string; to: string[]; onDelete: string; onUpdate: string }[];
  indexes: { name: string; unique: boolean; columns: string[]; origin: 'c' | 'u' | 'pk' }[];
  checks: string[];
  /** How the direct copy identifies its rows (a table without a primary key too). */
  key: TableKey;
  /** The name that reads the rowid (`rowid`, `_rowid_` or `oid`, whichever no column shadows); none for WITHOUT ROWID. */
  rowid: string | undefined;
}

/** A table the tool recognises and does not copy as application data, with the reason. */
export interface SkippedTable {
  name: string;
  reason: string;
}

const columnInfo = z.object({ name: z.string(), type: z.string(), notnull: z.number(), dflt_value: z.string().nullable(), pk: z.number(), hidden: z.number() });
const fkInfo = z.object({ id: z.number(), seq: z.number(), table: z.string(), from: z.string(), to: z.string().nullable(), on_delete: z.string(), on_update: z.string() });
const indexList = z.object({ name: z.string(), unique: z.number(), origin: z.enum(['c', 'u', 'pk']), partial: z.number() });
const indexInfo = z.object({ seqno: z.number(), name: z.string().nullable() });
const indexCollation = z.object({ key: z.number(), coll: z.string().nullable() });

/**
 * Reads tables, columns, keys, foreign keys, indexes and CHECK constraints from the catalog.
 * A table SQLite cannot describe here (a virtual table whose module this SQLite lacks, such as
 * spellfix1) is listed as unreadable with SQLite's reason instead of stopping the whole run.
 */
export function readSqliteSchema(db: Database.Database): { tables: SqliteTable[]; unreadable: SkippedTable[] } {
  const entries = z
    .array(z.object({ name: z.string(), sql: z.string().nullable() }))
    .parse(db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all());
  const tables: SqliteTable[] = [];
  const unreadable: SkippedTable[] = [];
  for (const entry of entries) {
    try {
      tables.push(readTable(db, entry.name, entry.sql));
    } catch (error) {
      if (!(error instanceof Error) || (error as { code?: unknown }).code === undefined) throw error;
      const virtual = /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(entry.sql ?? '') ? 'a virtual table; ' : '';
      unreadable.push({ name: entry.name, reason: `${virtual}SQLite cannot read its definition here (${error.message}), so neither its rows nor its schema can be copied` });
    }
  }
  return { tables, unreadable };
}

function readTable(db: Database.Database, name: string, sql: string | null): SqliteTable {
  const quoted = quoteSqlite(name);
  const columns = z
    .array(columnInfo)
    .parse(db.pragma(`table_xinfo(${quoted})`))
    .filter((c) => c.hidden === 0)
    .map((c) => ({ name: c.name, declared: c.type, notNull: c.notnull === 1, defaultSql: c.dflt_value, pk: c.pk }));
  const primaryKey = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  const text = sql ?? '';
  const withoutRowid = /\)\s*WITHOUT\s+ROWID\s*;?\s*$/i.test(text);
  const onlyKey = primaryKey.length === 1 ? columns.find((c) => c.name === primaryKey[0]) : undefined;
  const rowidAlias = onlyKey && !withoutRowid && onlyKey.declared.toUpperCase() === 'INTEGER' ? onlyKey.name : undefined;
  const fks = new Map<number, { columns: string[]; table: string; to: string[]; onDelete: string; onUpdate: string }>();
  for (const fk of z.array(fkInfo).parse(db.pragma(`foreign_key_list(${quoted})`))) {
    const entry = fks.get(fk.id) ?? { columns: [], table: fk.table, to: [], onDelete: fk.on_delete, onUpdate: fk.on_update };
    entry.columns.push(fk.from);
    entry.to.push(fk.to ?? '');
    fks.set(fk.id, entry);
  }
  const indexes = z
    .array(indexList)
    .parse(db.pragma(`index_list(${quoted})`))
    // Partial indexes, and indexes or unique constraints with a collation (NOCASE), are schema objects (sqlite-objects.ts).
    .filter((i) => i.partial === 0 && (i.origin === 'pk' || !z.array(indexCollation).parse(db.pragma(`index_xinfo(${quoteSqlite(i.name)})`)).some((c) => c.key === 1 && c.coll !== 'BINARY')))
    .map((i) => ({
      name: i.name,
      unique: i.unique === 1,
      origin: i.origin,
      columns: z.array(indexInfo).parse(db.pragma(`index_info(${quoteSqlite(i.name)})`)).sort((a, b) => a.seqno - b.seqno).map((c) => c.name ?? ''),
    }));
  const key = chooseTableKey(columns, primaryKey, indexes);
  const rowid = withoutRowid ? undefined : rowidName(columns);
  if (!rowid && !withoutRowid && key.kind !== 'declared') throw new Error(`SQLite table ${name} has no primary key and columns named rowid, _rowid_ and oid: its rows cannot be told apart`);
  return {
    name,
    key,
    rowid,
    columns,
    primaryKey,
    rowidAlias,
    autoincrement: /\bAUTOINCREMENT\b/i.test(text),
    withoutRowid,
    // A referenced column left out means the parent's primary key.
    foreignKeys: [...fks.values()].map((fk) => ({ ...fk, to: fk.to.every((t) => t === '') ? [] : fk.to })),
    indexes,
    checks: extractChecks(text),
  };
}

/** The CHECK (...) clauses of a CREATE TABLE statement, balanced parentheses and quotes respected. */
export function extractChecks(sql: string): string[] {
  const out: string[] = [];
  const re = /\bCHECK\s*\(/gi;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    let depth = 1;
    let i = m.index + m[0].length;
    let quote: string | undefined;
    for (; i < sql.length && depth > 0; i++) {
      const ch = sql[i];
      if (quote) {
        if (ch === quote) quote = undefined;
      } else if (ch === "'" || ch === '"' || ch === '`' || ch === '[') quote = ch === '[' ? ']' : ch;
      else if (ch === '(') depth++;
      else if (ch === ')') depth--;
    }
    out.push(sql.slice(m.index + m[0].length, i - 1).trim());
  }
  return out;
}

/** SQLite reads a double-quoted identifier with doubled quotes exactly as PostgreSQL does: the same helper. */
export const quoteSqlite = quoteIdent;
