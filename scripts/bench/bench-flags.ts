import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';

export const MODE_NAMES = ['direct', 'direct-1t', 'schema', 'pgloader', 'shell', 'mongodump', 'ferretdb', 'sync'] as const;

export interface BenchFlags {
  rows: number;
  repeat: number;
  mongoRepeat: number;
  only?: string[];
  scale: number;
  syncSeed: number;
  ferretdb?: boolean;
  mongoUrl?: string;
  profile?: boolean;
  details?: boolean;
  batchSize?: number;
  writer?: string;
  targetUrl?: string;
  out: string;
  timeout: number;
  keep?: boolean;
}

const count = (min: number) => (v: string) => {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
  return n;
};

const modeList = (v: string): string[] => {
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((m) => !(MODE_NAMES as readonly string[]).includes(m));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown mode(s) ${unknown.join(', ')}; the modes are ${MODE_NAMES.join(', ')}`);
  return names;
};

/** `npm run bench -- …`: commander exits with its usage message (and code) on a bad flag. */
export function parseBenchFlags(argv: readonly string[] = process.argv): BenchFlags {
  return new Command()
    .name('bench')
    .description('Side-by-side throughput and memory of this tool, pgloader and a shell pipeline (each its own process, a fresh database per run).')
    .option('--rows <n>', 'rows of the SQLite file (made once, cached in .cache/bench)', count(10), 5_000_000)
    .option('--repeat <n>', 'runs of each SQLite mode, interleaved (0: none, e.g. with --profile)', count(0), 3)
    .option('--mongo-repeat <n>', 'runs of each MongoDB mode (and of each sync row)', count(0), 1)
    .option(
      '--only <modes>',
      `a subset, comma-separated: ${MODE_NAMES.join(', ')} (ferretdb: only with --ferretdb or MONGO_URL by default; sync: only when named, ` +
        'its rows are baseline and sync of the sample with 1% changed, and a full re-migration)',
      modeList,
    )
    .option('--scale <n>', 'mongodump sample scale (1 = 3,362 documents)', Number, 30)
    .option('--sync-seed <n>', 'seed of the 1% changes of the sync rows', count(0), 13)
    .option('--ferretdb', 'also read the sample from a live FerretDB (built with Go on first use), or from MONGO_URL')
    .option('--mongo-url <url>', 'the live server of the ferretdb row (env MONGO_URL); the sample is loaded into its database bench_sample_s<scale>')
    .option('--profile', "profile the tool's direct mode once (V8 CPU profile) and print self time by stage")
    .option('--details', 'the in-process mongodump extras: checkpoint cost per batch, validate time, raw COPY')
    .option('--batch-size <n>', 'passed to every run of the tool (its default otherwise)', count(1))
    .option('--writer <name>', 'passed to every run of the tool: copy or prisma')
    .option('--target-url <url>', 'PostgreSQL server the databases are made on (env DATABASE_URL; default: embedded)')
    .option('--out <dir>', 'where report.md and report.json go', join('.cache', 'bench'))
    .option('--timeout <s>', 'seconds a run may take before it is killed and marked FAILED', count(1), 3600)
    .option('--keep', 'keep every database and run folder')
    .parse(argv)
    .opts<BenchFlags>();
}
