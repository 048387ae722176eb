// Writes the deterministic MongoDB source data of the sample shop+blog app,
// as a mongodump folder, into a live server, or both.
import { Command, Option } from 'commander';
import { refuseStaleBuild } from '../src/cli/fresh-build.ts';
import { positiveNumber, seedValue } from './sample/cli-values.ts';
import type { MoneyMode } from './sample/index.ts';
import { generateSample, manifestOf, writeDump } from './sample/index.ts';
import { writeGenerated } from './sample/write-generated.ts';

refuseStaleBuild();

interface CliOptions {
  scale: number;
  seed: number;
  money: MoneyMode;
  out?: string;
  mongoUrl?: string;
  db: string;
}

const program = new Command('generate-sample')
  .description('Generate the MongoDB source data of the sample app (deterministic for the same flags).')
  .option('--scale <number>', 'multiplies every collection size', positiveNumber, 1)
  .option('--seed <int>', 'PRNG seed', seedValue, 42)
  .addOption(new Option('--money <mode>', 'BSON type for money').choices(['decimal128', 'double']).default('decimal128'))
  .option('--out <dir>', 'write a mongodump-format folder (<dir>/<db>/*.bson) plus dirt.json and manifest.json')
  .option('--mongo-url <url>', 'also insert into this live server (drops the collections first)')
  .option('--db <name>', 'database name', 'shop')
  .action(async (opts: CliOptions) => {
    if (opts.out === undefined && opts.mongoUrl === undefined) program.error('give --out <dir>, --mongo-url <url>, or both');
    const started = performance.now();
    const sample = generateSample({ scale: opts.scale, seed: opts.seed, money: opts.money });
    await writeGenerated({ sample, writeDump: async (out, db) => (await writeDump(out, sample, db)).bytes, manifest: () => manifestOf(sample) }, opts, started);
  });

try {
  await program.parseAsync();
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
