import { maskSecrets } from './mask.ts';

type WriteCallback = (error?: Error | null) => void;

/**
 * Masks every string the process writes to stdout and stderr. Our own lines are masked where
 * they are made; this also covers text we do not format ourselves: commander echoing a mistyped
 * `--target-url=postgres://u:secret@…`, a driver's warning, an error message printed on the
 * way out. Only the CLIs call it, once, before they parse their flags.
 */
export function guardOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = function write(chunk: Uint8Array | string, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
      const masked = typeof chunk === 'string' ? maskSecrets(chunk) : chunk;
      if (typeof encodingOrCallback === 'function') return original(masked, encodingOrCallback);
      return original(masked, encodingOrCallback, callback);
    };
  }
}
