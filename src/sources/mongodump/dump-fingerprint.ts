import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileMeasures } from '../file-fingerprint.ts';
import type { SourceFingerprint } from '../source-fingerprint.ts';

/**
 * Per collection: its `.bson` (or `.bson.gz`) file and its `.metadata.json`, each by size, time
 * and hashes of head and tail. A resume seeks to a byte offset, so a file that grew, shrank or
 * gained documents in front would be read from the wrong place: this is what catches it.
 */
export function dumpFingerprint(dir: string, collections: readonly string[]): SourceFingerprint {
  const takenAt = new Date().toISOString();
  const parts: SourceFingerprint['parts'] = {};
  for (const collection of collections) {
    // A file that is gone has no part, so the comparison names it as gone.
    const names = [`${collection}.bson`, `${collection}.bson.gz`, `${collection}.metadata.json`, `${collection}.metadata.json.gz`];
    const files = names.map((f) => join(dir, f)).filter((f) => existsSync(f));
    for (const file of files) parts[`file ${basename(file)}`] = fileMeasures(file);
  }
  return { takenAt, parts };
}
