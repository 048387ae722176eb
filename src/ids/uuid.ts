import { hash } from 'node:crypto';
import { ObjectId } from 'bson';
import { parse as parseUuid } from 'uuid';

/**
 * UUIDv7 that carries a whole ObjectId: the 48-bit millisecond time is the ObjectId's
 * seconds × 1000, and the 74 free bits (12 of rand_a, 62 of rand_b) hold the ObjectId's
 * other 8 bytes. Keys stay time-ordered (B-tree locality), the same ObjectId always gives
 * the same UUID, and the ObjectId can be read back without a lookup.
 */
export function uuidV7FromObjectId(oid: ObjectId): string {
  const src = oid.id;
  const b = new Uint8Array(16);
  // seconds × 1000 exceeds 32 bits: split the 48-bit product into high 16 and low 32 bits.
  const seconds = ((src[0] ?? 0) * 2 ** 24 + ((src[1] ?? 0) << 16) + ((src[2] ?? 0) << 8) + (src[3] ?? 0)) * 1000;
  const high = Math.floor(seconds / 2 ** 32);
  const low = seconds % 2 ** 32;
  b[0] = (high >>> 8) & 0xff;
  b[1] = high & 0xff;
  b[2] = (low >>> 24) & 0xff;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  // The ObjectId's bytes 4..11 (64 bits) as a bit stream: 12 bits into rand_a, 52 into rand_b, 10 zero bits of padding.
  const r = src.subarray(4, 12);
  const at = (i: number) => r[i] ?? 0;
  b[6] = 0x70 | (at(0) >>> 4);
  b[7] = ((at(0) & 0x0f) << 4) | (at(1) >>> 4);
  b[8] = 0x80 | (((at(1) & 0x0f) << 2) | (at(2) >>> 6));
  for (let i = 9; i < 15; i++) b[i] = ((at(i - 7) & 0x3f) << 2) | (at(i - 6) >>> 6);
  return uuidText(Buffer.from(b.buffer, b.byteOffset, 16));
}

/** The inverse of uuidV7FromObjectId; undefined when the UUID was not made by it. */
export function objectIdFromUuidV7(uuid: string): ObjectId | undefined {
  const b = parseUuid(uuid);
  if ((b[6] ?? 0) >> 4 !== 7 || ((b[8] ?? 0) & 0xc0) !== 0x80) return undefined;
  let ms = 0n;
  for (let i = 0; i < 6; i++) ms = (ms << 8n) | BigInt(b[i] ?? 0);
  if (ms % 1000n !== 0n) return undefined;
  const randA = (((b[6] ?? 0) & 0x0f) << 8) | (b[7] ?? 0);
  let randB = BigInt((b[8] ?? 0) & 0x3f);
  for (let i = 9; i < 16; i++) randB = (randB << 8n) | BigInt(b[i] ?? 0);
  if ((randB & 0x3ffn) !== 0n) return undefined;
  const rest = (BigInt(randA) << 52n) | (randB >> 10n);
  const out = new Uint8Array(12);
  const seconds = Number(ms / 1000n);
  out[0] = (seconds >>> 24) & 0xff;
  out[1] = (seconds >>> 16) & 0xff;
  out[2] = (seconds >>> 8) & 0xff;
  out[3] = seconds & 0xff;
  for (let i = 0; i < 8; i++) out[4 + i] = Number((rest >> BigInt(8 * (7 - i))) & 0xffn);
  return new ObjectId(out);
}

/** The default namespace for v5 ids; a run can set its own in config. */
export const DEFAULT_UUID_NAMESPACE = '6f1c3c1e-2b7e-5d3a-9d1e-6a0c8e4b7f21';

/**
 * Name-based UUIDv5 of `model:key` (RFC 9562: SHA-1 of the namespace's bytes and the name's
 * UTF-8): deterministic for any kind of source id. One per row and per reference, so the
 * namespace is parsed once, the bytes go through one scratch buffer, and the hash is node's
 * one-shot `crypto.hash`, not a general-purpose package call.
 */
export function uuidV5(namespace: string, model: string, key: string): string {
  const name = `${model}:${key}`;
  // UTF-16 units → at most 3 UTF-8 bytes each: room for any name before writing it.
  if (16 + 3 * name.length > scratch.length) scratch = Buffer.alloc(2 * (16 + 3 * name.length));
  scratch.set(namespaceBytes(namespace), 0);
  const length = 16 + scratch.write(name, 16, 'utf8');
  const hex = hash('sha1', scratch.subarray(0, length), 'hex');
  // Version 5 in the 13th hex digit, the RFC variant (10xx) in the 17th.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${VARIANT[hex.charCodeAt(16)] ?? ''}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

let scratch = Buffer.alloc(1024);

/** The variant digit for each hex digit's char code: (n & 0x3) | 0x8. */
const VARIANT: Record<number, string> = Object.fromEntries([...'0123456789abcdef'].map((c, n) => [c.charCodeAt(0), ((n & 3) | 8).toString(16)]));

/** The canonical text of the first 16 bytes: lower-case hex in 8-4-4-4-12. */
function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const namespaces = new Map<string, Uint8Array>();

function namespaceBytes(namespace: string): Uint8Array {
  let bytes = namespaces.get(namespace);
  if (!bytes) {
    bytes = parseUuid(namespace);
    namespaces.set(namespace, bytes);
  }
  return bytes;
}
