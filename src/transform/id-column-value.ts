import { ObjectId } from 'bson';
import { asSourceId } from '../ids/source-id.ts';
import type { IdColumn, IdValueKind } from '../plan/references.ts';
import { reject } from './reject.ts';
import type { TransformContext } from './types.ts';

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OBJECT_ID_TEXT = /^[0-9a-f]{24}$/i;

/**
 * The UUID an id column without a relation gets: the id its value names, mapped as the ids of
 * its target model are (deterministic, so no lookup). `count` tallies each conversion by column
 * and kind for the summary. An ObjectId's UUIDv7 does not depend on the model, so ObjectIds
 * convert even when no model is known; integers and other strings need one.
 */
export function idColumnValue(idc: IdColumn, raw: unknown, ctx: Pick<TransformContext, 'ref'>, count: (key: string) => void): string {
  if (typeof raw === 'string' && UUID_TEXT.test(raw)) return raw.toLowerCase();
  // A 24-hex string is an ObjectId written as text (an API that serialised it): the same id.
  const id = typeof raw === 'string' && OBJECT_ID_TEXT.test(raw) ? ObjectId.createFromHexString(raw) : asSourceId(raw);
  if (id === undefined) return reject(`${idc.field}: expected an id, got ${typeof raw}`);
  const kind: IdValueKind = id instanceof ObjectId ? 'ObjectId' : typeof id === 'string' ? 'string id' : 'integer id';
  const target = idc.target ?? (id instanceof ObjectId && idc.objectIdsNeedNoModel ? '' : undefined);
  if (target === undefined) {
    return reject(`${idc.field}: ${kind} ${String(raw)}: whose id is it? name the model in config references['${idc.model}.${idc.field}'].model`);
  }
  count(idc.labels[kind]);
  return ctx.ref(target, id, idc.field) ?? reject(`${idc.field}: null id`);
}
