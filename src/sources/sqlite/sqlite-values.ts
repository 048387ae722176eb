/** SQLite storage classes, as `typeof()` names them. */
export type StorageClass = 'null' | 'integer' | 'real' | 'text' | 'blob';

/**
 * Text whose bytes are not valid UTF-8. It is kept as bytes so the casting rules can refuse it
 * by name instead of a driver quietly replacing the bad bytes with U+FFFD.
 */
export class InvalidText {
  constructor(readonly bytes: Buffer) {}
  toString(): string {
    return `invalid UTF-8 text (bytes ${this.bytes.subarray(0, 16).toString('hex')}${this.bytes.length > 16 ? '…' : ''})`;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** One value as read: integers as bigint (exact beyond 2^53), text decoded strictly, blobs as Buffer. */
export function decodeValue(storage: string, raw: unknown): unknown {
  switch (storage) {
    case 'null':
      return null;
    case 'text': {
      const bytes = raw as Buffer;
      try {
        return strictUtf8.decode(bytes);
      } catch {
        return new InvalidText(Buffer.from(bytes));
      }
    }
    case 'integer':
      return typeof raw === 'bigint' ? raw : BigInt(raw as number);
    case 'real':
      return Number(raw);
    default:
      return Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
  }
}

export function storageOf(value: unknown): StorageClass {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return 'integer';
  // Integers are read as bigint; a JS number is always a REAL, integral or not (1e300 is a REAL).
  if (typeof value === 'number') return 'real';
  if (typeof value === 'string' || value instanceof InvalidText) return 'text';
  return 'blob';
}
