import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ObjectId, type Document } from 'bson';
import { databaseFolder } from '../../src/sources/mongodump/mongodump-source.ts';
import { COLLECTIONS, type CollectionName } from '../sample/collection-names.ts';
import { SPECS } from '../sample/collections/index.ts';
import { hashString, Rand } from '../sample/random.ts';
import { observe, RECIPES, SILENT_EVERY, STAMP_FIELD, UNMAPPED_FIELD, type DumpFacts } from './change-recipe.ts';
import { appendDate, decodeFaithfully, encode, rawDocuments } from './dump-documents.ts';

/** Shares of all documents of the dump, per kind of change. */
export interface ChangeShares {
  /** A mapped field updated: the baseline counts it changed. */
  mapped: number;
  /** An unmapped field added: the baseline counts it unchanged. */
  unmapped: number;
  /** A copy of a document under a new ObjectId, its unique fields made unique. */
  inserted: number;
  /** A document nothing references, gone. */
  deleted: number;
}

/** 1% of the documents: 0.4% mapped updates, 0.1% unmapped updates, 0.3% inserts, 0.2% deletes. */
export const ONE_PERCENT: ChangeShares = { mapped: 0.004, unmapped: 0.001, inserted: 0.003, deleted: 0.002 };

type Kind = keyof ChangeShares;
const KINDS: readonly Kind[] = ['deleted', 'mapped', 'unmapped', 'inserted']; // the most constrained is picked first

export interface CollectionChanges extends Record<Kind, number> {
  collection: CollectionName;
  model: string;
  /** Documents before the changes. */
  documents: number;
  /** Its clean documents carry STAMP_FIELD (with `stamp` given and the recipe stamped). */
  stamped: boolean;
  /** Of the mapped updates, those that kept the old stamp (every SILENT_EVERY-th of a stamped collection): --since misses them. */
  silent: number;
  /** Their ids (hex). */
  silentIds: string[];
}

/**
 * The "last changed" times of the changed dump: untouched documents get `before`, every edit and
 * copy `after` (but the silent updates, which keep `before`). --since between the two sees the
 * edits. Planted dirt keeps its bytes and so has no stamp.
 */
export interface DumpStamps {
  before: Date;
  after: Date;
}

/** What changeDump did; written as changes.json next to the changed dump's database folder. */
export interface DumpChanges {
  seed: number;
  shares: ChangeShares;
  /** Documents of the original dump, and of the changed one. */
  documents: number;
  changedDocuments: number;
  /** Every change of every kind: the records a sync has to apply or look at. */
  changes: number;
  totals: Record<Kind, number>;
  /** The stamps given, as ISO text, and the silent updates of all collections. */
  stamp?: { field: string; before: string; after: string; silent: number };
  collections: CollectionChanges[];
}

/**
 * Splits `total` over the collections in proportion to their sizes (largest remainder, ties in
 * collection order), so the shares add up exactly.
 */
export function allocate(total: number, sizes: ReadonlyMap<CollectionName, number>): Map<CollectionName, number> {
  const all = [...sizes.values()].reduce((a, b) => a + b, 0);
  const out = new Map<CollectionName, number>();
  if (all === 0) return out;
  const exact = [...sizes].map(([c, n]) => ({ c, share: (total * n) / all }));
  for (const { c, share } of exact) out.set(c, Math.floor(share));
  let left = total - [...out.values()].reduce((a, b) => a + b, 0);
  for (const { c } of [...exact].sort((a, b) => b.share - Math.floor(b.share) - (a.share - Math.floor(a.share)))) {
    if (left-- <= 0) break;
    out.set(c, (out.get(c) ?? 0) + 1);
  }
  return out;
}

/** `k` distinct items of `pool`, seeded: a partial Fisher–Yates shuffle of a copy. */
function pickDistinct(pool: readonly number[], k: number, rand: Rand, what: string): number[] {
  if (k > pool.length) throw new Error(`${what}: ${k} wanted, only ${pool.length} eligible`);
  const a = [...pool];
  for (let i = 0; i < k; i++) {
    const j = rand.int(i, a.length - 1);
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a.slice(0, k);
}

/** Every ObjectId a document holds (at any depth) other than its own `_id`. */
function references(value: unknown, out: Set<string>, top = true): void {
  if (value === null || typeof value !== 'object') return;
  if ((value as { _bsontype?: string })._bsontype === 'ObjectId') {
    out.add(String(value));
    return;
  }
  if ((value as { _bsontype?: string })._bsontype !== undefined) return;
  for (const [k, v] of Object.entries(value)) if (!(top && k === '_id')) references(v, out, false);
}

/** The copy's id: the original's timestamp, a marker no generated id has, and a counter. */
function copyId(original: ObjectId, counter: number): ObjectId {
  const bytes = Buffer.alloc(12);
  Buffer.from(original.id).copy(bytes, 0, 0, 4);
  bytes.set([0xb5, 0x1c, 0xbe, 0x4c, 0x00], 4);
  bytes.writeUIntBE(counter, 9, 3);
  return new ObjectId(bytes);
}

interface Loaded {
  raw: Buffer[];
  ids: string[];
}

/**
 * Writes a copy of the sample app's mongodump folder `input` into `output` with a share of its
 * documents changed, deterministically for a seed: mapped-field updates, unmapped-field updates,
 * inserts (copies) and deletes of documents nothing references, each spread over the collections
 * in proportion to their size. Planted dirt (dirt.json) is left alone. Untouched documents keep
 * their bytes.
 */
export function changeDump(input: string, output: string, options: { seed: number; shares?: ChangeShares; stamp?: DumpStamps }): DumpChanges {
  const shares = options.shares ?? ONE_PERCENT;
  const dbDir = databaseFolder(input);
  const root = dbDir === input ? undefined : input;
  const dirtFile = root ? join(root, 'dirt.json') : undefined;
  const dirty = new Set<string>(dirtFile && existsSync(dirtFile) ? (JSON.parse(readFileSync(dirtFile, 'utf8')) as { id: string }[]).map((d) => d.id) : []);
  const present = readdirSync(dbDir).filter((f) => f.endsWith('.bson')).map((f) => f.slice(0, -5));
  const unknown = present.filter((c) => !(COLLECTIONS as readonly string[]).includes(c));
  if (unknown.length > 0) throw new Error(`changeDump knows the sample app's collections only, not ${unknown.join(', ')}`);

  const facts: DumpFacts = { maxOrderNumber: 0, maxSequence: 0n, reviewPairs: new Set(), cleanUsers: [], usersWithoutProfile: [] };
  const profileUsers = new Set<string>();
  const referenced = new Set<string>();
  const loaded = new Map<CollectionName, Loaded>();
  for (const c of COLLECTIONS) {
    const file = join(dbDir, `${c}.bson`);
    if (!existsSync(file)) continue;
    const raw = rawDocuments(file);
    const ids: string[] = [];
    for (const bytes of raw) {
      const doc = decodeFaithfully(bytes);
      const id = String(doc['_id']);
      for (const field of [UNMAPPED_FIELD, ...(options.stamp ? [STAMP_FIELD] : [])]) if (field in doc) throw new Error(`${c} ${id} already has a field ${field}`);
      ids.push(id);
      references(doc, referenced);
      observe(facts, c, doc, dirty.has(id), profileUsers);
    }
    loaded.set(c, { raw, ids });
  }
  facts.usersWithoutProfile = facts.cleanUsers.filter((u) => !profileUsers.has(String(u)));

  const documents = [...loaded.values()].reduce((a, l) => a + l.ids.length, 0);
  const sizes = new Map([...loaded].map(([c, l]) => [c, l.ids.length]));
  const picks = new Map<CollectionName, Record<Kind, number[]>>();
  for (const kind of KINDS) {
    const eligible = kind === 'deleted' ? new Map([...sizes].filter(([c]) => RECIPES[c].deletable)) : sizes;
    for (const [c, k] of allocate(Math.round(documents * shares[kind]), eligible)) {
      const { ids } = loaded.get(c) as Loaded;
      const p = picks.get(c) ?? { deleted: [], mapped: [], unmapped: [], inserted: [] };
      picks.set(c, p);
      const taken = new Set(KINDS.flatMap((k2) => p[k2]));
      const pool = ids.flatMap((id, i) => (dirty.has(id) || taken.has(i) || (kind === 'deleted' && referenced.has(id)) ? [] : [i]));
      p[kind] = pickDistinct(pool, k, new Rand(hashString(`${options.seed}/${c}/${kind}`)), `${c} ${kind}`);
    }
  }

  const outDb = join(output, basename(dbDir));
  mkdirSync(outDb, { recursive: true });
  let counter = 0;
  const collections: CollectionChanges[] = [];
  for (const [c, { raw, ids }] of loaded) {
    const p = picks.get(c) ?? { deleted: [], mapped: [], unmapped: [], inserted: [] };
    const recipe = RECIPES[c];
    const gone = new Set(p.deleted);
    const mapped = new Set(p.mapped);
    const unmapped = new Set(p.unmapped);
    const stamp = options.stamp && recipe.stamped ? options.stamp : undefined;
    // In pick order (seeded), so which updates are silent does not depend on where they sit in the file.
    const silent = new Set(stamp ? p.mapped.filter((_, k) => k % SILENT_EVERY === SILENT_EVERY - 1) : []);
    const out: Buffer[] = [];
    raw.forEach((bytes, i) => {
      if (gone.has(i)) return;
      const clean = !dirty.has(ids[i] ?? '');
      if (!mapped.has(i) && !unmapped.has(i)) return void out.push(stamp && clean ? appendDate(bytes, STAMP_FIELD, stamp.before) : bytes);
      const doc = decodeFaithfully(bytes);
      if (mapped.has(i)) recipe.mapped(doc);
      else doc[UNMAPPED_FIELD] = 'a field the Prisma schema does not map';
      if (stamp) doc[STAMP_FIELD] = silent.has(i) ? stamp.before : stamp.after;
      out.push(encode(doc));
    });
    const taken = new Set(ids);
    const rand = new Rand(hashString(`${options.seed}/${c}/copies`));
    p.inserted.forEach((i, n) => {
      const copy: Document = decodeFaithfully(raw[i] as Buffer);
      copy['_id'] = copyId(copy['_id'] as ObjectId, ++counter);
      if (taken.has(String(copy['_id']))) throw new Error(`${c}: copy id ${String(copy['_id'])} is taken`);
      taken.add(String(copy['_id']));
      recipe.uniquify(copy, n + 1, facts, rand);
      if (stamp) copy[STAMP_FIELD] = stamp.after;
      out.push(encode(copy));
    });
    writeFileSync(join(outDb, `${c}.bson`), Buffer.concat(out));
    const metadata = join(dbDir, `${c}.metadata.json`);
    if (existsSync(metadata)) copyFileSync(metadata, join(outDb, `${c}.metadata.json`));
    collections.push({
      collection: c,
      model: SPECS[c].model,
      documents: ids.length,
      mapped: p.mapped.length,
      unmapped: p.unmapped.length,
      inserted: p.inserted.length,
      deleted: p.deleted.length,
      stamped: stamp !== undefined,
      silent: silent.size,
      silentIds: [...silent].map((i) => ids[i] ?? ''),
    });
  }

  const totals = Object.fromEntries(KINDS.map((k) => [k, collections.reduce((a, c) => a + c[k], 0)])) as Record<Kind, number>;
  const changes: DumpChanges = {
    seed: options.seed,
    shares,
    documents,
    changedDocuments: documents + totals.inserted - totals.deleted,
    changes: totals.mapped + totals.unmapped + totals.inserted + totals.deleted,
    totals,
    ...(options.stamp
      ? { stamp: { field: STAMP_FIELD, before: options.stamp.before.toISOString(), after: options.stamp.after.toISOString(), silent: collections.reduce((a, c) => a + c.silent, 0) } }
      : {}),
    collections,
  };
  if (dirtFile && existsSync(dirtFile)) copyFileSync(dirtFile, join(output, 'dirt.json'));
  writeFileSync(join(output, 'changes.json'), `${JSON.stringify(changes, null, 2)}\n`);
  return changes;
}
