import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSample, writeDump, writeMongo, type Sample } from '../../scripts/sample/index.ts';
import { mongoUrl } from './databases.ts';

/** The sample app written as a mongodump folder (Decimal128 money). */
export async function sampleDump(scale: number, seed = 42): Promise<{ sample: Sample; dir: string }> {
  const sample = generateSample({ scale, seed, money: 'decimal128' });
  const dir = mkdtempSync(join(tmpdir(), 'sample-dump-'));
  await writeDump(dir, sample);
  return { sample, dir };
}

/** The same sample in the live MongoDB-wire server (Double money: FerretDB has no Decimal128). */
export async function sampleLive(scale: number, seed = 42): Promise<{ sample: Sample; url: string; database: string }> {
  const sample = generateSample({ scale, seed, money: 'double' });
  const database = `shop_${randomBytes(3).toString('hex')}`;
  await writeMongo(mongoUrl(), database, sample, () => {});
  return { sample, url: mongoUrl(), database };
}
