import { createHash } from 'node:crypto';
import { identifierBytes, MAX_IDENTIFIER_BYTES, storedIdentifier } from '../../target/identifiers.ts';

const HASH_CHARS = 8;

/**
 * A name PostgreSQL keeps whole: `name` itself when it fits in 63 bytes and is not taken, else
 * its first bytes, `_` and 8 hex digits of a SHA-256 of it, 63 bytes at most. Deterministic (the
 * same SQLite file gives the same schema on every run, so re-runs find their tables again) and
 * distinct from every name in `used`, to which it is added.
 *
 * @example fitIdentifier('a'.repeat(70), new Set()) // 'aaaa…a_<8 hex>' (63 bytes)
 */
export function fitIdentifier(name: string, used: Set<string>): string {
  let candidate = name;
  for (let attempt = identifierBytes(name) > MAX_IDENTIFIER_BYTES ? 0 : 1; identifierBytes(candidate) > MAX_IDENTIFIER_BYTES || used.has(candidate); attempt++) {
    const hash = createHash('sha256').update(attempt === 0 ? name : `${name}\u0000${attempt}`).digest('hex').slice(0, HASH_CHARS);
    candidate = `${storedIdentifier(name, MAX_IDENTIFIER_BYTES - HASH_CHARS - 1)}_${hash}`;
  }
  used.add(candidate);
  return candidate;
}
