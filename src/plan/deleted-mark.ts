import { ConfigError } from '../config/config-error.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import pg from 'pg';
import { keySql, type ColumnSpec, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
import { quoteIdent } from '../target/identifiers.ts';

/**
 * `models.<Model>.deletedMark: <field>`: when the source no longer has a document, migration:sync
 * keeps its row and sets this field (an optional DateTime to the sync's time, an optional
 * Boolean to true) instead of deleting it, so nothing that references it has to go. Validate
 * and baseline count such rows as marked, not as rows without a source.
 */
export interface DeletedMark {
  model: string;
  table: string;
  column: ColumnSpec;
  /** SQL over alias `t`: the row is marked. */
  isMarked(alias: string): string;
  /**
   * SQL over alias `t`: marked, and its document gone from the source (not in the session's
   * `validate_source_ids`). A row the application marked itself, whose document is still there,
   * is an ordinary row: only what a sync kept for a deleted document is counted apart.
   */
  isKept(alias: string): string;
  /** The SET expression that marks a row. */
  setTo: string;
}

export function planDeletedMarks(graph: ModelGraph, models: MigrationConfig['models']): ReadonlyMap<string, DeletedMark> {
  const out = new Map<string, DeletedMark>();
  for (const [name, settings] of Object.entries(models)) {
    const field = settings.deletedMark;
    if (field === undefined) continue;
    const model: ModelSpec | undefined = graph.models.get(name);
    if (!model) throw new ConfigError(`models.${name}.deletedMark: the Prisma schema has no model ${name}`);
    const column = model.columns.find((c) => c.field === field);
    if (!column) throw new ConfigError(`models.${name}.deletedMark: ${name} has no field ${field} (expected an optional DateTime or Boolean field, e.g. deletedAt DateTime?)`);
    if (column.required || column.isList || (column.type !== 'DateTime' && column.type !== 'Boolean')) {
      throw new ConfigError(`models.${name}.deletedMark: ${name}.${field} is ${column.required ? 'required ' : ''}${column.type}${column.isList ? '[]' : ''}; it must be an optional DateTime or Boolean field (deletedAt DateTime?, isDeleted Boolean?)`);
    }
    const c = quoteIdent(column.column);
    const isMarked = (alias: string) => (column.type === 'Boolean' ? `${alias}.${c} IS TRUE` : `${alias}.${c} IS NOT NULL`);
    const spec = model;
    out.set(name, {
      model: name,
      table: model.table,
      column,
      isMarked,
      isKept: (alias) =>
        `${isMarked(alias)} AND EXISTS (SELECT 1 FROM _migration.id_map i WHERE i.model = ${pg.escapeLiteral(name)} AND i.target_key = ${keySql(spec, alias)}
           AND NOT EXISTS (SELECT 1 FROM validate_source_ids s WHERE s.model = i.model AND s.source_id = i.source_id))`,
      setTo: column.type === 'Boolean' ? 'true' : 'now()',
    });
  }
  return out;
}
