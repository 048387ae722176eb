import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { refuseStaleBuild } from '../src/cli/fresh-build.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { createLogger } from '../src/log/logger.ts';
import { migrate } from '../src/run/migrate.ts';
import { startEmbeddedPostgres } from '../src/target/embedded-postgres.ts';
import { quoteIdent } from '../src/target/identifiers.ts';
import { validate } from '../src/validate/validate.ts';
import { generateSample, writeDump } from './sample/index.ts';

refuseStaleBuild();

// The speed and memory report: the sample app at a chosen scale, from a mongodump folder into
// a fresh database, with the cost of checkpointing per batch and the raw COPY rate of the very
// same rows as the physical limit to compare with.
const flags = new Command()
  .name('bench')
  .option('--scale <n>', 'sample scale (1 = 3,362 documents)', Number, 30)
  .option('--batch-size <n>', 'documents per batch', Number, 1000)
  .option('--writer <name>', 'copy or prisma', 'copy')
  .option('--target-url <url>', 'PostgreSQL server (env DATABASE_URL; default: embedded)')
  .option('--keep', 'keep the benchmark database')
  .parse()
  .opts<{ scale: number; batchSize: number; writer: string; targetUrl?: string; keep?: boolean }>();

const dumpDir = join('.cache', 'bench', `scale-${flags.scale}`);
if (!existsSync(join(dumpDir, 'manifest.json'))) {
  const started = performance.now();
  mkdirSync(dumpDir, { recursive: true });
  const sample = generateSample({ scale: flags.scale });
  await writeDump(dumpDir, sample);
  const { writeSidecars } = await import('./sample/index.ts');
  await writeSidecars(dumpDir, sample);
  console.log(`generated scale ${flags.scale} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const manifest = JSON.parse(readFileSync(join(dumpDir, 'manifest.json'), 'utf8')) as { counts: Record<string, number> };
const documents = Object.values(manifest.counts).reduce((a, b) => a + b, 0);

const embedded = flags.targetUrl ?? process.env['DATABASE_URL'] ? undefined : await startEmbeddedPostgres({ dataDir: join('.cache', 'bench-pg'), port: 54349 });
const adminUrl = flags.targetUrl ?? process.env['DATABASE_URL'] ?? embedded?.url ?? '';
const name = `bench_${Date.now()}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const config = await loadConfig(undefined, {
  overrides: [{ source: { kind: 'mongodump', path: dumpDir }, target: { url: url.toString() }, batchSize: flags.batchSize, writer: flags.writer, checkpointDir: join('.cache', 'bench', 'checkpoints'), logDir: join('.cache', 'bench', 'logs') }],
});
const started = performance.now();
const result = await migrate({ config, signal: new AbortController().signal, logger: createLogger({ quiet: true }), print: () => {}, resumeCommand: 'bench' });
const wall = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const validateStarted = performance.now();
const validation = await validate({ config, logger: createLogger({ quiet: true }) });
const validateSeconds = (performance.now() - validateStarted) / 1000;

const target = new pg.Pool({ connectionString: url.toString(), max: 2 });
// pg-pool's end() resolves before its clients' sessions have closed; DROP DATABASE … WITH (FORCE)
// below may then end one, and the pool would re-emit that as an unhandled 'error'.
target.on('error', () => {});
const { rows: tables } = await target.query<{ table_name: string; n: string }>(
  `SELECT table_name, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', table_name), false, true, '')))[1]::text AS n
     FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
);
const rows = tables.reduce((a, t) => a + Number(t.n), 0);

// The physical limit: the same rows, COPY'd out and straight back into bare copies of the tables.
let rawSeconds = 0;
const client = await target.connect();
for (const { table_name } of tables) {
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo(`COPY ${quoteIdent(table_name)} TO STDOUT`))) chunks.push(chunk as Buffer);
  await client.query(`CREATE TEMP TABLE raw_copy (LIKE ${quoteIdent(table_name)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  const t0 = performance.now();
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY raw_copy FROM STDIN`)));
  rawSeconds += (performance.now() - t0) / 1000;
  await client.query('DROP TABLE raw_copy');
}
client.release();
await target.end();
if (!flags.keep) await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
await admin.end();
await embedded?.stop();

const t = result.timings;
const perBatch = (s: number) => (t && t.batches > 0 ? `${((s / t.batches) * 1000).toFixed(2)} ms` : '-');
const lines = [
  `# Benchmark: sample app at scale ${flags.scale}, ${flags.writer} writer, batches of ${flags.batchSize}`,
  `source documents      ${documents.toLocaleString('en-US')} (mongodump, Decimal128 money)`,
  `target rows           ${rows.toLocaleString('en-US')} in ${tables.length} tables (derived rows and junctions included)`,
  `status                ${result.status}, balanced: ${String(result.summary?.balanced)}, rejected: ${result.summary?.totals.rejected ?? '?'}`,
  `wall time             ${wall.toFixed(1)} s (schema, load, dangling-reference sweep, indexes, foreign keys)`,
  `throughput            ${Math.round(documents / wall).toLocaleString('en-US')} documents/s, ${Math.round(rows / wall).toLocaleString('en-US')} rows/s`,
  `peak memory (RSS)     ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  `batches               ${t?.batches ?? 0}`,
  `checkpoint in the tx  ${perBatch(t?.stateSeconds ?? 0)} per batch (id map COPY + rejections + progress row), ${t ? ((100 * t.stateSeconds) / t.batchSeconds).toFixed(1) : '-'}% of batch time`,
  `checkpoint file       ${perBatch(t?.fileSeconds ?? 0)} per batch (atomic rewrite + .bak)`,
  `validate:migration    ${validateSeconds.toFixed(1)} s, every row compared: ${validation.ok ? 'VALID' : `NOT VALID (${validation.findings.length} findings)`}`,
  `raw COPY of the rows  ${rawSeconds.toFixed(1)} s = ${Math.round(rows / rawSeconds).toLocaleString('en-US')} rows/s (the physical limit on this machine)`,
];
console.log(lines.join('\n'));
