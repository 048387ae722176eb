import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { shortHash } from '../file-fingerprint.ts';
import type { Measure, SourceFingerprint } from '../source-fingerprint.ts';
import { quoteSqlite, type SqliteTable } from './sqlite-schema.ts';

/**
 * The file: size, time, the header's file change counter (bytes 24–27, bumped by every write
 * transaction outside WAL mode) and a hash of the whole catalog (`sqlite_master`). Per table:
 * its definition, row count and highest rowid (the last key for WITHOUT ROWID tables), each an
 * index or b-tree walk, never a read of the rows' content.
 */
export function sqliteFingerprint(path: string, db: Database.Database, tables: readonly SqliteTable[], collections: readonly string[]): SourceFingerprint {
  const takenAt = new Date().toISOString();
  const stat = statSync(path);
  const catalog = db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name`).raw(true).all();
  const parts: SourceFingerprint['parts'] = {
    file: { size: stat.size, mtime: stat.mtime.toISOString(), 'change counter': changeCounter(path), schema: shortHash(JSON.stringify(catalog)) },
  };
  for (const name of collections) {
    const table = tables.find((t) => t.name === name);
    const definition = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(name);
    if (!table || typeof definition !== 'string') continue; // gone: the comparison says so
    const q = quoteSqlite(name);
    const rows = db.prepare(`SELECT count(*) FROM ${q}`).pluck().get();
    const last = table.withoutRowid
      ? db.prepare(`SELECT ${table.primaryKey.map(quoteSqlite).join(', ')} FROM ${q} ORDER BY ${table.primaryKey.map((k) => `${quoteSqlite(k)} DESC`).join(', ')} LIMIT 1`).raw(true).get()
      : db.prepare(`SELECT max(rowid) FROM ${q}`).pluck().get();
    parts[`table "${name}"`] = {
      definition: shortHash(definition),
      rows: Number(rows),
      [table.withoutRowid ? 'last key' : 'max rowid']: keyMeasure(last),
    };
  }
  return { takenAt, parts };
}

/** A rowid as a number while exact, else its digits; a composite key as JSON. Null for an empty table. */
function keyMeasure(value: unknown): Measure {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number') return value;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The SQLite header's file change counter: a big-endian uint32 at byte 24. */
function changeCounter(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(100);
    return readSync(fd, header, 0, 100, 0) >= 28 ? header.readUInt32BE(24) : 0;
  } finally {
    closeSync(fd);
  }
}
