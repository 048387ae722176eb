import type Database from 'better-sqlite3';
import { z } from 'zod';
import { quoteSqlite } from './sqlite-schema.ts';
import { closingParen, firstParen, leadingIdentifier, splitTopLevel } from './sql-text.ts';

/**
 * The schema objects of a SQLite file that the generated Prisma schema cannot describe: views,
 * triggers, indexes on expressions or with a WHERE, generated columns and CHECK constraints.
 * Each comes with the SQL SQLite stores for it, so it can be translated or shown as it is.
 */
export interface SqliteObjects {
  views: { name: string; sql: string }[];
  triggers: { name: string; table: string; sql: string }[];
  /** Indexes with an expression or a collation among their columns, or a WHERE clause (partial). */
  indexes: { name: string; table: string; unique: boolean; sql: string; items: string[]; where: string | undefined; constraintColumns?: string[] }[];
  /** `hidden` 2 in table_xinfo is VIRTUAL, 3 is STORED. */
  generated: { table: string; column: string; declared: string; stored: boolean; expression: string }[];
  /** Named when the table says `CONSTRAINT name CHECK (…)`. */
  checks: { table: string; name: string | undefined; expression: string }[];
}

const master = z.array(z.object({ type: z.string(), name: z.string(), tbl_name: z.string(), sql: z.string().nullable() }));
const xinfo = z.array(z.object({ name: z.string(), type: z.string(), hidden: z.number() }));
const indexXinfo = z.array(z.object({ seqno: z.number(), cid: z.number(), name: z.string().nullable(), key: z.number(), coll: z.string().nullable() }));
const indexList = z.array(z.object({ name: z.string(), origin: z.string() }));

export function readSqliteObjects(db: Database.Database, unreadable: ReadonlySet<string> = new Set()): SqliteObjects {
  const rows = master.parse(db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid`).all());
  const out: SqliteObjects = { views: [], triggers: [], indexes: [], generated: [], checks: [] };
  for (const r of rows) {
    // A table SQLite cannot describe (a virtual table whose module is missing) is already listed as not copied.
    if (unreadable.has(r.tbl_name)) continue;
    const sql = r.sql ?? '';
    if (r.type === 'view') out.views.push({ name: r.name, sql });
    else if (r.type === 'trigger') out.triggers.push({ name: r.name, table: r.tbl_name, sql });
    else if (r.type === 'index' && r.sql !== null) {
      // cid -2 is an expression; an index with no expression, collation or WHERE is a plain one Prisma carries.
      const keyColumns = indexXinfo.parse(db.pragma(`index_xinfo(${quoteSqlite(r.name)})`)).filter((c) => c.key === 1);
      const parts = indexParts(sql);
      if (!parts || (!keyColumns.some((c) => c.cid === -2 || c.coll !== 'BINARY') && parts.where === undefined)) continue;
      out.indexes.push({ name: r.name, table: r.tbl_name, unique: /^\s*CREATE\s+UNIQUE\b/i.test(sql), sql, ...parts });
    } else if (r.type === 'table') {
      const defs = columnDefinitions(sql);
      for (const c of xinfo.parse(db.pragma(`table_xinfo(${quoteSqlite(r.name)})`)).filter((x) => x.hidden === 2 || x.hidden === 3)) {
        const def = defs.find((d) => d.name.toLowerCase() === c.name.toLowerCase());
        const expression = def ? generationExpression(def.rest) : undefined;
        if (expression !== undefined) out.generated.push({ table: r.name, column: c.name, declared: c.type, stored: c.hidden === 3, expression });
      }
      for (const d of defs) for (const check of checksIn(d.text)) out.checks.push({ table: r.name, ...check });
      // `email TEXT UNIQUE COLLATE NOCASE`: a constraint's index has no SQL of its own; written out here.
      for (const u of indexList.parse(db.pragma(`index_list(${quoteSqlite(r.name)})`)).filter((i) => i.origin === 'u')) {
        const keys = indexXinfo.parse(db.pragma(`index_xinfo(${quoteSqlite(u.name)})`)).filter((c) => c.key === 1).sort((a, b) => a.seqno - b.seqno);
        if (!keys.some((c) => c.coll !== 'BINARY')) continue;
        const items = keys.map((c) => `${quoteSqlite(c.name ?? '')}${c.coll === 'BINARY' ? '' : ` COLLATE ${c.coll ?? ''}`}`);
        out.indexes.push({ name: [r.name, ...keys.map((c) => c.name ?? ''), 'key'].join('_'), table: r.name, unique: true, sql: `UNIQUE (${items.join(', ')})`, items, where: undefined, constraintColumns: keys.map((c) => c.name ?? '') });
      }
    }
  }
  return out;
}

/** `CREATE [UNIQUE] INDEX name ON t (a, lower(b)) WHERE p` → the items and the predicate. */
function indexParts(sql: string): { items: string[]; where: string | undefined } | undefined {
  const on = /\bON\b/i.exec(sql);
  const open = on ? firstParen(sql, on.index) : -1;
  if (open < 0) return undefined;
  const close = closingParen(sql, open);
  const tail = sql.slice(close).trim().replace(/;\s*$/, '');
  const where = /^WHERE\b/i.test(tail) ? tail.replace(/^WHERE\s*/i, '').trim() : undefined;
  return { items: splitTopLevel(sql.slice(open + 1, close - 1)), where };
}

/** The comma-separated definitions inside CREATE TABLE's parentheses, each with its leading name. */
function columnDefinitions(sql: string): { name: string; rest: string; text: string }[] {
  const open = firstParen(sql);
  if (open < 0) return [];
  return splitTopLevel(sql.slice(open + 1, closingParen(sql, open) - 1)).flatMap((text) => {
    const id = leadingIdentifier(text);
    return id ? [{ name: id.name, rest: id.rest, text }] : [];
  });
}

/** `TEXT GENERATED ALWAYS AS (a || b) VIRTUAL` → `a || b`. */
function generationExpression(rest: string): string | undefined {
  const m = /\b(?:GENERATED\s+ALWAYS\s+)?AS\s*\(/i.exec(rest);
  if (!m) return undefined;
  const open = m.index + m[0].length - 1;
  return rest.slice(open + 1, closingParen(rest, open) - 1).trim();
}

/** The CHECK clauses of one definition (a column's or the table's), with the constraint's name if it has one. */
function checksIn(text: string): { name: string | undefined; expression: string }[] {
  const out: { name: string | undefined; expression: string }[] = [];
  const re = /\bCHECK\s*\(/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const open = m.index + m[0].length - 1;
    const before = /\bCONSTRAINT\s+("(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)\s*$/i.exec(text.slice(0, m.index));
    out.push({ name: before?.[1] ? leadingIdentifier(before[1])?.name : undefined, expression: text.slice(open + 1, closingParen(text, open) - 1).trim() });
    re.lastIndex = open + 1;
  }
  return out;
}
