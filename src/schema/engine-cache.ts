import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the results of Prisma's WASM engines are kept: `.cache/prisma-engines/` in the working
 * directory, next to the embedded server's `.data/`. Loading an engine and asking it costs more
 * than the rest of STEP 1 (about 0.3 s for the DMMF, 0.4 s for the DDL), and a re-run or a resume
 * asks the same question about the same schema again.
 */
export const ENGINE_CACHE_DIR = join('.cache', 'prisma-engines');

const versions = new Map<string, string>();

/** The installed version of an engine package: an upgraded engine answers afresh. */
function engineVersion(enginePackage: string): string {
  let version = versions.get(enginePackage);
  if (version === undefined) {
    // The package's exports may not include its package.json: found from its entry point upwards.
    let dir = dirname(createRequire(import.meta.url).resolve(enginePackage));
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === enginePackage) {
          version = String(pkg.version);
          break;
        }
      } catch {
        // no package.json at this level
      }
      if (dirname(dir) === dir) throw new Error(`cannot find the package.json of ${enginePackage}`);
      dir = dirname(dir);
    }
    versions.set(enginePackage, version);
  }
  return version;
}

/**
 * The file name an engine's answer is kept under: what it is (`ddl`, `dmmf`) and a hash of
 * everything the answer depends on: the engine's version and the request (options and schema text).
 */
export function engineCacheKey(kind: string, enginePackage: string, request: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of [kind, enginePackage, engineVersion(enginePackage), ...request]) hash.update(`${part.length}:${part}`);
  return `${kind}-${hash.digest('hex')}.json`;
}

/** The kept answer, parsed, or undefined when there is none or it cannot be read (then the caller asks the engine). */
export function readCached(key: string, dir = ENGINE_CACHE_DIR): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, key), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Keeps an answer. Written to a temporary file and renamed, so a reader in another process sees
 * the whole file or none. A cache that cannot be written only makes the next run slower.
 */
export function writeCached(key: string, value: unknown, dir = ENGINE_CACHE_DIR): void {
  const temporary = join(dir, `${key}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, join(dir, key));
  } catch {
    // read-only or full: the engine is asked again next time
  }
}
