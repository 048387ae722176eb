import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The extensions Node 20 cannot import by itself. */
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/**
 * Whether the migrator itself runs from its TypeScript sources (tsx in development, jest): then
 * whatever loaded this file loads the user's TypeScript too. Compiled (`dist/`, plain node),
 * nothing does until tsx is registered.
 */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

let throughTsx: Promise<(url: string) => Promise<unknown>> | undefined;

/**
 * Imports a module the user names: a TypeScript or JavaScript config file, the transformers, the
 * generated Prisma client. They are TypeScript while the tool runs as compiled JavaScript, so
 * tsx is registered, once, the first time a TypeScript module is imported (about 0.3 s: its
 * loader thread and esbuild); a run that imports none never loads it.
 *
 * tsx's ESM and CommonJS hooks are both registered, as `node --import tsx` registers them, and
 * for the whole process rather than through tsx's scoped `tsImport`: a scoped import gives the
 * module its own copy of every package it imports, so a transformer's `ObjectId` would not be
 * the one the migrator's documents are made of, and `instanceof` would fail. They stay
 * registered, for a transformer's own lazy imports.
 */
export async function importUserModule(file: string): Promise<unknown> {
  const path = resolve(file);
  const url = pathToFileURL(path).href;
  if (FROM_SOURCES || !TYPESCRIPT.has(extname(path))) return import(url);
  throughTsx ??= (async () => {
    const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    esm.register();
    cjs.register();
    return (await import('./import-through-tsx.ts')).importThroughTsx;
  })();
  return (await throughTsx)(url);
}
