import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCollections } from '../sample/dump-writer.ts';
import type { CrmSample } from './crm-sample.ts';
import type { QuirkRecord } from './records.ts';

export interface CrmManifest {
  sample: 'crm';
  scale: number;
  seed: number;
  /** Documents per collection, as written. */
  counts: Record<string, number>;
  /** Values that must load (not be rejected), at known documents; see scripts/crm/README.md. */
  quirks: QuirkRecord[];
}

export function crmManifestOf(sample: CrmSample): CrmManifest {
  return { sample: 'crm', scale: sample.scale, seed: sample.seed, counts: { ...sample.counts }, quirks: sample.quirks };
}

/** dirt.json and manifest.json beside the database folder, as the first sample does. */
export async function writeCrmSidecars(dir: string, sample: CrmSample): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'dirt.json'), JSON.stringify(sample.dirt, null, 2) + '\n');
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(crmManifestOf(sample), null, 2) + '\n');
}

/** What `mongodump --out <dir>` would write for the CRM database, plus the two sidecars. */
export async function writeCrmDump(dir: string, sample: CrmSample, db = 'crm'): Promise<Record<string, number>> {
  const bytes = await writeCollections(join(dir, db), sample);
  await writeCrmSidecars(dir, sample);
  return bytes;
}
