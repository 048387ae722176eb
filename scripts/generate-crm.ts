// Writes the deterministic MongoDB source data of the CRM sample (the second sample app, a
// Mongoose CRM: see scripts/crm/README.md), as a mongodump folder, into a live server, or both.
import { Command } from 'commander';
import { refuseStaleBuild } from '../src/cli/fresh-build.ts';
import { positiveNumber, seedValue } from './sample/cli-values.ts';
import { crmManifestOf, generateCrm, writeCrmDump } from './crm/index.ts';
import { writeGenerated } from './sample/write-generated.ts';

refuseStaleBuild();

interface CliOptions {
  scale: number;
  seed: number;
  out?: string;
  mongoUrl?: string;
  db: string;
}

const program = new Command('generate-crm')
  .description('Generate the MongoDB source data of the CRM sample (deterministic for the same flags).')
  .option('--scale <number>', 'multiplies the size of the business collections', positiveNumber, 1)
  .option('--seed <int>', 'PRNG seed', seedValue, 42)
  .option('--out <dir>', 'write a mongodump-format folder (<dir>/<db>/*.bson) plus dirt.json and manifest.json')
  .option('--mongo-url <url>', 'also insert into this live server (drops the collections first)')
  .option('--db <name>', 'database name', 'crm')
  .action(async (opts: CliOptions) => {
    if (opts.out === undefined && opts.mongoUrl === undefined) program.error('give --out <dir>, --mongo-url <url>, or both');
    const started = performance.now();
    const sample = generateCrm({ scale: opts.scale, seed: opts.seed });
    await writeGenerated({ sample, writeDump: (out, db) => writeCrmDump(out, sample, db), manifest: () => crmManifestOf(sample) }, opts, started);
  });

try {
  await program.parseAsync();
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
