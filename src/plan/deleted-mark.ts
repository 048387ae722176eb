import { ConfigError } from '../config/config-error.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import type { ColumnSpec, ModelGraph, ModelSpec } from '../schema/model-graph.ts';
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
    out.set(name, {
      model: name,
      table: model.table,
      column,
      isMarked: (alias) => (column.type === 'Boolean' ? `${alias}.${c} IS TRUE` : `${alias}.${c} IS NOT NULL`),
      setTo: column.type === 'Boolean' ? 'true' : 'now()',
    });
  }
  return out;
}
