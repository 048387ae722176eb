import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startFerretDB, type FerretServer } from '../../test/support/ferretdb.ts';
import type { BenchMode } from './bench-mode.ts';
import { packageScript } from './package-script.ts';
import { cpuSecondsOf, readProcs } from './proc-stats.ts';
import { runTool } from './tool-run.ts';

const FERRETDB = /^ferretdb/;

/**
 * This tool reading a live MongoDB-wire server: `MONGO_URL` when given, else a FerretDB started
 * as the tests start it (built from test/ferretdb with Go on first use: minutes). The sample at
 * `--scale` is loaded into it once, not timed (`npm run sample:mongo`, money as doubles: FerretDB
 * has no Decimal128), into a database of the bench's own. FerretDB's CPU is reported as a note:
 * it is the source server, outside the measured tree.
 */
export function ferretdbMode(options: { mongoUrl?: string; scale: number }): BenchMode {
  let server: FerretServer | undefined;
  let url = options.mongoUrl ?? '';
  const database = `bench_sample_s${String(options.scale).replace(/\W/g, '_')}`;
  return {
    name: 'ferretdb',
    label: options.mongoUrl ? 'this tool, live MongoDB (MONGO_URL)' : 'this tool, live FerretDB',
    family: 'mongo',
    unavailable: () => undefined,
    async prepare(ctx) {
      if (!options.mongoUrl) {
        server = await startFerretDB({ dataDir: join(ctx.workDir, 'ferretdb-data') });
        url = server.url;
      }
      const started = performance.now();
      const { argv, env } = packageScript(ctx.root, 'sample:mongo', [url, '--scale', String(options.scale), '--db', database]);
      const loaded = spawnSync(argv[0] as string, argv.slice(1), { cwd: ctx.root, env, encoding: 'utf8', maxBuffer: 1 << 28 });
      if (loaded.status !== 0) throw new Error(`loading the sample into ${url} failed (exit ${loaded.status}):\n${loaded.stderr}`);
      console.error(`loaded the sample at scale ${options.scale} into ${url}${database} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    },
    async run(ctx, round) {
      const before = cpuSecondsOf(FERRETDB, readProcs());
      const outcome = await runTool(ctx, { script: 'migrate:mongo-to-postgres', mode: 'ferretdb', round, args: ['--mongo-url', url, '--mongo-db', database], check: 'tool-balance' });
      if (server) outcome.notes.push(`FerretDB server CPU ${(cpuSecondsOf(FERRETDB, readProcs()) - before).toFixed(1)} s (not in CPU node)`);
      return outcome;
    },
    async dispose() {
      await server?.stop();
    },
  };
}
