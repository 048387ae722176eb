import { writeMongo, type MongoWritableSample } from './mongo-writer.ts';

/** What both sample generators write, each with its own dump writer and manifest. */
export interface Generated {
  sample: MongoWritableSample & { counts: Readonly<Record<string, number>>; dirt: readonly unknown[] };
  /** Writes the mongodump folder (and dirt.json, manifest.json beside it); bytes of BSON per collection. */
  writeDump(out: string, db: string): Promise<Readonly<Record<string, number>>>;
  manifest(): unknown;
}

/**
 * The generators' common end: a dump folder, a live server, or both, and one line of totals.
 * With only a live server the manifest and dirt go to stdout, since no folder holds them.
 */
export async function writeGenerated(generated: Generated, opts: { out?: string | undefined; mongoUrl?: string | undefined; db: string }, started: number): Promise<void> {
  const { sample } = generated;
  if (opts.out !== undefined) {
    const bytes = await generated.writeDump(opts.out, opts.db);
    const total = Object.values(bytes).reduce((a, b) => a + b, 0);
    console.error(`dump: ${opts.out}/${opts.db} (${(total / 1e6).toFixed(1)} MB of BSON)`);
  }
  if (opts.mongoUrl !== undefined) {
    const { indexFailures } = await writeMongo(opts.mongoUrl, opts.db, sample);
    if (opts.out === undefined) console.log(JSON.stringify({ manifest: generated.manifest(), dirt: sample.dirt }, null, 2));
    if (indexFailures.length > 0) console.error(`live: ${indexFailures.length} unique index(es) refused, see warnings above`);
  }
  const docs = Object.values(sample.counts).reduce((a, b) => a + b, 0);
  console.error(`${docs} documents in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
