import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../../config/load-config.ts';
import { sourceIdKey, vouchForKey, type SourceId } from '../../ids/source-id.ts';
import type { SourceDoc } from '../../transform/types.ts';
import type { ReadOptions, Source, SourceBatch } from '../source.ts';
import { sqliteFingerprint } from './sqlite-fingerprint.ts';
import { skipPrismaMigrations } from './prisma-migrations.ts';
import { quoteSqlite, readSqliteSchema, type SkippedTable, type SqliteTable } from './sqlite-schema.ts';
import { readSqliteObjects, type SqliteObjects } from './sqlite-objects.ts';
import { warmFile } from './warm-file.ts';
import { foreignKeyProblems, integrityProblems, refuseForeignKeyMismatch, type IntegrityCheck } from './source-checks.ts';
import { decodeValue } from './sqlite-values.ts';

export interface SqliteSource extends Source {
  readonly kind: 'sqlite';
  readonly path: string;
  readonly tables: readonly SqliteTable[];
  table(name: string): SqliteTable;
  /** `PRAGMA foreign_key_check` on these tables (default: every table with a foreign key), on demand: it reads every child row. */
  foreignKeyProblems(tables?: readonly string[]): string[];
  /** AUTOINCREMENT tables: the last id SQLite handed out (`sqlite_sequence`), which may be past max(id). */
  readonly autoincrementSeq: ReadonlyMap<string, bigint>;
  /** Views, triggers, expression and partial indexes, generated columns, CHECKs: what the Prisma schema cannot say. */
  readonly objects: SqliteObjects;
  /** Tables recognised and deliberately not copied (Prisma's `_prisma_migrations`), with the reason. */
  readonly notCopied: readonly SkippedTable[];
}

/**
 * A file the run will not read as it is: damaged (the integrity check names the damage) or being
 * written by another process. Bad input found before anything is touched, so exit 2, as any
 * other ConfigError.
 */
export class SqliteRefusal extends ConfigError {
  override name = 'SqliteRefusal';
}

/**
 * A SQLite file, opened read-only: the file is byte-identical after the run. Before anything
 * else: `PRAGMA quick_check` (or integrity_check: source-checks.ts) must pass, and a file another
 * process is writing (a hot rollback journal, or a WAL with frames not yet checkpointed) is
 * refused unless forced.
 * Rows stream in rowid order (primary-key order for WITHOUT ROWID tables), resumable by key.
 */
export function openSqliteSource(file: string, options: { force?: boolean; integrityCheck?: IntegrityCheck } = {}): SqliteSource {
  const path = resolve(file);
  if (!existsSync(path)) throw new ConfigError(`SQLite file ${path} does not exist`);
  const busy = [`${path}-journal`, `${path}-wal`].filter((f) => existsSync(f) && statSync(f).size > 0);
  if (busy.length > 0 && !options.force) {
    throw new SqliteRefusal(`${path} is being written by another process (${busy.join(', ')} present); stop the writer, or pass --force to read it anyway`);
  }
  const { db, foreignKeyProblems, schema, objects } = openChecked(path, options.integrityCheck ?? 'quick');
  const { kept: tables, skipped } = skipPrismaMigrations(schema.tables, (name) => Number((db.prepare(`SELECT count(*) AS n FROM ${quoteSqlite(name)}`).get() as { n: number }).n));
  const notCopied = [...skipped, ...schema.unreadable];
  const hasSequences = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`).get() !== undefined;
  const autoincrementSeq = new Map(
    hasSequences ? (db.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[]).map((r) => [r.name, BigInt(r.seq)] as const) : [],
  );
  // From here on every integer is read as a bigint: exact beyond 2^53.
  db.defaultSafeIntegers(true);
  const byName = new Map(tables.map((t) => [t.name, t]));
  const table = (name: string): SqliteTable => {
    const t = byName.get(name);
    if (!t) throw new Error(`SQLite file has no table ${name}`);
    return t;
  };
  // A table without a primary key is read and found by its rowid (see table-key.ts).
  const keyOf = (t: SqliteTable) => (t.primaryKey.length > 0 ? t.primaryKey : [t.rowid ?? 'rowid']);

  return {
    kind: 'sqlite',
    path,
    identity: `sqlite:${path}`,
    tables,
    table,
    foreignKeyProblems,
    autoincrementSeq,
    objects,
    notCopied,
    collections: async () => tables.map((t) => t.name),
    async count(name) {
      const row = db.prepare(`SELECT count(*) AS n FROM ${quoteSqlite(name)}`).get() as { n: bigint };
      return Number(row.n);
    },
    async *read(name: string, options: ReadOptions): AsyncIterable<SourceBatch> {
      const t = table(name);
      // Rowid order is the storage order and always unique; WITHOUT ROWID tables go by key.
      const order = t.withoutRowid ? t.primaryKey : [t.rowid ?? 'rowid'];
      const orderSql = order.map((c) => quoteOrRowid(t, c)).join(', ');
      const select = selectList(t, order);
      const exact = exactText(db, t, name, order);
      let after: unknown[] | undefined = typeof options.after?.['key'] === 'string' ? (JSON.parse(options.after['key']) as unknown[]).map(revive) : undefined;
      for (;;) {
        const where = after ? `WHERE (${orderSql}) > (${order.map(() => '?').join(', ')})` : '';
        const rows = db.prepare(`SELECT ${select} FROM ${quoteSqlite(name)} ${where} ORDER BY ${orderSql} LIMIT ?`).raw(true).all(...(after ?? []), options.batchSize) as unknown[][];
        if (rows.length === 0) return;
        const docs = rows.map((r) => toDoc(t, r, order.length, keyOf(t), exact));
        after = (rows[rows.length - 1] ?? []).slice(0, order.length);
        yield { docs, cursor: { key: JSON.stringify(after.map(store)) } };
        options.signal?.throwIfAborted();
        if (rows.length < options.batchSize) return;
      }
    },
    async fetch(name: string, ids: readonly SourceId[]) {
      const t = table(name);
      const key = keyOf(t);
      const select = selectList(t, key);
      const found: SourceDoc[] = [];
      const statement = db.prepare(`SELECT ${select} FROM ${quoteSqlite(name)} WHERE (${key.map((c) => quoteOrRowid(t, c)).join(', ')}) = (${key.map(() => '?').join(', ')})`).raw(true);
      const exact = exactText(db, t, name, key);
      const get = (values: readonly unknown[]): unknown[] | undefined => statement.get(...values.map((v) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v))) as unknown[] | undefined;
      for (const id of ids) {
        let row: unknown[] | undefined;
        if (key.length > 1) row = get((JSON.parse(sourceIdKey(id)) as unknown[]).map(revive));
        else {
          // As given first: the text '00123' of a text key, the text '7' beside the integer 7 in
          // an untyped one. Then digits as the integer they spell, for a caller holding an integer key as text.
          row = get([id]);
          if (!row && typeof id === 'string' && /^-?\d{1,19}$/.test(id) && BigInt.asIntN(64, BigInt(id)) === BigInt(id)) row = get([BigInt(id)]);
        }
        if (row) found.push(toDoc(t, row, key.length, key, exact));
      }
      return found;
    },
    fingerprint: async (collections) => sqliteFingerprint(path, db, tables, collections),
    close: async () => {
      db.close();
    },
  };
}

/**
 * Opens the file and reads its schema. SQLite's own messages (`file is not a database`, `disk I/O
 * error`) do not say which file; these do, as bad input (exit 2): nothing was touched yet.
 */
function openChecked(
  path: string,
  integrityCheck: IntegrityCheck,
): { db: Database.Database; foreignKeyProblems: (tables?: readonly string[]) => string[]; schema: ReturnType<typeof readSqliteSchema>; objects: SqliteObjects } {
  let db: Database.Database | undefined;
  try {
    const opened = new Database(path, { readonly: true, fileMustExist: true });
    db = opened;
    if (integrityCheck !== 'off') warmFile(path);
    const integrity = integrityProblems(opened, integrityCheck);
    if (integrity) throw new SqliteRefusal(`${path} fails PRAGMA ${integrity.pragma}: ${integrity.problems.join('; ')}`);
    const schema = readSqliteSchema(opened);
    refuseForeignKeyMismatch(opened, schema.tables);
    const withKeys = schema.tables.filter((t) => t.foreignKeys.length > 0).map((t) => t.name);
    return { db, foreignKeyProblems: (tables = withKeys) => foreignKeyProblems(opened, tables), schema, objects: readSqliteObjects(db, new Set(schema.unreadable.map((t) => t.name))) };
  } catch (error) {
    db?.close();
    if (error instanceof SqliteRefusal) throw error;
    throw new ConfigError(`${path} cannot be read as a SQLite database: ${error instanceof Error ? error.message : String(error)}. Nothing was changed.`);
  }
}

/** The key columns first (for cursors), then the value of every column. */
function selectList(t: SqliteTable, lead: readonly string[]): string {
  return [...lead.map((c) => quoteOrRowid(t, c)), ...t.columns.map((c) => quoteSqlite(c.name))].join(', ');
}

/**
 * Reads one text value again as its raw bytes. The driver decodes text leniently (bad UTF-8
 * becomes U+FFFD, silently); a value holding U+FFFD is read again here and decoded strictly, so
 * invalid text is refused by name and a real U+FFFD passes. With safe integers on, the storage
 * class is the JavaScript type (bigint, number, string, Buffer, null): no typeof() per column.
 */
type ExactText = (lead: readonly unknown[], column: number) => unknown;

function exactText(db: Database.Database, t: SqliteTable, name: string, lead: readonly string[]): ExactText {
  const statements = new Map<number, Database.Statement>();
  const where = `(${lead.map((c) => quoteOrRowid(t, c)).join(', ')}) = (${lead.map(() => '?').join(', ')})`;
  return (key, i) => {
    let statement = statements.get(i);
    if (!statement) {
      const q = quoteSqlite(t.columns[i]?.name ?? '');
      statement = db.prepare(`SELECT CAST(${q} AS BLOB) FROM ${quoteSqlite(name)} WHERE ${where}`).pluck(true);
      statements.set(i, statement);
    }
    return decodeValue('text', statement.get(...key));
  };
}

function toDoc(t: SqliteTable, row: unknown[], lead: number, key: readonly string[], exact: ExactText): SourceDoc {
  const doc: Record<string, unknown> = {};
  const columns = t.columns;
  for (let i = 0; i < columns.length; i++) {
    const value = row[lead + i];
    doc[(columns[i] as SqliteTable['columns'][number]).name] = typeof value === 'string' && value.includes('\uFFFD') ? exact(row.slice(0, lead), i) : value;
  }
  const keyValues = key.map((k, i) => (isRowid(t, k) ? row[i] : doc[k]));
  // The column a table with nothing unique gets: its rowid, which leads the row in both reads.
  if (t.key.kind === 'rowid') doc[t.key.column] = row[0];
  doc['_id'] = key.length === 1 ? idValue(keyValues[0]) : JSON.stringify(keyValues.map(store));
  // A text primary key of '' is a key like any other in SQLite.
  return doc['_id'] === '' ? vouchForKey(doc) : doc;
}

function idValue(value: unknown): SourceId {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return String(value);
}

/** Cursor and composite-key values as JSON: big integers as {"$int": "..."} so they stay exact. */
function store(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : { $int: value.toString() };
  if (Buffer.isBuffer(value)) return { $hex: value.toString('hex') };
  return value;
}

function revive(value: unknown): unknown {
  if (value && typeof value === 'object' && '$int' in value) return BigInt(String(value.$int));
  if (value && typeof value === 'object' && '$hex' in value) return Buffer.from(String(value.$hex), 'hex');
  return value;
}

function isRowid(t: SqliteTable, name: string): boolean {
  return name === (t.rowid ?? 'rowid') && !t.columns.some((c) => c.name === name);
}

function quoteOrRowid(t: SqliteTable, name: string): string {
  return isRowid(t, name) ? name : quoteSqlite(name);
}
