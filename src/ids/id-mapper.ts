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
  /** The UUID of a row derived from a document (an embedded address, an order line). */
  derived(ownerModel: string, ownerId: SourceId, path: string): string;
}

export function createIdMapper(strategy: IdStrategy = 'v7-objectid', namespace = DEFAULT_UUID_NAMESPACE): IdMapper {
  return {
    strategy,
    uuid(model, id) {
      if (strategy === 'v7-objectid' && id instanceof ObjectId) return uuidV7FromObjectId(id);
      return uuidV5(namespace, model, sourceIdKey(id));
    },
    derived(ownerModel, ownerId, path) {
      return uuidV5(namespace, ownerModel, `${sourceIdKey(ownerId)}/${path}`);
    },
  };
}
