import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { refuseStaleBuild } from '../src/cli/fresh-build.ts';
import { guardOutput } from '../src/log/guard-output.ts';
import { fillIdMap } from '../src/target/id-identity.ts';

refuseStaleBuild();

// Exports the persisted id map (source id → UUID, per model) as CSV, streamed with COPY so
// millions of rows take no memory: the file a team needs to redirect old ids to new ones.
// commander echoes a mistyped flag with its value: a URL's password must not reach the terminal.
guardOutput();
const program = new Command()
  .name('migration:id-map')
  .description('Export _migration.id_map as CSV (model, source_id, source_kind, uuid).')
  .requiredOption('--out <file>', 'CSV file to write')
  .option('--target-url <url>', 'PostgreSQL holding the migration (env DATABASE_URL)')
  .option('--model <name>', 'only this model')
  .parse();
const flags = program.opts<{ out: string; targetUrl?: string; model?: string }>();
const url = flags.targetUrl ?? process.env['DATABASE_URL'];
if (!url) {
  process.stderr.write('set DATABASE_URL or --target-url (for the embedded database: npm run db:embedded prints its URL)\n');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 2 });
// A direct copy leaves the rows of keys that are their own source ids to whoever reads them.
await fillIdMap(pool, flags.model ? [flags.model] : undefined);
const client = await pool.connect();
const where = flags.model ? `WHERE model = ${client.escapeLiteral(flags.model)}` : '';
const sql = `COPY (SELECT model, source_id, source_kind, uuid FROM _migration.id_map ${where} ORDER BY model, source_id) TO STDOUT WITH (FORMAT csv, HEADER)`;
await pipeline(client.query(copyTo(sql)), createWriteStream(flags.out));
client.release();
await pool.end();
process.stderr.write(`wrote ${flags.out}\n`);
