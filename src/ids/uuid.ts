import { ObjectId } from 'bson';
import { parse as parseUuid, stringify, v5 } from 'uuid';

/**
 * UUIDv7 that carries a whole ObjectId: the 48-bit millisecond time is the ObjectId's
 * seconds × 1000, and the 74 free bits (12 of rand_a, 62 of rand_b) hold the ObjectId's
 * other 8 bytes. Keys stay time-ordered (B-tree locality), the same ObjectId always gives
 * the same UUID, and the ObjectId can be read back without a lookup.
 */
export function uuidV7FromObjectId(oid: ObjectId): string {
  const src = oid.id;
  const b = new Uint8Array(16);
  const ms = BigInt(oid.getTimestamp().getTime());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  // The 64 remaining ObjectId bits, high first: 12 go to rand_a, 52 to rand_b.
  let rest = 0n;
  for (let i = 4; i < 12; i++) rest = (rest << 8n) | BigInt(src[i] ?? 0);
  const randA = Number(rest >> 52n);
  const randB = (rest & ((1n << 52n) - 1n)) << 10n;
  b[6] = 0x70 | (randA >> 8);
  b[7] = randA & 0xff;
  b[8] = 0x80 | Number((randB >> 56n) & 0x3fn);
  for (let i = 9; i < 16; i++) b[i] = Number((randB >> BigInt(8 * (15 - i))) & 0xffn);
  return stringify(b);
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

/** Name-based UUIDv5 of `model:key`: deterministic for any kind of source id. */
export function uuidV5(namespace: string, model: string, key: string): string {
  return v5(`${model}:${key}`, namespace);
}
