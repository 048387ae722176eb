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

let tsxRegistered: Promise<void> | undefined;

/**
 * Imports a module the user names: a TypeScript or JavaScript config file, the transformers, the
 * generated Prisma client. They are TypeScript while the tool runs as compiled JavaScript, so
 * tsx's ESM loader is registered, once, the first time a TypeScript module is imported; a run
 * that imports none never loads tsx (and its esbuild).
 *
 * Registered for the whole process rather than through tsx's scoped `tsImport`: a scoped import
 * gives the module its own copy of every package it imports, so a transformer's `ObjectId` would
 * not be the one the migrator's documents are made of, and `instanceof` would fail. It also stays
 * registered, for a transformer's own lazy imports.
 */
export async function importUserModule(file: string): Promise<unknown> {
  const path = resolve(file);
  if (!FROM_SOURCES && TYPESCRIPT.has(extname(path))) {
    tsxRegistered ??= import('tsx/esm/api').then(({ register }) => {
      register();
    });
    await tsxRegistered;
  }
  return import(pathToFileURL(path).href);
}
