import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSample, writeDump } from '../sample/index.ts';

/**
 * The sample app as a mongodump folder at a scale (`.cache/bench/scale-<n>`), generated once and
 * reused: deterministic, so the same scale is the same data. Returns the folder and its documents.
 */
export async function benchDump(cacheDir: string, scale: number): Promise<{ dir: string; documents: number }> {
  const dir = join(cacheDir, `scale-${scale}`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    const started = performance.now();
    mkdirSync(dir, { recursive: true });
    const sample = generateSample({ scale });
    await writeDump(dir, sample); // with dirt.json and manifest.json
    console.error(`generated the mongodump sample at scale ${scale} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { counts: Record<string, number> };
  return { dir, documents: Object.values(manifest.counts).reduce((a, b) => a + b, 0) };
}
