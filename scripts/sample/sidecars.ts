import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MoneyMode } from './money.ts';
import type { Sample } from './sample.ts';

export interface Manifest {
  scale: number;
  seed: number;
  money: MoneyMode;
  counts: Record<string, number>;
}

export function manifestOf(sample: Sample): Manifest {
  return { scale: sample.scale, seed: sample.seed, money: sample.money, counts: sample.counts };
}

/** dirt.json tells tests exactly which documents the migrator must reject. */
export async function writeSidecars(dir: string, sample: Sample): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'dirt.json'), JSON.stringify(sample.dirt, null, 2) + '\n');
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifestOf(sample), null, 2) + '\n');
}
