import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { migrate } from '../../src/run/migrate.ts';
import { quoteIdent } from '../../src/target/identifiers.ts';
import { validate } from '../../src/validate/validate.ts';
import { benchDump } from './mongo-sample.ts';

// What only an in-process run can see, for `npm run bench -- --details`: the sample app at a
// scale, from its mongodump folder into a fresh database through the library (not the CLI), with
// the cost of checkpointing per batch (the run's own timings), the time validate takes to compare
// every row, and the raw COPY rate of the very same rows as the physical limit to compare with.
// usage: tsx scripts/bench/mongodump-details.ts --target-url <server> [--scale 30] [--batch-size 1000] [--writer copy]
const flags = new Command()
  .name('bench-details')
  .requiredOption('--target-url <url>', 'PostgreSQL server to create the database on')
  .option('--scale <n>', 'sample scale (1 = 3,362 documents)', Number, 30)
  .option('--batch-size <n>', 'documents per batch', Number, 1000)
  .option('--writer <name>', 'copy or prisma', 'copy')
  .option('--work-dir <dir>', 'checkpoints and logs', join('.cache', 'bench', 'details'))
  .parse()
  .opts<{ targetUrl: string; scale: number; batchSize: number; writer: string; workDir: string }>();

const { dir: dumpDir, documents } = await benchDump(join('.cache', 'bench'), flags.scale);
const name = `bench_details_${process.pid}`;
const admin = new pg.Client({ connectionString: flags.targetUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
const url = new URL(flags.targetUrl);
url.pathname = `/${name}`;

try {
  const config = await loadConfig(undefined, {
    overrides: [{ source: { kind: 'mongodump', path: dumpDir }, target: { url: url.toString() }, batchSize: flags.batchSize, writer: flags.writer, checkpointDir: join(flags.workDir, 'checkpoints'), logDir: join(flags.workDir, 'logs') }],
  });
  const started = performance.now();
  const result = await migrate({ config, signal: new AbortController().signal, logger: createLogger({ quiet: true }), print: () => {}, resumeCommand: 'bench' });
  const wall = (performance.now() - started) / 1000;

  const validateStarted = performance.now();
  const validation = await validate({ config, logger: createLogger({ quiet: true }) });
  const validateSeconds = (performance.now() - validateStarted) / 1000;

  const target = new pg.Client({ connectionString: url.toString() });
  await target.connect();
  const { rows: tables } = await target.query<{ table_name: string; n: string }>(
    `SELECT table_name, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', table_name), false, true, '')))[1]::text AS n
       FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  const rows = tables.reduce((a, t) => a + Number(t.n), 0);
  // The physical limit: the same rows, COPY'd out and straight back into bare copies of the tables.
  let rawSeconds = 0;
  for (const { table_name } of tables) {
    const chunks: Buffer[] = [];
    for await (const chunk of target.query(copyTo(`COPY ${quoteIdent(table_name)} TO STDOUT`))) chunks.push(chunk as Buffer);
    await target.query(`CREATE TEMP TABLE raw_copy (LIKE ${quoteIdent(table_name)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const t0 = performance.now();
    await pipeline(Readable.from(chunks), target.query(copyFrom(`COPY raw_copy FROM STDIN`)));
    rawSeconds += (performance.now() - t0) / 1000;
    await target.query('DROP TABLE raw_copy');
  }
  await target.end();

  const t = result.timings;
  const perBatch = (s: number) => (t && t.batches > 0 ? `${((s / t.batches) * 1000).toFixed(2)} ms` : '-');
  const lines = [
    `in-process mongodump run: sample app at scale ${flags.scale}, ${flags.writer} writer, batches of ${flags.batchSize}`,
    `source documents      ${documents.toLocaleString('en-US')} (mongodump, Decimal128 money)`,
    `target rows           ${rows.toLocaleString('en-US')} in ${tables.length} tables (derived rows and junctions included)`,
    `status                ${result.status}, balanced: ${String(result.summary?.balanced)}, rejected: ${result.summary?.totals.rejected ?? '?'}`,
    `wall time             ${wall.toFixed(1)} s in process (schema, load, dangling-reference sweep, indexes, foreign keys)`,
    `batches               ${t?.batches ?? 0}`,
    `checkpoint in the tx  ${perBatch(t?.stateSeconds ?? 0)} per batch (id map COPY + rejections + progress row), ${t ? ((100 * t.stateSeconds) / t.batchSeconds).toFixed(1) : '-'}% of batch time`,
    `checkpoint file       ${perBatch(t?.fileSeconds ?? 0)} per batch (atomic rewrite + .bak)`,
    `validate:migration    ${validateSeconds.toFixed(1)} s, every row compared: ${validation.ok ? 'VALID' : `NOT VALID (${validation.findings.length} findings)`}`,
    `raw COPY of the rows  ${rawSeconds.toFixed(1)} s = ${Math.round(rows / rawSeconds).toLocaleString('en-US')} rows/s (the physical limit on this machine)`,
  ];
  console.log(lines.join('\n'));
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  await admin.end();
}
