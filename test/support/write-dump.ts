import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize, type Document } from 'bson';

/**
 * A mongodump folder made of the given documents, one `<collection>.bson` each (concatenated
 * BSON, as mongodump writes it). Returns the folder to pass as `--dump` / `source.path`.
 */
export function writeDumpFolder(collections: Readonly<Record<string, readonly Document[]>>, database = 'app'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'dump-')), database);
  mkdirSync(dir, { recursive: true });
  for (const [name, docs] of Object.entries(collections)) {
    writeFileSync(join(dir, `${name}.bson`), Buffer.concat(docs.map((d) => serialize(d))));
  }
  return dir;
}

/** Writes a file into a fresh temp folder and returns its path. */
export function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fixture-')), name);
  writeFileSync(path, text);
  return path;
}
