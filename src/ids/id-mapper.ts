import { ObjectId } from 'bson';
import { sourceIdKey, type SourceId } from './source-id.ts';
import { DEFAULT_UUID_NAMESPACE, uuidV5, uuidV7FromObjectId } from './uuid.ts';

/**
 * - `v7-objectid` (default): ObjectIds become reversible, time-ordered UUIDv7; other ids v5.
 * - `v5`: every id becomes a name-based UUIDv5 of (namespace, model, id).
 * Both are pure functions of the source id, so re-runs and resumes give the same UUIDs and
 * foreign keys are computed without a lookup. Every mapping is still persisted in
 * `_migration.id_map` with its batch, for audits, validation and the CSV export.
 * - `keep`: no UUIDs; the source key goes into the target as it is (direct copy of SQLite).
 */
export type IdStrategy = 'v7-objectid' | 'v5' | 'keep';

export interface IdMapper {
  readonly strategy: IdStrategy;
  /** The UUID of a source document of `model`. */
  uuid(model: string, id: SourceId): string;
  /** The same UUID, for a reference to the document: references repeat, so these are remembered. */
  ref(model: string, id: SourceId): string;
  /** The UUID of a row derived from a document (an embedded address, an order line). */
  derived(ownerModel: string, ownerId: SourceId, path: string): string;
}

const REMEMBERED = 100_000;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function createIdMapper(strategy: IdStrategy = 'v7-objectid', namespace = DEFAULT_UUID_NAMESPACE): IdMapper {
  // References repeat (every post names one of fewer users): their v5 hashes are remembered,
  // in a bounded map that starts over when full, so memory stays flat on any table size.
  // Numbers and strings are their own keys (cheap to hash); ObjectIds are quick to map anyway.
  const seen = new Map<string, Map<unknown, string>>();
  let remembered = 0;
  const uuid = (model: string, id: SourceId): string => {
    if (strategy === 'v7-objectid' && id instanceof ObjectId) return uuidV7FromObjectId(id);
    return uuidV5(namespace, model, sourceIdKey(id));
  };
  return {
    strategy,
    uuid,
    ref(model, given) {
      if (given instanceof ObjectId) return uuid(model, given);
      // A SQLite integer arrives as a bigint: remembered as the number it is (same key text, so
      // the same UUID), because a Map finds small numbers much faster than bigints.
      const id = typeof given === 'bigint' && given >= MIN_SAFE && given <= MAX_SAFE ? Number(given) : given;
      let byId = seen.get(model);
      if (!byId) seen.set(model, (byId = new Map()));
      let found = byId.get(id);
      if (found === undefined) {
        found = uuid(model, id);
        if (++remembered > REMEMBERED) {
          seen.clear();
          remembered = 1;
          seen.set(model, (byId = new Map()));
        }
        byId.set(id, found);
      }
      return found;
    },
    derived(ownerModel, ownerId, path) {
      return uuidV5(namespace, ownerModel, `${sourceIdKey(ownerId)}/${path}`);
    },
  };
}
