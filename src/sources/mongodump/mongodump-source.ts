import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../config/load-config.ts';
import { sourceIdKey, type SourceId } from '../../ids/source-id.ts';
import { asSourceId } from '../../ids/source-id.ts';
import type { SourceDoc } from '../../transform/types.ts';
import type { ReadOptions, Source, SourceBatch, UnreadableRecord } from '../source.ts';
import { countBsonDocuments, readBsonChunks, readBsonFile } from './bson-file.ts';
import { dumpFingerprint } from './dump-fingerprint.ts';

/**
 * A folder written by `mongodump --out` (one database folder, or the top folder holding a
 * single database). Documents come in file order, which is what mongodump wrote; the cursor
 * is a byte offset, so a resume seeks instead of re-reading.
 */
export function openMongodumpSource(path: string): Source {
  const dir = databaseFolder(resolve(path));
  const fileOf = (collection: string): string => {
    for (const name of [`${collection}.bson`, `${collection}.bson.gz`]) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
    throw new Error(`mongodump folder ${dir} has no ${collection}.bson`);
  };

  return {
    kind: 'mongodump',
    identity: `mongodump:${dir}`,
    async collections() {
      return readdirSync(dir)
        .filter((f) => /\.bson(\.gz)?$/.test(f))
        .map((f) => f.replace(/\.bson(\.gz)?$/, ''))
        .sort();
    },
    count: (collection) => countBsonDocuments(fileOf(collection)),
    async *read(collection: string, options: ReadOptions): AsyncIterable<SourceBatch> {
      const start = typeof options.after?.['offset'] === 'number' ? options.after['offset'] : 0;
      let docs: SourceDoc[] = [];
      let unreadable: UnreadableRecord[] = [];
      let end = start;
      for await (const entries of readBsonChunks(fileOf(collection), start)) {
        for (const entry of entries) {
          if (entry.ok) docs.push(entry.doc);
          else unreadable.push(entry.unreadable);
          end = entry.end;
          if (docs.length + unreadable.length >= options.batchSize) {
            yield { docs, unreadable, cursor: { offset: end } };
            docs = [];
            unreadable = [];
            options.signal?.throwIfAborted();
          }
        }
      }
      if (docs.length + unreadable.length > 0) yield { docs, unreadable, cursor: { offset: end } };
    },
    async fetch(collection: string, ids: readonly SourceId[]) {
      const wanted = new Set(ids.map(sourceIdKey));
      const found: SourceDoc[] = [];
      for await (const entry of readBsonFile(fileOf(collection))) {
        // An unreadable document stays in the error log: there is nothing better to retry with.
        if (!entry.ok) continue;
        const doc = entry.doc;
        const id = asSourceId(doc['_id']);
        if (id !== undefined && wanted.has(sourceIdKey(id))) found.push(doc);
      }
      return found;
    },
    fingerprint: async (collections) => dumpFingerprint(dir, collections),
    close: async () => {},
  };
}

/** The folder to read; a path that is not a mongodump folder is bad input (ConfigError, exit 2). */
export function databaseFolder(path: string): string {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new ConfigError(`mongodump folder ${path} does not exist`);
  const hasBson = (dir: string) => readdirSync(dir).some((f) => /\.bson(\.gz)?$/.test(f));
  if (hasBson(path)) return path;
  const databases = readdirSync(path)
    .map((d) => join(path, d))
    .filter((d) => statSync(d).isDirectory() && hasBson(d));
  const [only] = databases;
  if (databases.length === 1 && only) return only;
  if (databases.length === 0) throw new ConfigError(`${path} holds no .bson files (expected a mongodump --out folder)`);
  throw new ConfigError(`${path} holds ${databases.length} databases; name one of: ${databases.join(', ')}`);
}
