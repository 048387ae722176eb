/**
 * Loads one SQLite file with pgloader and with this tool (direct copy), each into a fresh database,
 * and writes a Markdown comparison: per column the PostgreSQL definition each one created, per table
 * the row counts, the values that differ (rows matched by primary key, compared as `col::text`) and
 * the rows missing on either side.
 *
 * usage: npm run compare:pgloader -- [sqlite-file] [--out report.md] [--pg-url url] [--keep]
 *   sqlite-file  default: the torture file (test/sqlite/make-torture.ts), generated into /tmp
 *   --out        default /tmp/pgloader-comparison.md (the report is also printed on stdout)
 *   --pg-url     server to create the databases on (default postgresql://postgres@127.0.0.1:5432/postgres)
 *   --keep       keep the databases and scratch files (their names are printed on stderr)
 *   --pgloader-timeout  seconds a pgloader run may take before it is killed (default 180)
 *
 * pgloader stops its whole run on some tables (see test/sqlite/PGLOADER-FINDINGS.md). When tables are
 * missing after a run, each is tried alone (schema only, in a database of its own); the ones that create
 * nothing alone are excluded and pgloader runs again. The report names them with pgloader's error.
 * A run that does not exit in time is killed. When a run ends in an unhandled error ("KABOOM!") or is
 * killed, the tables whose probe alone ended in one (though the table was created) are excluded the same
 * way, and pgloader runs again.
 * The input file is copied first; the original is never opened by pgloader or the tool.
 * Exit 0 when the comparison ran (differences are the result), 1 when pgloader is missing or a step failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PACKAGE_ROOT } from '../src/cli/package-root.ts';
import { refuseStaleBuild } from '../src/cli/fresh-build.ts';
import { makeTortureDb, q } from '../test/sqlite/make-torture.ts';

refuseStaleBuild();

const ROOT = PACKAGE_ROOT;
const EXAMPLES = 3;
const PROBES_AT_ONCE = 2 * availableParallelism(); // a probe is mostly pgloader start-up: CPU, and some waiting

class StepError extends Error {}

interface SqliteColumn { name: string; type: string; notnull: boolean; dflt: string | null; pk: number }
interface SqliteTable { name: string; columns: SqliteColumn[]; pk: string[]; autoincrement: boolean; seq: string | null; rows: unknown[][] }
interface PgColumn { name: string; type: string; notnull: boolean; dflt: string | null; identity: string; next: string | null }
interface PgTable { name: string; columns: PgColumn[]; rows: number }
type Catalog = Map<string, PgTable>;
interface Reject { model: string; sourceId: string | null; stage: string; reason: string }

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', default: '/tmp/pgloader-comparison.md' },
    'pg-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/postgres' },
    keep: { type: 'boolean', default: false },
    'pgloader-timeout': { type: 'string', default: '180' },
  },
});
const PGLOADER_TIMEOUT_MS = 1000 * Number(flags['pgloader-timeout']);
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;

// ---------------------------------------------------------------- processes and databases

/**
 * A child process, killed with its process group after `timeoutMs`: after an unhandled error ("KABOOM!")
 * pgloader can stay in its debugger and never exit, which would hang the comparison.
 */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; out: string; timedOut: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.timeoutMs !== undefined });
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); // the group: run-pgloader.sh and its pgloader
    }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, out: Buffer.concat(chunks).toString('utf8'), timedOut });
    });
  });
}

/** Promise.all that lets every branch finish before failing, so no branch creates a database after the cleanup. */
async function settled<T extends readonly unknown[]>(ps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const rs = await Promise.allSettled(ps);
  const failed = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

const dbUrl = (name: string): string => {
  const u = new URL(flags['pg-url']);
  u.pathname = `/${name}`;
  return u.toString();
};

async function withDb<T>(name: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: dbUrl(name) });
  try {
    await client.connect();
    return await f(client);
  } catch (e) {
    throw new StepError(`database ${name}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const adminDb = new URL(flags['pg-url']).pathname.slice(1) || 'postgres';
const created = new Set<string>();
async function freshDb(name: string): Promise<void> {
  await withDb(adminDb, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${q(name)}`);
  });
  created.add(name);
}
async function dropDb(name: string): Promise<void> {
  await withDb(adminDb, (c) => c.query(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`));
  created.delete(name);
}

/** Tables and columns of schema public, with definition, sequence next value and row count. */
async function readCatalog(db: string): Promise<Catalog> {
  return withDb(db, async (c) => {
    const cols = await c.query<{ tbl: string; col: string; type: string; notnull: boolean; dflt: string | null; identity: string; seq: string | null }>(`
      SELECT c.relname AS tbl, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
             pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity::text AS identity,
             pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS seq
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname, a.attnum`);
    const catalog: Catalog = new Map();
    for (const r of cols.rows) {
      const seq = r.seq ?? /^nextval\('(.+)'::regclass\)$/.exec(r.dflt ?? '')?.[1]?.replace(/''/g, "'") ?? null;
      let next: string | null = null;
      if (seq) {
        const s = await c.query<{ next: string }>(`SELECT (CASE WHEN is_called THEN last_value + p.seqincrement ELSE last_value END)::text AS next
          FROM ${seq}, pg_sequence p WHERE p.seqrelid = $1::regclass`, [seq]);
        next = s.rows[0]?.next ?? null;
      }
      let t = catalog.get(r.tbl);
      if (!t) catalog.set(r.tbl, (t = { name: r.tbl, columns: [], rows: 0 }));
      t.columns.push({ name: r.col, type: r.type, notnull: r.notnull, dflt: r.dflt, identity: r.identity, next });
    }
    for (const t of catalog.values()) {
      t.rows = Number((await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${q(t.name)}`)).rows[0]?.n ?? 0);
    }
    return catalog;
  });
}

/** The PostgreSQL name a loader gave to a SQLite name: as is, `"` → `_` (tool), lower case (pgloader). */
function findName(name: string, names: Iterable<string>): string | undefined {
  const have = new Set(names);
  return [name, name.replace(/"/g, '_'), name.toLowerCase(), name.toLowerCase().replace(/"/g, '_')].find((n) => have.has(n));
}

// ---------------------------------------------------------------- SQLite

/** Tables SQLite cannot describe here (a virtual table whose module this build lacks), with SQLite's message. */
const unreadable = new Map<string, string>();

function readSqlite(file: string): SqliteTable[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const seqs = new Map<string, string>();
    const hasSeq = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`).get() !== undefined;
    if (hasSeq) for (const r of db.prepare('SELECT name, seq FROM sqlite_sequence').safeIntegers(true).all() as { name: string; seq: bigint }[]) seqs.set(r.name, String(r.seq));
    const tables = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all() as { name: string; sql: string }[];
    return tables.flatMap(({ name, sql }) => {
      try {
        db.prepare('SELECT 1 FROM pragma_table_info(?)').all(name);
      } catch (e) {
        unreadable.set(name, e instanceof Error ? e.message : String(e));
        return [];
      }
      const columns = (db.prepare('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid').all(name) as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[])
        .map((c) => ({ name: c.name, type: c.type, notnull: c.notnull === 1, dflt: c.dflt_value, pk: c.pk }));
      const pk = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const order = pk.length ? ` ORDER BY ${pk.map(q).join(', ')}` : '';
      const rows = db.prepare(`SELECT ${columns.map((c) => q(c.name)).join(', ')} FROM ${q(name)}${order}`).safeIntegers(true).raw(true).all() as unknown[][];
      return [{ name, columns, pk, autoincrement: /\bAUTOINCREMENT\b/i.test(sql), seq: seqs.get(name) ?? null, rows }];
    });
  } finally {
    db.close();
  }
}

/** The text of a hex-dumped SQLite text value, for values that are not valid UTF-8. */
function sqliteHex(file: string, table: SqliteTable, column: string, key: unknown[]): string {
  const db = new Database(file, { readonly: true });
  try {
    const where = table.pk.map((k) => `${q(k)} IS ?`).join(' AND ');
    const r = db.prepare(`SELECT hex(${q(column)}) AS h FROM ${q(table.name)} WHERE ${where}`).safeIntegers(true).get(...key) as { h: string } | undefined;
    return r?.h ?? '';
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- the two loaders

const runPgloaderSh = join(ROOT, 'test/sqlite/run-pgloader.sh');

/** Log lines of a level (continuation lines joined), without timestamps, addresses or scratch names. */
function pgloaderMessages(output: string, clean: (s: string) => string, levels = /^(ERROR|FATAL|WARNING)\b/): string[] {
  const found: string[] = [];
  let current: string | null = null;
  for (const line of output.split('\n')) {
    const m = /^\d{4}-\d\d-\d\dT[\d:.]+Z (.*)$/.exec(line);
    if (m) {
      if (current !== null) found.push(current);
      current = levels.test(m[1] ?? '') ? (m[1] ?? '') : null;
    } else if (current !== null && line.trim()) current += ` ${line.trim()}`;
  }
  if (current !== null) found.push(current);
  // Addresses like {1006A9BC23} and index names like idx_23957_… (an OID) change from run to run.
  return found.map((s) => clean(s).replace(/\s*\{[0-9A-F]{6,}\}/g, '').replace(/\bidx_\d+_/g, 'idx_<oid>_').replace(/\s+/g, ' ').slice(0, 400));
}

interface PgloaderResult { code: number; excluded: Map<string, string>; messages: string[]; firstRunTables: number; timedOut: number }
/** Tables pgloader created alone but with an unhandled error: the suspects when a whole run never exits. */
interface Probed { stoppers: Map<string, string>; unhandled: Map<string, string> }

async function loadWithPgloader(file: string, db: string, scratch: string, tables: SqliteTable[], clean: (s: string) => string): Promise<PgloaderResult> {
  const excluded = new Map<string, string>(); // table → pgloader's first error when loading that table alone
  const unhandled = new Map<string, string>();
  let firstRunTables = 0;
  let timedOut = 0;
  const exclude = (m: Map<string, string>): void => {
    for (const [t, e] of [...m].sort(([a], [b]) => (a < b ? -1 : 1))) excluded.set(t, e);
  };
  for (let attempt = 1; ; attempt++) {
    await freshDb(db);
    const out = join(scratch, `pgloader-${attempt}`);
    const args = [...excluded.keys()].flatMap((t) => ['--exclude', t]);
    log(`[${elapsed()}] pgloader run ${attempt}${excluded.size ? `, excluding ${[...excluded.keys()].join(', ')}` : ''}`);
    const r = await run('bash', [runPgloaderSh, file, dbUrl(db), ...args], { env: { PGLOADER_OUT: out }, timeoutMs: PGLOADER_TIMEOUT_MS });
    if (r.timedOut) {
      timedOut++;
      log(`[${elapsed()}] pgloader run ${attempt} did not exit in ${flags['pgloader-timeout']} s: killed`);
    }
    const output = readFileSync(join(out, 'output.log'), 'utf8');
    const catalog = await readCatalog(db);
    const missing = tables.filter((t) => !excluded.has(t.name) && findName(t.name, catalog.keys()) === undefined);
    if (attempt === 1) firstRunTables = tables.length - missing.length;
    const result = { code: r.code, excluded, messages: pgloaderMessages(output, clean), firstRunTables, timedOut };
    // An unhandled error in a run stops it (or leaves it hanging) after the tables were created: their rows never come.
    const aborted = r.timedOut || output.includes('KABOOM!');
    const suspects = (): Map<string, string> =>
      new Map([...unhandled].filter(([t]) => !excluded.has(t)).map(([t, e]) => [t, `the whole run stops (or never exits) after it, tables not yet loaded stay empty; alone: ${e}`]));
    if (attempt === 4 || (missing.length === 0 && !(aborted && suspects().size > 0))) return result;
    if (missing.length === 0) {
      exclude(suspects());
      continue;
    }
    log(`[${elapsed()}] ${missing.length} table(s) not created; trying each alone (schema only)`);
    // A table SQLite cannot describe here is never in `tables`, but it may be the one that stops pgloader.
    const unreadableStubs = attempt === 1 ? [...unreadable.keys()].map((name): SqliteTable => ({ name, columns: [], pk: [], autoincrement: false, seq: null, rows: [] })) : [];
    const probed = await probe(file, scratch, [...missing, ...unreadableStubs], clean);
    for (const [t, e] of probed.unhandled) unhandled.set(t, e);
    if (probed.stoppers.size === 0 && !aborted) return result;
    exclude(probed.stoppers);
    if (aborted) exclude(suspects());
  }
}

/** Tables pgloader cannot create even alone: each is tried in a database of its own, schema only. */
async function probe(file: string, scratch: string, tables: SqliteTable[], clean: (s: string) => string): Promise<Probed> {
  const stoppers = new Map<string, string>();
  const unhandled = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tables.length) {
      const i = next++;
      const t = tables[i];
      if (!t) return;
      const db = `cmp_probe_${process.pid}_${i}`;
      await freshDb(db);
      const out = join(scratch, `probe-${i}`);
      await run('bash', [runPgloaderSh, file, dbUrl(db), '--only', t.name, '--with', 'schema only'], { env: { PGLOADER_OUT: out }, timeoutMs: PGLOADER_TIMEOUT_MS });
      const output = readFileSync(join(out, 'output.log'), 'utf8');
      const errors = pgloaderMessages(output, (s) => clean(s).replaceAll(db, '<db>'), /^(ERROR|FATAL)\b/);
      if (findName(t.name, (await readCatalog(db)).keys()) === undefined) stoppers.set(t.name, errors[0] ?? '(no error message)');
      else if (output.includes('KABOOM!')) unhandled.set(t.name, errors[0] ?? kaboom(output));
      await dropDb(db);
    }
  };
  await settled(Array.from({ length: PROBES_AT_ONCE }, worker));
  return { stoppers, unhandled };
}

/** pgloader's unhandled-error block, one line: `KABOOM! TYPE-ERROR: The value NIL is not of type PGLOADER.CATALOG:COLUMN`. */
function kaboom(output: string): string {
  const at = output.indexOf('KABOOM!');
  const end = output.indexOf('An unhandled error', at);
  return output.slice(at, end > at ? end : at + 200).replace(/\s+/g, ' ').trim();
}

async function loadWithTool(file: string, db: string, scratch: string, clean: (s: string) => string): Promise<{ code: number; rejects: Reject[]; coercions: string[]; refusal?: string }> {
  await freshDb(db);
  const cwd = join(scratch, 'tool'); // the tool writes logs/ and checkpoints/ into its working directory
  mkdirSync(cwd, { recursive: true });
  log(`[${elapsed()}] tool: migrate:sqlite-to-postgres`);
  // The compiled CLI, as the npm script runs it: what ships is what is compared.
  const r = await run(process.execPath, ['--enable-source-maps', join(ROOT, 'dist/src/cli/migrate-cli.js'), '--from', 'sqlite', '--sqlite', file], { cwd, env: { DATABASE_URL: dbUrl(db) } });
  writeFileSync(join(scratch, 'tool-output.log'), r.out);
  // Exit 2 is the tool refusing bad input before changing anything: a result to compare, not a failed step.
  if (r.code === 2) return { code: 2, rejects: [], coercions: [], refusal: clean(/ERROR (.*)/.exec(r.out)?.[1] ?? '(no message)') };
  if (r.code !== 0 && r.code !== 3) throw new StepError(`the tool exited with ${r.code}:\n${r.out.split('\n').slice(-25).join('\n')}`);
  const rejects = await withDb(db, async (c) => {
    const exists = await c.query(`SELECT 1 FROM pg_tables WHERE schemaname = '_migration' AND tablename = 'rejected'`);
    if (exists.rowCount === 0) return [];
    return (await c.query<Reject>(`SELECT model, source_id AS "sourceId", stage, reason FROM _migration.rejected ORDER BY model, source_id, id`)).rows;
  });
  // The summary's coercion lines: "12:04:58         2  flags.is active: text as a boolean".
  const lines = r.out.split('\n');
  const coercions: string[] = [];
  for (let i = lines.findIndex((l) => l.includes('coercions (')) + 1; i > 0 && i < lines.length; i++) {
    const m = /^\d\d:\d\d:\d\d\s+(\d+)\s+(.*)$/.exec(lines[i] ?? '');
    if (!m) break;
    coercions.push(`${m[1]} × ${m[2]}`);
  }
  return { code: r.code, rejects, coercions };
}

/** Every row of a table, `col::text`, keyed by the primary key's text. */
async function readRows(db: string, table: string, pk: string[], columns: (string | undefined)[]): Promise<Map<string, (string | null)[]>> {
  return withDb(db, async (c) => {
    const exprs = [...pk, ...columns].map((n) => (n === undefined ? 'NULL' : `${q(n)}::text`));
    const res = await c.query<(string | null)[]>({ text: `SELECT ${exprs.join(', ')} FROM ${q(table)}`, rowMode: 'array' });
    return new Map(res.rows.map((r) => [JSON.stringify(r.slice(0, pk.length)), r.slice(pk.length)]));
  });
}

// ---------------------------------------------------------------- formatting

const code = (s: string): string => {
  const ticks = '`'.repeat(Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${s.replace(/\|/g, '\\|')}${pad}${ticks}`;
};
const cut = (s: string, n = 48): string => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
const pgValue = (v: string | null | undefined): string => (v === undefined ? '(no row)' : v === null ? 'NULL' : code(cut(JSON.stringify(v))));
const keyText = (v: unknown): string => (Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : String(v));

function sqliteValue(v: unknown, hex: () => string): string {
  if (v === null) return 'NULL';
  if (typeof v === 'bigint') return code(String(v));
  if (typeof v === 'number') return code(Object.is(v, -0) ? '-0.0' : Number.isInteger(v) ? v.toFixed(1) : String(v));
  if (Buffer.isBuffer(v)) return code(cut(`x'${v.toString('hex')}'`));
  const s = String(v);
  return s.includes('\uFFFD') ? `${code(`x'${hex()}'`)} (invalid UTF-8)` : code(cut(JSON.stringify(s)));
}

function sqliteSpec(t: SqliteTable, c: SqliteColumn): string {
  const parts = [c.type || '(no type)'];
  if (t.pk.length === 1 && c.pk === 1) parts.push(t.autoincrement ? `PRIMARY KEY AUTOINCREMENT (sqlite_sequence ${t.seq ?? 'none'})` : 'PRIMARY KEY');
  else if (c.pk > 0) parts.push(`PRIMARY KEY part ${c.pk}`);
  if (c.notnull) parts.push('NOT NULL');
  if (c.dflt !== null) parts.push(`DEFAULT ${c.dflt}`);
  return parts.join(' ');
}

function pgSpec(c: PgColumn | undefined, sqliteName: string | null): string {
  if (!c) return '(no column)';
  const parts = sqliteName === null || c.name === sqliteName ? [] : [`named ${JSON.stringify(c.name)}:`];
  parts.push(c.type);
  if (c.notnull) parts.push('NOT NULL');
  if (c.identity) parts.push(`GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  if (c.dflt !== null) parts.push(`DEFAULT ${c.dflt.replace(/^nextval\('.*'::regclass\)$/, 'nextval(…)')}`);
  if (c.next !== null) parts.push(`(sequence next ${c.next})`);
  return parts.join(' ');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/**
 * Whether a loaded value (`::text`) equals the SQLite value where that needs no knowledge of the conversion:
 * text in a text column, numbers against numbers, blobs against bytea. undefined: cannot be told.
 */
function equalsSqlite(v: unknown, text: string | null, pgType: string): boolean | undefined {
  if (v === null || text === null) return v === null && text === null;
  const textLike = /^(text|character varying|character)\b/.test(pgType);
  if (Buffer.isBuffer(v)) return pgType === 'bytea' ? text === `\\x${v.toString('hex')}` : undefined;
  if (typeof v === 'bigint' || typeof v === 'number') {
    if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return textLike ? false : undefined;
    return typeof v === 'bigint' && /^-?\d+$/.test(text) ? BigInt(text) === v : Number(text) === Number(v);
  }
  return textLike ? text === String(v) : undefined;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const version = spawnSync('pgloader', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) throw new StepError('pgloader is not installed (Debian: apt-get install -y pgloader)');
  const pgloaderVersion = version.stdout.trim().split('\n').join(', ');

  const scratch = mkdtempSync('/tmp/compare-pgloader-');
  const file = join(scratch, 'source.sqlite'); // a copy: neither loader opens the file given
  const pglDb = `cmp_pgloader_${process.pid}`;
  const toolDb = `cmp_tool_${process.pid}`;
  const clean = (s: string): string => s.replaceAll(scratch, '<tmp>').replaceAll(pglDb, '<db>');

  try {
    let label: string;
    let tables: SqliteTable[];
    try {
      if (positionals[0]) {
        copyFileSync(positionals[0], file);
        label = basename(positionals[0]);
      } else {
        makeTortureDb(file);
        label = 'torture file (npx tsx test/sqlite/make-torture.ts)';
      }
      tables = readSqlite(file);
    } catch (e) {
      throw new StepError(`cannot read the SQLite file: ${e instanceof Error ? e.message : String(e)}`);
    }
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    const server = await withDb(adminDb, async (c) => ({
      version: (await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v ?? '?',
      zone: (await c.query<{ v: string }>(`SELECT current_setting('TimeZone') AS v`)).rows[0]?.v ?? '?',
    }));
    const [pgl, tool] = await settled([loadWithPgloader(file, pglDb, scratch, tables, clean), loadWithTool(file, toolDb, scratch, clean)] as const);
    log(`[${elapsed()}] comparing`);
    const [pglCat, toolCat] = await Promise.all([readCatalog(pglDb), readCatalog(toolDb)]);
    const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

    const summary: string[] = [];
    const sections: string[] = [];
    let defDiffs = 0;
    let valueDiffs = 0;
    for (const t of tables) {
      const pt = pglCat.get(findName(t.name, pglCat.keys()) ?? '');
      const tt = toolCat.get(findName(t.name, toolCat.keys()) ?? '');
      const sec: string[] = [`### ${code(t.name)}`, ''];
      if (pt && pt.name !== t.name) sec.push(`pgloader named the table ${code(pt.name)}.`, '');
      if (tt && tt.name !== t.name) sec.push(`The tool named the table ${code(tt.name)}.`, '');
      sec.push(`Rows: SQLite ${t.rows.length}, pgloader ${pt ? pt.rows : pgl.excluded.has(t.name) ? 'excluded' : 'no table'}, tool ${tt ? tt.rows : 'no table'}.`, '');
      sec.push('| column | SQLite | pgloader | tool | same |', '| --- | --- | --- | --- | --- |');
      let tableDefDiffs = 0;
      const colsP = t.columns.map((c) => pt?.columns.find((x) => x.name === findName(c.name, pt.columns.map((y) => y.name))));
      const colsT = t.columns.map((c) => tt?.columns.find((x) => x.name === findName(c.name, tt.columns.map((y) => y.name))));
      t.columns.forEach((c, i) => {
        const a = pt ? pgSpec(colsP[i], c.name) : '—';
        const b = tt ? pgSpec(colsT[i], c.name) : '—';
        const same = (pt ? pgSpec(colsP[i], null) : '—') === (tt ? pgSpec(colsT[i], null) : '—');
        if (!same) tableDefDiffs++;
        sec.push(`| ${code(c.name)} | ${cell(sqliteSpec(t, c))} | ${cell(a)} | ${cell(b)} | ${!same ? '**no**' : a === b ? 'yes' : 'name differs'} |`);
      });
      defDiffs += tableDefDiffs;
      sec.push('');

      // Values, rows matched by primary key.
      let missP = '—';
      let missT = '—';
      let colDiffs = 0;
      const pkP = t.pk.map((k) => findName(k, pt?.columns.map((x) => x.name) ?? []));
      const pkT = t.pk.map((k) => findName(k, tt?.columns.map((x) => x.name) ?? []));
      if (t.pk.length === 0) sec.push('No primary key in SQLite: values not compared row by row.', '');
      else if (!pt || !tt || pkP.includes(undefined) || pkT.includes(undefined)) sec.push('Values not compared: the table or its key is missing on one side.', '');
      else {
        const [rp, rt] = await Promise.all([
          readRows(pglDb, pt.name, pkP as string[], colsP.map((c) => c?.name)),
          readRows(toolDb, tt.name, pkT as string[], colsT.map((c) => c?.name)),
        ]);
        const keys = t.rows.map((r) => JSON.stringify(t.pk.map((k) => keyText(r[t.columns.findIndex((c) => c.name === k)]))));
        const keySet = new Set(keys);
        const showKey = (k: string): string => (JSON.parse(k) as string[]).join(', ');
        const model = [...new Set(tool.rejects.map((r) => r.model))].find((m) => norm(m) === norm(tt.name));
        const reason = (k: string): string => {
          const r = tool.rejects.find((x) => x.model === model && x.sourceId === showKey(k));
          return r ? ` (${r.stage}: ${r.reason})` : '';
        };
        const examples: string[] = [];
        t.columns.forEach((c, i) => {
          let n = 0;
          const shown: string[] = [];
          t.rows.forEach((row, r) => {
            const k = keys[r] ?? '';
            const a = rp.get(k);
            const b = rt.get(k);
            if (!a || !b || a[i] === b[i]) return;
            n++;
            if (shown.length < EXAMPLES) {
              const hex = (): string => sqliteHex(file, t, c.name, t.pk.map((p) => row[t.columns.findIndex((x) => x.name === p)]));
              shown.push(`${code(showKey(k))} | ${sqliteValue(row[i], hex)} | ${pgValue(a[i])} | ${pgValue(b[i])}`);
            }
          });
          if (n > 0) {
            colDiffs++;
            shown.forEach((s, j) => examples.push(j === 0 ? `| ${code(c.name)} | ${n} | ${s} |` : `| | | ${s} |`));
          }
        });
        const both = keys.filter((k) => rp.has(k) && rt.has(k)).length;
        sec.push(`Values: ${both} rows are in both targets; ${colDiffs === 0 ? 'no value differs.' : `values differ in ${colDiffs} column(s):`}`, '');
        if (examples.length) sec.push('| column | rows differing | key | SQLite | pgloader | tool |', '| --- | --- | --- | --- | --- | --- |', ...examples, '');
        const missing = (m: Map<string, unknown>, why: (k: string) => string): { n: number; text: string } => {
          const lost = keys.filter((k) => !m.has(k));
          const extra = [...m.keys()].filter((k) => !keySet.has(k)).sort();
          const list = (ks: string[]): string => ks.slice(0, 10).map((k) => `${code(showKey(k))}${why(k)}`).join(', ') + (ks.length > 10 ? ', …' : '');
          const text = [lost.length ? `${lost.length} missing: ${list(lost)}` : '', extra.length ? `${extra.length} not in SQLite: ${list(extra)}` : ''].filter(Boolean).join('; ');
          return { n: lost.length, text };
        };
        // A row only one side loaded: its values where they can be checked against SQLite directly.
        const oneSide: string[] = [];
        t.rows.forEach((row, r) => {
          const k = keys[r] ?? '';
          const [side, vals, cols] = rt.has(k) ? ['tool', rt.get(k), colsT] as const : ['pgloader', rp.get(k), colsP] as const;
          if (!vals || (rp.has(k) && rt.has(k))) return;
          t.columns.forEach((c, i) => {
            if (equalsSqlite(row[i], vals[i] ?? null, cols[i]?.type ?? '') !== false) return;
            const hex = (): string => sqliteHex(file, t, c.name, t.pk.map((p) => row[t.columns.findIndex((x) => x.name === p)]));
            oneSide.push(`| ${side} | ${code(showKey(k))} | ${code(c.name)} | ${sqliteValue(row[i], hex)} | ${pgValue(vals[i])} |`);
          });
        });
        const mp = missing(rp, () => '');
        const mt = missing(rt, reason);
        if (mp.text) sec.push(`- pgloader rows: ${mp.text}`);
        if (mt.text) sec.push(`- tool rows: ${mt.text}`);
        if (mp.text || mt.text) sec.push('');
        if (oneSide.length) {
          sec.push('Rows only one side loaded, values that differ from SQLite (checked where no conversion is involved: text in text columns, numbers, blobs):', '',
            '| loaded only by | key | column | SQLite | loaded value |', '| --- | --- | --- | --- | --- |', ...oneSide.slice(0, 10), ...(oneSide.length > 10 ? [`| … ${oneSide.length - 10} more | | | | |`] : []), '');
        }
        missP = String(mp.n);
        missT = String(mt.n);
        valueDiffs += colDiffs;
      }
      summary.push(`| ${code(t.name)} | ${t.rows.length} | ${pt ? pt.rows : pgl.excluded.has(t.name) ? 'excluded' : 'no table'} | ${tt ? tt.rows : 'no table'} | ${missP} | ${missT} | ${tableDefDiffs} | ${t.pk.length && pt && tt ? colDiffs : '—'} |`);
      sections.push(sec.join('\n'));
    }

    const totalRows = tables.reduce((n, t) => n + t.rows.length, 0);
    const report = [
      `# pgloader and the migrator on ${label}`,
      '',
      `- Source: ${code(label)}, ${tables.length} tables, ${totalRows} rows, sha256 ${code(sha.slice(0, 16))}.`,
      `- PostgreSQL ${server.version}, server TimeZone ${code(server.zone)}; each loader wrote into a database of its own, made fresh.`,
      `- pgloader (${pgloaderVersion}) with its defaults through ${code('test/sqlite/run-pgloader.sh')}: exit code ${pgl.code}.` +
        (pgl.timedOut ? ` ${pgl.timedOut} run(s) did not exit within ${flags['pgloader-timeout']} s and were killed.` : '') +
        (pgl.excluded.size
          ? ` The run with all tables created ${pgl.firstRunTables} of ${tables.length} tables; the run compared here excludes ${pgl.excluded.size} table(s), each of which stops pgloader's whole run (see below).`
          : ''),
      `- Migrator: ${code('npm run -s migrate:sqlite-to-postgres -- --sqlite <file>')} (direct copy; run as ${code('node dist/src/cli/migrate-cli.js --from sqlite')} from a scratch directory): exit code ${tool.code}, ${tool.refusal ? `refused before changing anything: ${code(tool.refusal)}` : `${tool.rejects.length} row(s) in ${code('_migration.rejected')}`}.`,
      ...(unreadable.size ? [`- Not compared: ${[...unreadable].map(([t, e]) => `${code(t)} (SQLite here: ${e})`).join(', ')}.`] : []),
      `- Column definitions that differ (type, NOT NULL, default or sequence; names aside): ${defDiffs}. Columns whose values differ (rows present in both): ${valueDiffs}.`,
      '',
      'Values are compared as `col::text`, rows matched by the SQLite primary key; examples show the first rows in key order.',
      'SQLite values: integers bare, reals with a decimal point, text in JSON quotes, blobs as `x\'…\'`.',
      'Constraints other than NOT NULL (keys, UNIQUE, CHECK, foreign keys) and indexes are not compared.',
      '',
      '## Summary',
      '',
      '| table | SQLite rows | pgloader rows | tool rows | missing in pgloader | missing in tool | column definitions differing (names aside) | columns with differing values |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...summary,
      '',
      ...(pgl.excluded.size
        ? ['## Tables excluded from the pgloader run', '', 'Each one, loaded alone (schema only), creates nothing and stops the run.', '', '| table | pgloader\'s first error |', '| --- | --- |',
            ...[...pgl.excluded].map(([t, e]) => `| ${code(t)} | ${cell(e)} |`), '']
        : []),
      '## Tables',
      '',
      sections.join('\n\n'),
      '',
      '## pgloader errors and warnings' + (pgl.excluded.size ? ' (the run with the exclusions)' : ''),
      '',
      ...(pgl.messages.length ? [...new Set(pgl.messages)].sort().map((m) => `- ${code(m)}`) : ['(none)']),
      '',
      '## Values the migrator converted (coercions in its summary)',
      '',
      ...(tool.coercions.length ? tool.coercions.map((c) => `- ${code(c)}`) : ['(none)']),
      '',
      '## Rows in the migrator\'s `_migration.rejected`',
      '',
      ...(tool.rejects.length ? ['| model | source id | stage | reason |', '| --- | --- | --- | --- |', ...tool.rejects.map((r) => `| ${r.model} | ${code(r.sourceId ?? '')} | ${r.stage} | ${cell(r.reason)} |`)] : ['(none)']),
      '',
    ].join('\n');

    writeFileSync(flags.out, report);
    process.stdout.write(report);
    log(`[${elapsed()}] report written to ${flags.out}`);
  } finally {
    if (flags.keep) log(`kept: databases ${[...created].join(', ')}; scratch ${scratch}`);
    else {
      for (const db of [...created]) await dropDb(db).catch((e: unknown) => log(`could not drop ${db}: ${String(e)}`));
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    log(`compare-pgloader: ${e instanceof StepError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
