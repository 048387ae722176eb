import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { quoteIdent } from '../../src/target/identifiers.ts';
import { shellQuote } from '../../src/run/shell-quote.ts';
import { missingRows, sum, type BenchContext, type BenchMode } from './bench-mode.ts';
import { countTargetRows } from './databases.ts';
import { benchSqliteFile } from './make-sqlite.ts';
import { measure } from './measure.ts';
import { packageScript } from './package-script.ts';
import { sqliteFacts, type SqliteFacts } from './sqlite-facts.ts';

const TOOLS = ['sqlite3', 'psql', 'pg_dump', 'pg_restore', 'xargs', 'bash'];
/** Tables loading at once, as the tool loads two models at once by default. */
const AT_ONCE = 2;
/**
 * CSV has no NULL of its own: sqlite3 writes NULL as an unquoted `\N` and COPY reads that as NULL,
 * while an empty string stays `""`. (A text value that is exactly `\N` would become NULL; the
 * bench file holds none.)
 */
const NULL_MARK = '\\N';

/** One table's pipe: sqlite3's CSV straight into psql's \copy, no file in between. */
export function tablePipe(sqliteFile: string, targetUrl: string, table: { name: string; columns: string[] }): string {
  const cols = table.columns.map(quoteIdent).join(', ');
  const select = `SELECT ${cols} FROM ${quoteIdent(table.name)}`;
  const copy = `\\copy ${quoteIdent(table.name)} (${cols}) FROM pstdin (FORMAT csv, NULL '${NULL_MARK}')`;
  return [
    'set -euo pipefail',
    `sqlite3 -readonly -csv -cmd ${shellQuote(`.nullvalue '${NULL_MARK}'`)} ${shellQuote(sqliteFile)} ${shellQuote(select)} \\`,
    `  | psql -X -q -v ON_ERROR_STOP=1 -d ${shellQuote(targetUrl)} -c ${shellQuote(copy)}`,
    '',
  ].join('\n');
}

/**
 * The whole load as one script, so one process tree is timed: the tool's own tables (pre-data of
 * its DDL), every table piped two at a time (largest first), then its keys, indexes and foreign
 * keys (post-data, two at a time, as pg_restore -j orders them), then the sequences past max(id).
 * Zone-less SQLite date-times are read in UTC, as the tool reads them.
 */
export function shellScript(o: { dir: string; ddlDump: string; targetUrl: string; pipes: string[] }): string {
  const restore = (section: string, jobs: number) => `pg_restore --section=${section} --no-owner --no-acl --exit-on-error${jobs > 1 ? ` -j ${jobs}` : ''} -d ${shellQuote(o.targetUrl)} ${shellQuote(o.ddlDump)}`;
  return [
    'set -euo pipefail',
    "export PGOPTIONS='-c timezone=UTC'",
    restore('pre-data', 1),
    `printf '%s\\n' ${o.pipes.map(shellQuote).join(' ')} | xargs -P ${AT_ONCE} -n 1 bash`,
    restore('post-data', AT_ONCE),
    `psql -X -q -v ON_ERROR_STOP=1 -d ${shellQuote(o.targetUrl)} -f ${shellQuote(join(o.dir, 'sequences.sql'))}`,
    '',
  ].join('\n');
}

/** `setval` past the highest key for every column whose default is a sequence. */
async function sequencesSql(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string; c: string }>(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns
        WHERE table_schema = 'public' AND (column_default LIKE 'nextval(%' OR is_identity = 'YES') ORDER BY 1, 2`,
    );
    return rows
      .map(({ t, c }) => `SELECT setval(pg_get_serial_sequence(${pg.escapeLiteral(quoteIdent(t))}, ${pg.escapeLiteral(c)}), COALESCE(max(${quoteIdent(c)}), 0) + 1, false) FROM ${quoteIdent(t)};`)
      .join('\n');
  } finally {
    await client.end();
  }
}

/**
 * The physical limit: `sqlite3 -csv` piped into `psql \copy`, into the very tables the tool's
 * direct mode makes. Their DDL comes from a direct run of the tool on a small file of the same
 * generator (the schema text is checked to be the same), dumped with pg_dump and split by
 * pg_restore into pre-data (tables) and post-data (keys, indexes, foreign keys).
 */
export function shellMode(): BenchMode {
  let ddlDump = '';
  let sequences = '';
  let facts: SqliteFacts | undefined;
  return {
    name: 'shell',
    label: 'shell pipeline (sqlite3 CSV → psql \\copy)',
    family: 'sqlite',
    unavailable() {
      const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
      return missing.length > 0 ? `not installed: ${missing.join(', ')}` : undefined;
    },
    async prepare(ctx: BenchContext) {
      facts = sqliteFacts(ctx.sqliteFile);
      const small = benchSqliteFile(join(ctx.root, '.cache', 'bench'), 2000);
      if (sqliteFacts(small).schemaSql !== facts.schemaSql) throw new Error(`shell pipeline: ${ctx.sqliteFile} does not have the schema of the bench generator (make-sqlite.ts)`);
      const dir = join(ctx.workDir, 'shell-ddl');
      mkdirSync(dir, { recursive: true });
      const db = ctx.databases.name('shell', 'ddl');
      const url = await ctx.databases.fresh(db);
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ checkpointDir: join(dir, 'checkpoints'), logDir: join(dir, 'logs') }));
      const { argv, env } = packageScript(ctx.root, 'migrate:sqlite-to-postgres', ['--sqlite', small, '--target-url', url, '--config', config]);
      const made = spawnSync(argv[0] as string, argv.slice(1), { cwd: ctx.root, env, encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`shell pipeline: the tool's direct run that makes the DDL failed (exit ${made.status}):\n${made.stdout}${made.stderr}`);
      ddlDump = join(dir, 'ddl.dump');
      const dumped = spawnSync('pg_dump', ['--format=custom', '--schema-only', '--table=public.*', '--file', ddlDump, url], { encoding: 'utf8' });
      if (dumped.status !== 0) throw new Error(`shell pipeline: pg_dump failed: ${dumped.stderr}`);
      sequences = await sequencesSql(url);
      await ctx.databases.drop(db);
    },
    async run(ctx, round) {
      if (!facts) throw new Error('shell pipeline: prepare() did not run');
      const db = ctx.databases.name('shell', round);
      const url = await ctx.databases.fresh(db);
      const dir = join(ctx.workDir, `shell-${round}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'sequences.sql'), `${sequences}\n`);
      const pipes = [...facts.tables]
        .sort((a, b) => b.rows - a.rows)
        .map((t) => {
          const file = join(dir, `load-${t.name}.sh`);
          writeFileSync(file, tablePipe(ctx.sqliteFile, url, t));
          return file;
        });
      const script = join(dir, 'shell.sh');
      writeFileSync(script, shellScript({ dir, ddlDump, targetUrl: url, pipes }));
      const measured = await measure(['bash', script], { logFile: join(dir, 'output.log'), database: db, timeoutMs: ctx.timeoutMs });
      const counts = await countTargetRows(url);
      const failed = measured.timedOut ? `killed after ${ctx.timeoutMs / 1000} s` : measured.exitCode !== 0 ? `exit code ${measured.exitCode} (see ${join(dir, 'output.log')})` : missingRows(ctx.sqliteCounts, counts);
      if (!ctx.keep) await ctx.databases.drop(db);
      if (!ctx.keep && failed === undefined) rmSync(dir, { recursive: true, force: true });
      return { measured, targetRows: sum(counts.values()), sourceRecords: sum(ctx.sqliteCounts.values()), failed, notes: [] };
    },
  };
}
