import { sourceIdKey, sourceIdKind } from '../ids/source-id.ts';
import { expectedPgType } from '../schema/pg-types.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { WriteTx } from '../target/writer.ts';
import type { PreparedDoc } from './prepare.ts';

/**
 * In the direct copy nearly every row's key is its source id as it was: its id map row
 * (model, id, kind, id, no UUID) says nothing the loaded table does not. Building, encoding
 * and parsing those rows cost about a fifth of a direct load, so a whole-table load leaves
 * them to one `INSERT … SELECT` from the table it has just filled, in the same transaction:
 * the id map is exactly what it was, and every reader of it is unchanged.
 *
 * Only keys whose PostgreSQL text is the text the loader compared (integers, text, varchar)
 * qualify, and each document is checked: one whose key is not its source id, or whose source
 * id is of another kind (a SQLite integer in a TEXT key), gets its row written with its batch
 * as before, and the fill leaves its key out.
 */
export interface IdMapFromTable {
  /** Whether the document's id map row comes from the table (so its batch leaves it out). */
  covers(doc: PreparedDoc): boolean;
  /** Writes the id map rows of the covered documents, after the table's last row, before commit. */
  fill(tx: WriteTx): Promise<void>;
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
  let written = 0;
  return {
    covers(doc) {
      if (doc.uuid !== null || sourceIdKind(doc.sourceId) !== kind || sourceIdKey(doc.sourceId) !== doc.key) {
        written++;
        return false;
      }
      return true;
    },
    async fill(tx) {
      const column = `t.${quoteIdent(key.column)}::text`;
      // The documents written with their batches are already mapped, under their key; usually none.
      const notWritten = written === 0 ? '' : `WHERE NOT EXISTS (SELECT 1 FROM _migration.id_map m WHERE m.model = $1 AND m.target_key = ${column})`;
      await tx.query(
        `INSERT INTO _migration.id_map (model, source_id, source_kind, target_key, uuid)
         SELECT $1, ${column}, $2, ${column}, NULL FROM ${quoteIdent(model.table)} t ${notWritten}`,
        [model.name, kind],
      );
    },
  };
}
