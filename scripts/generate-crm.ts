// Writes the deterministic MongoDB source data of the CRM sample (the second sample app, a
// Mongoose CRM: see scripts/crm/README.md), as a mongodump folder, into a live server, or both.
import { Command, InvalidArgumentError } from 'commander';
import { crmManifestOf, generateCrm, writeCrmDump, writeMongo } from './crm/index.ts';

interface CliOptions {
  scale: number;
  seed: number;
  out?: string;
  mongoUrl?: string;
  db: string;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function seedValue(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new InvalidArgumentError('expected an integer in [0, 2^32)');
  return n;
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
    if (opts.out !== undefined) {
      const bytes = await writeCrmDump(opts.out, sample, opts.db);
      const total = Object.values(bytes).reduce((a, b) => a + b, 0);
      console.error(`dump: ${opts.out}/${opts.db} (${(total / 1e6).toFixed(1)} MB of BSON)`);
    }
    if (opts.mongoUrl !== undefined) {
      const { indexFailures } = await writeMongo(opts.mongoUrl, opts.db, sample);
      // With --out, writeCrmDump has already put dirt.json and manifest.json there.
      if (opts.out === undefined) console.log(JSON.stringify({ manifest: crmManifestOf(sample), dirt: sample.dirt }, null, 2));
      if (indexFailures.length > 0) console.error(`live: ${indexFailures.length} unique index(es) refused, see warnings above`);
    }
    const docs = Object.values(sample.counts).reduce((a, b) => a + b, 0);
    console.error(`${docs} documents in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

try {
  await program.parseAsync();
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
