import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * An exception from a transformer's own code: a typo, a bad assumption, a library call that
 * throws. Unlike a `RejectError` (this document cannot be migrated as it is), it says nothing
 * about the data and would repeat on every document, so the run stops with the transformer's
 * file and line instead of rejecting the whole collection and its dependants (pgloader
 * likewise stops on a failing transform function but logs a bad row).
 */
export class TransformerBug extends Error {
  override name = 'TransformerBug';
  /** `transformers/post.ts:14:30`, or undefined when no frame outside the migrator was found. */
  readonly location: string | undefined;

  constructor(model: string, sourceId: string, error: unknown, custom: boolean) {
    const original = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    const location = error instanceof Error ? userFrame(error.stack ?? '', !custom) : undefined;
    const where = custom
      ? `the transformer for ${model}${location ? ` (${location})` : ''}`
      : `the migrator's default transformer for ${model}${location ? ` (${location})` : ''}`;
    const what = custom
      ? 'This is an error in the transformer, not in the data: no document was rejected for it. Fix the transformer and run the same command again; every committed batch is kept.'
      : 'This is a bug in the migrator, not in your data: please report it with this message. Every committed batch is kept.';
    super(`${where} threw on document ${sourceId}: ${original}\n${what}`);
    this.location = location;
  }
}

/**
 * The migrator's own code: frames there are the context's code, not the transformer's. Compiled,
 * this file is dist/src/transform/…; a frame then names dist/src/… or, through the source maps,
 * src/…, and a transformer importing `../src/transform/reject.ts` loads that file from src/.
 */
const OWN_CODE = dirname(dirname(fileURLToPath(import.meta.url)));
const OWN_SOURCES = [...new Set([OWN_CODE, OWN_CODE.replace(/[\\/]dist([\\/]src)$/, '$1')])].map((dir) => dir + sep);

/**
 * The first stack frame in the user's code: not in the migrator's src/, not in a dependency,
 * not in Node itself. Frames look like `at transform (file:///app/transformers/post.ts:14:30)`.
 * With `anyFrame`, the first frame of all (for a bug report on the migrator's own code).
 */
function userFrame(stack: string, anyFrame: boolean): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const m = /((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const [, raw = '', row, col] = m;
    const file = raw.startsWith('file://') ? fileURLToPath(raw) : raw;
    if (!anyFrame && (OWN_SOURCES.some((dir) => file.startsWith(dir)) || file.includes(`${sep}node_modules${sep}`))) continue;
    const inside = file.startsWith(process.cwd() + sep);
    return `${inside ? relative(process.cwd(), file) : file}:${row}:${col}`;
  }
  return undefined;
}
