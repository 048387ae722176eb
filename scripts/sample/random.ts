// Every document draws from its own PRNG stream keyed by (seed, collection, index, salt),
// so any document can be rebuilt in isolation: that is what lets the generator stream
// and lets references be recomputed instead of remembered.

const saltHashes = new Map<string, number>();

/** FNV-1a: cheap, stable across platforms, good enough to key streams. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finalizer: spreads nearby inputs (index, index + 1) into unrelated seeds. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function cachedHash(text: string): number {
  let h = saltHashes.get(text);
  if (h === undefined) {
    h = hashString(text);
    saltHashes.set(text, h);
  }
  return h;
}

/** mulberry32: tiny state, fast, and plenty for test data. */
export class Rand {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks by relative weight; weights need not sum to 1. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let x = this.next() * total;
    for (const [value, w] of choices) {
      x -= w;
      if (x < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

export function streamSeed(seed: number, collection: string, index: number, salt: string): number {
  let h = mix32(seed ^ 0x9e3779b9);
  h = mix32(h ^ cachedHash(collection));
  h = mix32(h ^ index);
  h = mix32(h ^ cachedHash(salt));
  return h;
}

export function rand(seed: number, collection: string, index: number, salt = ''): Rand {
  return new Rand(streamSeed(seed, collection, index, salt));
}
