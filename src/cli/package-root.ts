import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Whether the tool runs as the compiled JavaScript of `npm run build` (dist/src/cli/…) rather
 * than from its TypeScript sources (src/cli/…, under tsx or jest).
 */
export const COMPILED = import.meta.url.endsWith('.js') && basename(resolve(here, '..', '..')) === 'dist';

/** The folder holding package.json, src/ and dist/, wherever the tool runs from. */
export const PACKAGE_ROOT = resolve(here, ...(COMPILED ? ['..', '..', '..'] : ['..', '..']));
