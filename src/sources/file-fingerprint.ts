import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Measure } from './source-fingerprint.ts';

/** Bytes hashed at each end of a file: enough to see an append, a prepend or a cut, cheap for any size. */
const CHUNK = 64 * 1024;

/**
 * Size, modification time and sha256 of the first and last 64 KiB of a file. An append or a
 * cut changes the size and the tail, a prepend the head; an edit in the middle shows in the
 * time only (hashing whole dumps would cost as much as reading them).
 */
export function fileMeasures(path: string): Record<string, Measure> {
  const stat = statSync(path);
  const fd = openSync(path, 'r');
  try {
    const headLength = Math.min(CHUNK, stat.size);
    const tailStart = Math.max(0, stat.size - CHUNK);
    return {
      size: stat.size,
      mtime: stat.mtime.toISOString(),
      'head sha256': hashRange(fd, 0, headLength),
      'tail sha256': hashRange(fd, tailStart, stat.size - tailStart),
    };
  } finally {
    closeSync(fd);
  }
}

function hashRange(fd: number, start: number, length: number): string {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, start + done);
    if (n === 0) break;
    done += n;
  }
  return shortHash(buffer.subarray(0, done));
}

/** The first 16 hex digits of a sha256: enough to tell two versions apart, short enough to print. */
export function shortHash(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}
