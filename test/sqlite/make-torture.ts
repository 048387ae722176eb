/**
 * Deterministic generator of a dirty SQLite database ("torture file") for
 * migrator tests: odd identifiers, every declared type family, mixed storage
 * classes in one column, six ways of writing a datetime, booleans three ways,
 * invalid JSON, invalid UTF-8, NUL bytes, 64-bit edge integers, '' beside NULL,
 * defaults, constraints, circular foreign keys and a 5,000-row table whose bad
 * rows sit in the middle of 1,000-row batches. Since issue 10 also the shapes apps leave: a keyless
 * log with duplicate rows, `_prisma_migrations`, microsecond text, a view, a trigger, generated
 * columns, partial and expression indexes, a `''` text key, a JSON `'{}'` default, a DATE holding a time.
 *
 * Usage: npx tsx test/sqlite/make-torture.ts <out.sqlite>   (prints the manifest)
 *
 * The file is byte-identical from run to run for the same better-sqlite3 build:
 * randomness comes from a seeded PRNG and no value depends on the clock (every
 * column with a clock default is given an explicit value).
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { seededRandom } from '../support/seeded-random.ts';
import { PRISMA_MIGRATIONS_DDL } from './prisma-migrations-ddl.ts';

/** A value a faithful migrator must refuse (and log), or convert with care. */
export interface DirtyValue {
  table: string;
  /** Primary key of the row, column name to value. */
  key: Record<string, number | string>;
  column: string;
  /** What is wrong or unusual, in words. */
  what: string;
  /** SQLite storage class of the value as `typeof()` reports it. */
  storage: 'null' | 'integer' | 'real' | 'text' | 'blob';
  /** For `quirks`: the value a faithful migrator should produce, as text. */
  expected?: string;
}

export interface TableInfo {
  rows: number;
  primaryKey: string[];
}

export interface TortureManifest {
  path: string;
  tables: Record<string, TableInfo>;
  /** Values that cannot be represented in PostgreSQL: must be rejected and logged, without losing any other row. */
  badValues: DirtyValue[];
  /** Valid but dirty values: must be converted (to `expected`), not rejected and not silently changed. */
  quirks: DirtyValue[];
  /** sqlite_sequence after generation: next AUTOINCREMENT id is value + 1 (above max(id), a row was deleted). */
  sequences: Record<string, number>;
  /** Table-level facts tests can assert on the target schema. */
  notes: string[];
}

export const BIG_TABLE = 'order items';
export const BIG_TABLE_ROWS = 5000;
/** Bad rows of the big table, each in the middle of a 1,000-row batch (1001-2000, 2001-3000, 3001-4000). */
export const BIG_TABLE_BAD = { nul: 1500, emptyQty: 2500, invalidUtf8: 3500 } as const;
/** event_log has no key: this many distinct rows, each written twice. */
export const EVENT_LOG_DISTINCT = 40;
/** DATETIME text with microseconds in precise_times row 1. */
export const PRECISE_TIME = '2024-05-01 10:11:12.123456';
/** A time of day in the DATE column appointments.d, row 2. */
export const DATE_WITH_TIME = '2024-05-01 23:11:12';
/** Schema objects beyond tables, columns and keys (issue 10): each is created in PostgreSQL or listed with its reason. */
export const TORTURE_OBJECTS = {
  views: ['active_members'],
  triggers: ['members_no_email_change'],
  generatedColumns: ['members.full_name', 'members.name_length'],
  indexes: ['members_email_lower', 'members_live'],
  notCopied: ['_prisma_migrations'],
} as const;


function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** Double-quoted SQL identifier. */
export function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Integers are bound as BigInt so SQLite stores them as INTEGER whatever the column affinity. */
const I = (n: number | bigint): bigint => BigInt(n);

const SCHEMA = String.raw`
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  "First Name" VARCHAR(255) NOT NULL,
  "lastName" NVARCHAR(40),
  email TEXT NOT NULL UNIQUE,
  "ZIP code" CHAR(5),
  status TEXT NOT NULL DEFAULT 'active',
  credit INTEGER NOT NULL DEFAULT 0,
  referred_by INTEGER REFERENCES customers(id)
);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ref CHAR(8) NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  total DECIMAL(10,2) NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX "idx orders ref" ON orders(ref);

CREATE TABLE "order items" (
  "Item Id" INTEGER PRIMARY KEY,
  "Order Id" INTEGER NOT NULL REFERENCES orders(id),
  "Product Name" VARCHAR(255) NOT NULL,
  "Qty" INT NOT NULL DEFAULT 1,
  "Unit Price" DECIMAL(10,2) NOT NULL,
  "Note" TEXT
);
CREATE INDEX idx_items_order_product ON "order items"("Order Id", "Product Name");

CREATE TABLE [teams] (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  captain_id INTEGER REFERENCES people(id)
);

CREATE TABLE ` + '`people`' + String.raw` (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  team_id INTEGER NOT NULL REFERENCES teams(id),
  mentor_id INTEGER REFERENCES people(id)
);
CREATE INDEX idx_people_team ON people(team_id);

CREATE TABLE inventory (
  warehouse CHARACTER(3) NOT NULL,
  sku VARCHAR(255) NOT NULL,
  qty INTEGER NOT NULL DEFAULT 0 CHECK (qty >= 0),
  PRIMARY KEY (warehouse, sku)
);

CREATE TABLE counters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  hits INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE "[weird]" (
  id INTEGER PRIMARY KEY,
  "Mixed Case" TEXT NOT NULL,
  "col with space" INTEGER,
  "select" TEXT,
  "ALLCAPS" REAL,
  lower TEXT
);

CREATE TABLE "quote""d" (
  id INTEGER PRIMARY KEY,
  "it's" TEXT NOT NULL,
  "say ""hi""" TEXT
);

CREATE TABLE ints (
  id INTEGER PRIMARY KEY,
  i_int INT NOT NULL,
  i_integer INTEGER,
  i_bigint BIGINT,
  i_smallint SMALLINT,
  i_tinyint TINYINT
);

CREATE TABLE big_integers (
  id INTEGER PRIMARY KEY,
  v INTEGER NOT NULL
);

CREATE TABLE reals (
  id INTEGER PRIMARY KEY,
  r_real REAL NOT NULL,
  r_double DOUBLE,
  r_float FLOAT,
  r_numeric NUMERIC,
  r_money DECIMAL(10,2),
  r_num102 NUMERIC(10,2),
  r_rate REAL DEFAULT 0.5
);

CREATE TABLE texts (
  id INTEGER PRIMARY KEY,
  t_varchar VARCHAR(255) NOT NULL,
  t_nvarchar NVARCHAR(40),
  t_char CHAR(2),
  t_character CHARACTER(3),
  t_text TEXT,
  t_clob CLOB,
  t_charvarying CHARACTER VARYING(255)
);

CREATE TABLE nul_text (
  id INTEGER PRIMARY KEY,
  t TEXT NOT NULL
);

CREATE TABLE empties (
  id INTEGER PRIMARY KEY,
  i INTEGER,
  r REAL,
  n NUMERIC,
  d DATE,
  dt DATETIME
);

CREATE TABLE blobs (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  b BLOB
);

CREATE TABLE bad_utf8 (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE dates (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  d DATE,
  dt DATETIME,
  ts TIMESTAMP NOT NULL,
  created DATETIME DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE dates_unix_s (id INTEGER PRIMARY KEY, at DATETIME);
CREATE TABLE dates_unix_ms (id INTEGER PRIMARY KEY, at DATETIME);
CREATE TABLE dates_julian (id INTEGER PRIMARY KEY, at DATETIME);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  event TEXT NOT NULL DEFAULT 'noop',
  at DATETIME NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE flags (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  "is active" BOOLEAN,
  "legacy flag" CHAR(5)
);

CREATE TABLE docs (
  id INTEGER PRIMARY KEY,
  doc JSON NOT NULL
);

CREATE TABLE untyped (
  id INTEGER PRIMARY KEY,
  v
);

CREATE TABLE type_mediumint (id INTEGER PRIMARY KEY, v MEDIUMINT);
CREATE TABLE type_int2 (id INTEGER PRIMARY KEY, v INT2);
CREATE TABLE type_int8 (id INTEGER PRIMARY KEY, v INT8);
CREATE TABLE type_unsigned_big_int (id INTEGER PRIMARY KEY, v UNSIGNED BIG INT);
CREATE TABLE type_string (id INTEGER PRIMARY KEY, v STRING);

-- Issue 10: shapes applications leave behind.
CREATE TABLE event_log (at TEXT NOT NULL, level TEXT NOT NULL, message TEXT);

` + PRISMA_MIGRATIONS_DDL + String.raw`

CREATE TABLE precise_times (id INTEGER PRIMARY KEY, at DATETIME NOT NULL);

CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  full_name TEXT GENERATED ALWAYS AS (first_name || ' ' || last_name) VIRTUAL,
  name_length INTEGER GENERATED ALWAYS AS (length(first_name) + length(last_name)) STORED,
  deleted_at DATETIME
);
CREATE UNIQUE INDEX members_email_lower ON members (lower(email));
CREATE INDEX members_live ON members (last_name) WHERE deleted_at IS NULL;
CREATE VIEW active_members AS SELECT id, email, last_name FROM members WHERE deleted_at IS NULL;
CREATE TRIGGER members_no_email_change BEFORE UPDATE OF email ON members
BEGIN
  SELECT RAISE(ABORT, 'email is immutable');
END;

CREATE TABLE codes (code TEXT NOT NULL PRIMARY KEY, label TEXT NOT NULL);

CREATE TABLE settings (id INTEGER PRIMARY KEY, prefs JSON NOT NULL DEFAULT '{}');

CREATE TABLE appointments (id INTEGER PRIMARY KEY, label TEXT NOT NULL, d DATE);
`;

/** Raw SQL expressions for values no binding can produce. */
const SQL_NUL_TEXT = `CAST(x'610062' AS TEXT)`; // 'a' NUL 'b'
const SQL_INVALID_UTF8 = `CAST(x'C328' AS TEXT)`; // 0xC3 followed by '(' : broken 2-byte sequence
const SQL_LATIN1_TEXT = `CAST(x'436166E92064752063656E747265' AS TEXT)`; // "Caf\xE9 du centre" (Latin-1 é)

type Cell = null | bigint | number | string | Buffer | { sql: string };

function insert(db: Database.Database, table: string, columns: string[], rows: Cell[][]): void {
  for (const row of rows) {
    const params: Exclude<Cell, { sql: string }>[] = [];
    const values = row.map((cell) => {
      if (cell !== null && typeof cell === 'object' && !Buffer.isBuffer(cell)) return cell.sql;
      params.push(cell);
      return '?';
    });
    db.prepare(`INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES (${values.join(', ')})`).run(...params);
  }
}

export function makeTortureDb(path: string): TortureManifest {
  const out = resolve(path);
  for (const suffix of ['', '-journal', '-wal', '-shm']) if (existsSync(out + suffix)) rmSync(out + suffix);

  const rand = seededRandom(0x5eed1e55);
  const badValues: DirtyValue[] = [];
  const quirks: DirtyValue[] = [];
  const bad = (v: DirtyValue) => badValues.push(v);
  const quirk = (v: DirtyValue) => quirks.push(v);

  const db = new Database(out);
  db.pragma('journal_mode = DELETE');
  db.pragma('foreign_keys = OFF'); // circular references are filled in two steps
  db.exec(SCHEMA);

  db.transaction(() => {
    // customers: self-referencing FK, mixed-case/spaced columns, defaults.
    const firstNames = ['Ann', 'Bob', 'Chloé', 'Dmitri', 'Eve', '健', 'Zoë', "O'Brien", 'Ünal', 'Yann'];
    const customers: Cell[][] = [];
    for (let id = 1; id <= 20; id++) {
      customers.push([
        I(id),
        `${firstNames[(id - 1) % firstNames.length]}`,
        id % 4 === 0 ? null : `Last${id}`,
        `c${id}@example.com`,
        id % 5 === 0 ? null : String(10000 + id * 37),
        id % 3 === 0 ? 'inactive' : 'active',
        I(id * 10),
        id === 1 ? null : I(Math.floor(id / 2)), // referred by an earlier customer
      ]);
    }
    insert(db, 'customers', ['id', 'First Name', 'lastName', 'email', 'ZIP code', 'status', 'credit', 'referred_by'], customers);

    // orders: AUTOINCREMENT, CURRENT_TIMESTAMP default given explicitly, money as REAL.
    const orders: Cell[][] = [];
    for (let id = 1; id <= 100; id++) {
      const day = String(1 + (id % 28)).padStart(2, '0');
      orders.push([
        I(id),
        `R${String(id).padStart(7, '0')}`,
        I(1 + (id % 20)),
        `2021-02-${day} 1${id % 10}:00:00`,
        Math.round(rand() * 100000) / 100,
      ]);
    }
    insert(db, 'orders', ['id', 'ref', 'customer_id', 'placed_at', 'total'], orders);

    // order items: the big table.
    const products = ['Widget', 'Gadget', 'Doohickey', 'Thingamajig', 'Sprocket', 'Gizmo', 'Écrou', 'ネジ'];
    const items: Cell[][] = [];
    for (let id = 1; id <= BIG_TABLE_ROWS; id++) {
      let qty: Cell = I(1 + Math.floor(rand() * 9));
      let note: Cell = id % 7 === 0 ? null : `note ${id}: ${rand().toString(36).slice(2, 10)}`;
      if (id === BIG_TABLE_BAD.nul) note = { sql: SQL_NUL_TEXT };
      if (id === BIG_TABLE_BAD.invalidUtf8) note = { sql: SQL_LATIN1_TEXT };
      if (id === BIG_TABLE_BAD.emptyQty) qty = '';
      items.push([
        I(id),
        I(1 + (id % 100)),
        `${products[id % products.length]} #${id % 250}`,
        qty,
        // A few prices carry a third decimal: more scale than DECIMAL(10,2) declares, so no numeric(10,2) can hold them.
        Math.round(rand() * 50000) / 100 + (id % 1000 === 250 ? 0.005 : 0),
        note,
      ]);
    }
    insert(db, BIG_TABLE, ['Item Id', 'Order Id', 'Product Name', 'Qty', 'Unit Price', 'Note'], items);
    for (let id = 250; id <= BIG_TABLE_ROWS; id += 1000) {
      bad({ table: BIG_TABLE, key: { 'Item Id': id }, column: 'Unit Price', what: 'REAL with three decimals in DECIMAL(10,2): cannot be stored without rounding', storage: 'real' });
    }
    bad({ table: BIG_TABLE, key: { 'Item Id': BIG_TABLE_BAD.nul }, column: 'Note', what: 'NUL byte inside TEXT (a\\0b)', storage: 'text' });
    bad({ table: BIG_TABLE, key: { 'Item Id': BIG_TABLE_BAD.emptyQty }, column: 'Qty', what: "empty string '' in NOT NULL INT column", storage: 'text' });
    bad({ table: BIG_TABLE, key: { 'Item Id': BIG_TABLE_BAD.invalidUtf8 }, column: 'Note', what: 'invalid UTF-8 in TEXT (Latin-1 byte 0xE9: "Caf\\xE9 du centre")', storage: 'text' });

    // teams <-> people: circular FKs (teams.captain_id nullable, people.team_id NOT NULL), people self-ref.
    insert(db, 'teams', ['id', 'name', 'captain_id'], [
      [I(1), 'Red', I(1)],
      [I(2), 'Blue', I(4)],
      [I(3), 'Green', null],
    ]);
    insert(db, 'people', ['id', 'name', 'team_id', 'mentor_id'], [
      [I(1), 'Ada', I(1), null],
      [I(2), 'Brian', I(1), I(1)],
      [I(3), 'Cleo', I(1), I(2)],
      [I(4), 'Dan', I(2), null],
      [I(5), 'Eun', I(2), I(4)],
      [I(6), 'Fay', I(3), I(5)],
    ]);

    // inventory: composite primary key, CHECK.
    insert(db, 'inventory', ['warehouse', 'sku', 'qty'], [
      ['PAR', 'SKU-1', I(5)],
      ['PAR', 'SKU-2', I(0)],
      ['NYC', 'SKU-1', I(12)],
      ['NYC', 'SKU 3 (spaced)', I(7)],
    ]);

    // counters: AUTOINCREMENT with a gap above max(id).
    insert(db, 'counters', ['name', 'hits'], [['alpha', I(1)], ['beta', I(2)], ['gamma', I(3)], ['delta', I(4)], ['epsilon', I(5)]]);
    db.prepare('DELETE FROM counters WHERE id = 5').run();

    insert(db, '[weird]', ['id', 'Mixed Case', 'col with space', 'select', 'ALLCAPS', 'lower'], [
      [I(1), 'One', I(1), 'from', 1.5, 'a'],
      [I(2), 'Two', null, 'where', null, 'b'],
      [I(3), 'Three', I(3), 'group by', -0.25, null],
    ]);
    insert(db, 'quote"d', ['id', "it's", 'say "hi"'], [
      [I(1), "it's fine", 'say "hi"'],
      [I(2), "''", '""'],
    ]);

    // ints: 64-bit edges (all valid).
    insert(db, 'ints', ['id', 'i_int', 'i_integer', 'i_bigint', 'i_smallint', 'i_tinyint'], [
      [I(1), I(1), I(1), I(1), I(1), I(1)],
      [I(2), I(2), I(2), 9007199254740993n, I(2), I(2)], // 2^53 + 1
      [I(3), I(3), I(3), 4611686018427387903n, I(3), I(3)], // 2^62 - 1
      [I(4), I(4), I(4), 4611686018427387904n, I(4), I(4)], // 2^62
      [I(5), I(5), I(5), 9223372036854775807n, I(5), I(5)], // 2^63 - 1
      [I(6), I(6), I(6), -9223372036854775808n, I(6), I(6)], // -2^63
      [I(7), I(7), I(7), -4611686018427387905n, I(7), I(7)], // -2^62 - 1
      [I(8), I(8), null, null, null, null],
      [I(9), I(9), I(9), I(9), -32768n, I(127)],
    ]);
    for (const [id, v] of [[2, '9007199254740993'], [3, '4611686018427387903'], [4, '4611686018427387904'], [5, '9223372036854775807'], [6, '-9223372036854775808'], [7, '-4611686018427387905']] as const) {
      quirk({ table: 'ints', key: { id }, column: 'i_bigint', what: 'integer beyond 2^53 (exact in int8, not in a JS number)', storage: 'integer', expected: v });
    }

    // big_integers: the same edges in an INTEGER-declared column (BIGINT above), valid rows after them.
    insert(db, 'big_integers', ['id', 'v'], [
      [I(1), I(1)],
      [I(2), 4611686018427387903n],
      [I(3), 4611686018427387904n],
      [I(4), 9223372036854775807n],
      [I(5), -9223372036854775808n],
      [I(6), -4611686018427387905n],
      [I(7), I(7)],
    ]);
    for (const [id, v] of [[3, '4611686018427387904'], [4, '9223372036854775807'], [5, '-9223372036854775808'], [6, '-4611686018427387905']] as const) {
      quirk({ table: 'big_integers', key: { id }, column: 'v', what: 'INTEGER column value at or beyond +-2^62', storage: 'integer', expected: v });
    }

    // reals: REAL precision, money as REAL, NUMERIC holding integers and reals (all valid).
    insert(db, 'reals', ['id', 'r_real', 'r_double', 'r_float', 'r_numeric', 'r_money', 'r_num102'], [
      [I(1), 0.1, 0.1, 0.1, I(1), 19.99, I(1)],
      [I(2), 16777217, 3.141592653589793, 2.718281828459045, 2.5, 0.1 + 0.2, 2.5],
      [I(3), 3.141592653589793, 1e300, 1e-300, I(3), I(20), I(3)],
      [I(4), 1234567.891, -0.0, 123456789.123, 1.0000000000000002, 99999999.99, 12.345],
      [I(5), 7.5, null, null, null, null, null],
    ]);
    quirk({ table: 'reals', key: { id: 1 }, column: 'r_real', what: 'REAL 0.1 (float4 would give 0.100000001490116)', storage: 'real', expected: '0.1' });
    quirk({ table: 'reals', key: { id: 2 }, column: 'r_real', what: 'REAL 16777217 not exact in float4', storage: 'real', expected: '16777217' });
    quirk({ table: 'reals', key: { id: 4 }, column: 'r_real', what: 'REAL 1234567.891 not exact in float4', storage: 'real', expected: '1234567.891' });
    quirk({ table: 'reals', key: { id: 3 }, column: 'r_double', what: 'DOUBLE 1e300 (beyond float4 range)', storage: 'real', expected: '1e+300' });
    quirk({ table: 'reals', key: { id: 2 }, column: 'r_money', what: 'money stored as REAL 0.30000000000000004 in DECIMAL(10,2)', storage: 'real', expected: '0.30' });
    quirk({ table: 'reals', key: { id: 3 }, column: 'r_money', what: 'DECIMAL(10,2) value stored as INTEGER 20 (affinity)', storage: 'integer', expected: '20.00' });
    quirk({ table: 'reals', key: { id: 4 }, column: 'r_num102', what: 'NUMERIC(10,2) holding 12.345 (scale 3)', storage: 'real', expected: '12.35 (rounded) or reject' });
    quirk({ table: 'reals', key: { id: 2 }, column: 'r_numeric', what: 'NUMERIC column mixing INTEGER 1, REAL 2.5, INTEGER 3', storage: 'real', expected: '2.5' });

    // texts: non-ASCII, control characters, COPY-significant text, '' vs NULL (all valid).
    const padded = 'trailing spaces   ';
    insert(db, 'texts', ['id', 't_varchar', 't_nvarchar', 't_char', 't_character', 't_text', 't_clob', 't_charvarying'], [
      [I(1), 'hello', 'world', 'FR', 'PAR', 'plain', 'clob', padded],
      [I(2), 'café 日本語 🎉', 'Ünïcödé', 'JP', '東京都', 'emoji 👩‍👩‍👧‍👦 and ZWJ', 'ĉ', 'ünï'],
      [I(3), 'tab\there\nnewline\r\ncrlf', 'a\tb', 'ab', 'a\nb', 'line1\nline2\n', '\t', 'x\ty'],
      [I(4), String.raw`back\slash \\ \N 'single' "double"`, String.raw`\N`, '\\', '"\'"', 'NULL', String.raw`C:\dir\file.txt`, String.raw`\.`],
      [I(5), '', '', '', '', '', '', ''],
      [I(6), ' ', null, null, null, null, null, null],
      [I(7), 'long '.repeat(200), 'z', 'z', 'z', 'x'.repeat(10000), 'z', 'z'],
    ]);
    quirk({ table: 'texts', key: { id: 4 }, column: 't_nvarchar', what: 'text \\N (COPY null marker) must stay text, not NULL', storage: 'text', expected: String.raw`\N` });
    quirk({ table: 'texts', key: { id: 4 }, column: 't_text', what: "text 'NULL' must stay text", storage: 'text', expected: 'NULL' });
    quirk({ table: 'texts', key: { id: 4 }, column: 't_charvarying', what: 'text \\. (COPY end-of-data marker) must stay text', storage: 'text', expected: String.raw`\.` });
    quirk({ table: 'texts', key: { id: 5 }, column: 't_varchar', what: "'' must stay '' (row 6 has NULL)", storage: 'text', expected: '' });
    quirk({ table: 'texts', key: { id: 1 }, column: 't_charvarying', what: 'CHARACTER VARYING(255) value with trailing spaces (must not be padded or trimmed)', storage: 'text', expected: padded });
    quirk({ table: 'texts', key: { id: 7 }, column: 't_varchar', what: 'VARCHAR(255) holding 1000 characters (SQLite ignores lengths)', storage: 'text', expected: "'long ' x 200" });

    // nul_text: a NUL byte in the middle row.
    insert(db, 'nul_text', ['id', 't'], [[I(1), 'first'], [I(2), 'second'], [I(3), { sql: SQL_NUL_TEXT }], [I(4), 'fourth'], [I(5), 'fifth']]);
    bad({ table: 'nul_text', key: { id: 3 }, column: 't', what: 'NUL byte inside TEXT (a\\0b)', storage: 'text' });

    // empties: '' beside NULL in integer, real, numeric, date and datetime columns.
    insert(db, 'empties', ['id', 'i', 'r', 'n', 'd', 'dt'], [
      [I(1), I(1), 1.5, I(1), '2021-03-04', '2021-03-04 05:06:07'],
      [I(2), '', '', '', '', ''],
      [I(3), null, null, null, null, null],
      [I(4), I(4), 4.5, 4.5, '2021-03-05', '2021-03-05 05:06:07'],
    ]);
    for (const column of ['i', 'r', 'n', 'd', 'dt']) {
      bad({ table: 'empties', key: { id: 2 }, column, what: `empty string '' in ${{ i: 'INTEGER', r: 'REAL', n: 'NUMERIC', d: 'DATE', dt: 'DATETIME' }[column]} column (row 3 has NULL)`, storage: 'text' });
    }

    // blobs: random, empty, all 256 byte values, TEXT in a BLOB column, NULL; rows after the odd ones.
    insert(db, 'blobs', ['id', 'label', 'b'], [
      [I(1), 'random 16', randomBytes(rand, 16)],
      [I(2), 'empty blob', Buffer.alloc(0)],
      [I(3), 'bytes 0..255', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
      [I(4), 'text in blob column', 'plain text in a blob column'],
      [I(5), 'random 32', randomBytes(rand, 32)],
      [I(6), 'null', null],
      [I(7), 'random 1024', randomBytes(rand, 1024)],
    ]);
    quirk({ table: 'blobs', key: { id: 2 }, column: 'b', what: 'empty BLOB (not NULL)', storage: 'blob', expected: '\\x' });
    quirk({ table: 'blobs', key: { id: 4 }, column: 'b', what: 'TEXT value in a BLOB column', storage: 'text', expected: 'bytes of the UTF-8 text (\\x706c61696e...)' });

    // bad_utf8: invalid UTF-8 in the middle, valid rows after it.
    insert(db, 'bad_utf8', ['id', 'name'], [
      [I(1), 'first'],
      [I(2), 'second'],
      [I(3), 'third'],
      [I(4), { sql: SQL_INVALID_UTF8 }],
      [I(5), 'fifth'],
      [I(6), 'sixth'],
      [I(7), 'seventh'],
    ]);
    bad({ table: 'bad_utf8', key: { id: 4 }, column: 'name', what: 'invalid UTF-8 in TEXT (bytes C3 28)', storage: 'text' });

    // dates: ISO text forms (valid); the numeric forms have a table each, so one failing form hides no other.
    const ts = '2020-01-01 00:00:00';
    const created = '2020-06-01 12:00:00';
    insert(db, 'dates', ['id', 'label', 'd', 'dt', 'ts', 'created'], [
      [I(1), 'iso text', '2021-03-04', '2021-03-04 05:06:07', ts, created],
      [I(2), 'iso T millis', '2021-03-04', '2021-03-04T05:06:07.123', ts, created],
      [I(3), 'iso with zone', '2021-03-04', '2021-03-04T05:06:07+02:00', ts, created],
      [I(4), 'nulls', null, null, ts, null],
      [I(5), 'iso text again', '2021-03-05', '2021-03-05 05:06:07', '2020-01-01T00:00:00', created],
    ]);
    quirk({ table: 'dates', key: { id: 1 }, column: 'dt', what: 'ISO text without zone (SQLite convention: UTC)', storage: 'text', expected: '2021-03-04 05:06:07+00' });
    quirk({ table: 'dates', key: { id: 2 }, column: 'dt', what: 'ISO text with T and milliseconds', storage: 'text', expected: '2021-03-04 05:06:07.123+00' });
    quirk({ table: 'dates', key: { id: 3 }, column: 'dt', what: 'ISO text with +02:00 zone', storage: 'text', expected: '2021-03-04 03:06:07+00' });
    quirk({ table: 'dates', key: { id: 5 }, column: 'ts', what: 'TIMESTAMP as ISO text with T', storage: 'text', expected: '2020-01-01 00:00:00' });
    insert(db, 'dates_unix_s', ['id', 'at'], [[I(1), I(1614834367)], [I(2), I(0)], [I(3), I(1614920767)]]);
    quirk({ table: 'dates_unix_s', key: { id: 1 }, column: 'at', what: 'unix seconds INTEGER in DATETIME', storage: 'integer', expected: '2021-03-04 05:06:07+00' });
    quirk({ table: 'dates_unix_s', key: { id: 2 }, column: 'at', what: 'unix seconds 0 in DATETIME (epoch, not NULL)', storage: 'integer', expected: '1970-01-01 00:00:00+00' });
    insert(db, 'dates_unix_ms', ['id', 'at'], [[I(1), I(1614834367123)], [I(2), I(1614920767000)]]);
    quirk({ table: 'dates_unix_ms', key: { id: 1 }, column: 'at', what: 'unix milliseconds INTEGER in DATETIME', storage: 'integer', expected: '2021-03-04 05:06:07.123+00' });
    insert(db, 'dates_julian', ['id', 'at'], [[I(1), 2459277.7126], [I(2), 2459278.5]]);
    quirk({ table: 'dates_julian', key: { id: 1 }, column: 'at', what: 'julian day REAL in DATETIME', storage: 'real', expected: '2021-03-04 05:06:08.64+00' });
    quirk({ table: 'dates_julian', key: { id: 2 }, column: 'at', what: 'julian day REAL in DATETIME', storage: 'real', expected: '2021-03-05 00:00:00+00' });

    // audit_log: DEFAULT (datetime('now')), values given explicitly.
    insert(db, 'audit_log', ['id', 'event', 'at'], [
      [I(1), 'login', '2021-03-04 05:06:07'],
      [I(2), 'logout', '2021-03-04 06:00:00'],
      [I(3), 'noop', '2021-03-04 07:00:00'],
    ]);

    // flags: a BOOLEAN column (NUMERIC affinity: SQLite itself turns the text '0'/'1' into INTEGER 0/1,
    // and PRAGMA integrity_check rejects a TEXT '0' there), and a CHAR(5) column (TEXT affinity) where
    // '0'/'1'/'true'/'false' stay TEXT, as written by apps whose schema (e.g. Prisma) says Boolean.
    insert(db, 'flags', ['id', 'label', 'is active', 'legacy flag'], [
      [I(1), 'int 0', I(0), '0'],
      [I(2), 'int 1', I(1), '1'],
      [I(3), "text '0'", '0', 'false'],
      [I(4), "text '1'", '1', 'true'],
      [I(5), "text 'true'", 'true', '1'],
      [I(6), "text 'false'", 'false', '0'],
      [I(7), 'null', null, null],
    ]);
    quirk({ table: 'flags', key: { id: 3 }, column: 'is active', what: "text '0' written to BOOLEAN, stored as INTEGER 0 by affinity", storage: 'integer', expected: 'false' });
    quirk({ table: 'flags', key: { id: 5 }, column: 'is active', what: "boolean written as text 'true'", storage: 'text', expected: 'true' });
    quirk({ table: 'flags', key: { id: 6 }, column: 'is active', what: "boolean written as text 'false'", storage: 'text', expected: 'false' });
    quirk({ table: 'flags', key: { id: 1 }, column: 'legacy flag', what: "boolean as text '0' in CHAR(5)", storage: 'text', expected: 'false (if the target says Boolean)' });
    quirk({ table: 'flags', key: { id: 2 }, column: 'legacy flag', what: "boolean as text '1' in CHAR(5)", storage: 'text', expected: 'true (if the target says Boolean)' });
    quirk({ table: 'flags', key: { id: 3 }, column: 'legacy flag', what: "boolean as text 'false' in CHAR(5)", storage: 'text', expected: 'false (if the target says Boolean)' });

    // docs: JSON objects, arrays, nesting, a scalar, one invalid.
    insert(db, 'docs', ['id', 'doc'], [
      [I(1), '{"a":1,"b":"two"}'],
      [I(2), '[1,2,3,"four",null,true]'],
      [I(3), '{"nested":{"arr":[{"x":null},{"y":[1,[2,[3]]]}],"s":"é\\u00e9 \\"q\\""}}'],
      [I(4), '{"a":1,'],
      [I(5), '"just a string"'],
      [I(6), '{}'],
      [I(7), '{"after":"invalid"}'],
    ]);
    bad({ table: 'docs', key: { id: 4 }, column: 'doc', what: 'invalid JSON text {"a":1,', storage: 'text' });

    // untyped: integer, real, text, NULL in one column.
    insert(db, 'untyped', ['id', 'v'], [
      [I(1), I(1)],
      [I(2), 2.5],
      [I(3), 'text'],
      [I(4), null],
      [I(5), I(3)],
      [I(6), 9223372036854775807n],
    ]);
    quirk({ table: 'untyped', key: { id: 1 }, column: 'v', what: 'INTEGER in untyped column', storage: 'integer', expected: '1' });
    quirk({ table: 'untyped', key: { id: 2 }, column: 'v', what: 'REAL in untyped column', storage: 'real', expected: '2.5' });

    insert(db, 'type_mediumint', ['id', 'v'], [[I(1), I(1)], [I(2), I(8388607)], [I(3), I(-8388608)]]);
    insert(db, 'type_int2', ['id', 'v'], [[I(1), I(1)], [I(2), I(32767)], [I(3), I(-32768)]]);
    insert(db, 'type_int8', ['id', 'v'], [[I(1), I(1)], [I(2), 9223372036854775807n], [I(3), null]]);
    insert(db, 'type_unsigned_big_int', ['id', 'v'], [[I(1), I(1)], [I(2), 9223372036854775807n], [I(3), null]]);
    insert(db, 'type_string', ['id', 'v'], [[I(1), 'abc'], [I(2), '123'], [I(3), null]]);
    quirk({ table: 'type_string', key: { id: 2 }, column: 'v', what: "STRING has NUMERIC affinity: text '123' is stored as INTEGER 123", storage: 'integer', expected: '123' });

    // event_log: no key and nothing unique; every row is written twice, the duplicates are data.
    const events: Cell[][] = [];
    for (let i = 1; i <= EVENT_LOG_DISTINCT; i++) {
      const row: Cell[] = [`2024-05-01 10:${String(i % 60).padStart(2, '0')}:00`, i % 3 === 0 ? 'warn' : 'info', i % 5 === 0 ? null : `event ${i}`];
      events.push(row, row);
    }
    insert(db, 'event_log', ['at', 'level', 'message'], events);

    // _prisma_migrations: what `prisma migrate dev` leaves in the file (epoch milliseconds, as Prisma's SQLite connector writes).
    insert(db, '_prisma_migrations', ['id', 'checksum', 'finished_at', 'migration_name', 'logs', 'rolled_back_at', 'started_at', 'applied_steps_count'], [
      ['0c5a3f6e-6f1e-4a5b-9f3e-1f2d3c4b5a60', 'b1946ac92492d2347c6235b4d2611184a1b2c3d4e5f60718293a4b5c6d7e8f90', I(1704067201000), '20240101000000_init', null, null, I(1704067200000), I(1)],
      ['7d2e9b14-2c3a-4f8e-8a1b-0e9d8c7b6a51', '591785b794601e212b260e25925636fd1a2b3c4d5e6f708192a3b4c5d6e7f809', I(1704153601000), '20240102000000_add_members', null, null, I(1704153600000), I(1)],
    ]);

    // precise_times: DATETIME text with microseconds (six digits), which a JS Date would cut to three.
    insert(db, 'precise_times', ['id', 'at'], [
      [I(1), PRECISE_TIME],
      [I(2), '2024-05-01 10:11:12.000001'],
      [I(3), '2024-05-01 10:11:12'],
    ]);
    quirk({ table: 'precise_times', key: { id: 1 }, column: 'at', what: 'DATETIME text with microseconds', storage: 'text', expected: '2024-05-01 10:11:12.123456+00' });
    quirk({ table: 'precise_times', key: { id: 2 }, column: 'at', what: 'DATETIME text with one microsecond', storage: 'text', expected: '2024-05-01 10:11:12.000001+00' });

    // members: generated columns (virtual and stored), a unique index on lower(email), a partial index, a view, a trigger.
    insert(db, 'members', ['id', 'email', 'first_name', 'last_name', 'deleted_at'], [
      [I(1), 'alice@example.com', 'Alice', 'Liddell', null],
      [I(2), 'Bob@Example.com', 'Bob', 'Builder', '2024-03-01 09:00:00'],
      [I(3), 'carol@example.com', 'Carol', 'Danvers', null],
    ]);

    // codes: a TEXT primary key whose value is '' is a key like any other.
    insert(db, 'codes', ['code', 'label'], [['', 'empty code'], ['A', 'letter A'], ['B', 'letter B']]);
    quirk({ table: 'codes', key: { code: '' }, column: 'label', what: "row whose TEXT primary key is ''", storage: 'text', expected: 'empty code' });

    // settings: JSON DEFAULT '{}' (rows 2 and 3 take the default).
    insert(db, 'settings', ['id', 'prefs'], [[I(1), '{"theme":"dark"}']]);
    db.prepare('INSERT INTO settings (id) VALUES (2), (3)').run();

    // appointments: a DATE column holding a time of day; a date column would drop the time, so it is rejected by default.
    insert(db, 'appointments', ['id', 'label', 'd'], [
      [I(1), 'day only', '2024-05-01'],
      [I(2), 'day and time', DATE_WITH_TIME],
      [I(3), 'day only again', '2024-05-02'],
    ]);
    bad({ table: 'appointments', key: { id: 2 }, column: 'd', what: `DATE column holding a time of day (${DATE_WITH_TIME})`, storage: 'text' });
  })();

  db.close();

  // Reopen: checks and the manifest come from the file itself.
  const check = new Database(out, { readonly: true });
  const integrity = check.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') throw new Error(`integrity_check: ${String(integrity)}`);
  const fk = check.pragma('foreign_key_check') as unknown[];
  if (fk.length > 0) throw new Error(`foreign_key_check: ${JSON.stringify(fk)}`);

  for (const v of [...badValues, ...quirks]) {
    const [[k, kv]] = Object.entries(v.key) as [[string, number | string]];
    const got = check.prepare(`SELECT typeof(${q(v.column)}) AS t FROM ${q(v.table)} WHERE ${q(k)} = ?`).get(kv) as { t: string } | undefined;
    if (got?.t !== v.storage) throw new Error(`${v.table}.${v.column} @${kv}: storage ${got?.t}, manifest says ${v.storage}`);
  }

  const tableNames = (check.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
  const tables: Record<string, TableInfo> = {};
  for (const name of tableNames) {
    const rows = (check.prepare(`SELECT count(*) AS n FROM ${q(name)}`).get() as { n: number }).n;
    const pk = (check.prepare(`SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`).all(name) as { name: string }[]).map((r) => r.name);
    tables[name] = { rows, primaryKey: pk };
  }
  const sequences: Record<string, number> = {};
  for (const r of check.prepare('SELECT name, seq FROM sqlite_sequence ORDER BY name').all() as { name: string; seq: number }[]) sequences[r.name] = r.seq;
  check.close();

  return {
    path: out,
    tables,
    badValues,
    quirks,
    sequences,
    notes: [
      'every table not named in badValues holds only representable values: a faithful migrator loads all its rows',
      'each table named in badValues has clean rows before and after the bad one(s): only the bad rows may be missing',
      'DATETIME forms: ISO text in dates, unix seconds in dates_unix_s (incl. 0 = epoch), unix ms in dates_unix_ms, julian day in dates_julian',
      'type_* tables hold one column of a declared type some loaders cannot map: MEDIUMINT, INT2, INT8, UNSIGNED BIG INT, STRING',
      'counters: sqlite_sequence is 5 while max(id) is 4 (row 5 deleted): the next id must be 6',
      'customers, "order items", ints, ... use INTEGER PRIMARY KEY without AUTOINCREMENT: the target still needs a default/sequence above max(id)',
      'teams.captain_id -> people and people.team_id -> teams form a cycle (captain_id nullable)',
      'customers.referred_by and people.mentor_id are self-references',
      'inventory has a composite primary key (warehouse, sku) and CHECK (qty >= 0); counters has CHECK (length(name) > 0)',
      'defaults: "order items"."Qty" 1, customers.status \'active\', orders.placed_at CURRENT_TIMESTAMP, audit_log.at (datetime(\'now\'))',
      'indexes: unique "idx orders ref", multi-column idx_items_order_product, idx_people_team; UNIQUE customers.email, counters.name, teams.name',
      'flags."is active" BOOLEAN holds INTEGER 0/1 and TEXT \'true\'/\'false\'; flags."legacy flag" CHAR(5) holds TEXT \'0\'/\'1\'/\'true\'/\'false\'',
      'event_log has no primary key and nothing unique; each of its rows is there twice',
      '_prisma_migrations is Prisma Migrate\'s history: a migrator should not copy it (and say so)',
      'precise_times.at holds DATETIME text with microseconds (2024-05-01 10:11:12.123456)',
      'members: full_name VIRTUAL and name_length STORED generated columns, unique index on lower(email), partial index members_live, view active_members, trigger members_no_email_change',
      'codes has a TEXT primary key whose value is \'\'; settings.prefs is JSON NOT NULL DEFAULT \'{}\'',
      'appointments.d is a DATE column whose row 2 holds a time of day',
      `"${BIG_TABLE}": bad rows ${Object.values(BIG_TABLE_BAD).join(', ')} sit mid-batch for batches of 1000; ${BIG_TABLE_ROWS - 3} rows are clean`,
    ],
  };
}

function isMain(): boolean {
  const arg = process.argv[1];
  return arg !== undefined && import.meta.url === pathToFileURL(resolve(arg)).href;
}

if (isMain()) {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: npx tsx test/sqlite/make-torture.ts <out.sqlite>');
    process.exit(2);
  }
  console.log(JSON.stringify(makeTortureDb(target), null, 2));
}
