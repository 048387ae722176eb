import { sourceIdKey, sourceIdKind } from '../ids/source-id.ts';
import { expectedPgType } from '../schema/pg-types.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { markIdentity } from '../target/id-identity.ts';
import type { WriteTx } from '../target/writer.ts';
import type { PreparedDoc } from './prepare.ts';

/**
 * A whole-table load of a direct copy leaves out of the id map the rows whose key is their
 * source id, and marks the model instead (target/id-identity.ts says why and who fills them in).
 *
 * Only keys whose PostgreSQL text is the text the loader compared (integers, text, varchar)
 * qualify, and each document is checked: one whose key is not its source id, or whose source
 * id is of another kind (a SQLite integer in a TEXT key), gets its row written with its batch
 * as before, and the fill leaves its key alone.
 */
export interface IdMapFromTable {
  /** Whether the document's id map row is the table's own key (so its batch leaves it out). */
  covers(doc: PreparedDoc): boolean;
  /** Marks the model, in the load's transaction, after its last row. */
  mark(tx: WriteTx): Promise<void>;
}

const KINDS: Readonly<Record<string, 'int' | 'string'>> = {
  smallint: 'int',
  integer: 'int',
  bigint: 'int',
  text: 'string',
};

export function idMapFromTable(model: ModelSpec, keepIds: boolean): IdMapFromTable | undefined {
  const [key, ...more] = model.key;
  if (!keepIds || !key || more.length > 0 || key.isList) return undefined;
  const pgType = expectedPgType(key);
  const kind = KINDS[pgType] ?? (pgType.startsWith('character varying') ? 'string' : undefined);
  if (!kind) return undefined;
  return {
    covers: (doc) => doc.uuid === null && sourceIdKind(doc.sourceId) === kind && sourceIdKey(doc.sourceId) === doc.key,
    mark: (tx) => markIdentity(tx, { model: model.name, table: model.table, keyColumn: key.column, kind }),
  };
}
