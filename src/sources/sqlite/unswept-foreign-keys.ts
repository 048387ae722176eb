import type { ModelPlan } from '../../plan/plan.ts';
import type { ModelGraph } from '../../schema/model-graph.ts';
import type { SqliteTable } from './sqlite-schema.ts';

/**
 * The copied tables with a foreign key that the target's orphan sweep (STEP 4) does not check,
 * so that only SQLite's `foreign_key_check` can say its dangling rows. A SQLite foreign key is
 * swept when the model reading its table has a one-column relation from the model field read
 * from that column to the model reading the parent table: the sweep then finds every loaded row
 * whose parent is missing and names it in the error log. Not swept: composite keys, a parent
 * that is not copied, a relation the Prisma schema does not have, a hand-written transformer
 * (which may fill the column from anything).
 *
 * @example unsweptForeignKeyTables(tables, plans, graph, renames) // ['order_lines'] (a two-column key)
 */
export function unsweptForeignKeyTables(
  tables: readonly SqliteTable[],
  plans: readonly ModelPlan[],
  graph: ModelGraph,
  renames: (plan: ModelPlan) => Readonly<Record<string, string>>,
): string[] {
  const readers = (table: string) => plans.filter((p) => p.collection === table);
  return tables
    .filter((t) => readers(t.name).length > 0 && t.foreignKeys.length > 0)
    .filter((t) =>
      t.foreignKeys.some((fk) => {
        const [column] = fk.columns;
        if (fk.columns.length !== 1 || column === undefined) return true;
        const parents = new Set(readers(fk.table).map((p) => p.model));
        return !readers(t.name).some((plan) => {
          const model = graph.models.get(plan.model);
          const names = renames(plan);
          return (
            !plan.custom &&
            (model?.relations ?? []).some((r) => {
              const [field] = r.fromFields;
              return r.fromFields.length === 1 && field !== undefined && (names[field] ?? field) === column && parents.has(r.target);
            })
          );
        });
      }),
    )
    .map((t) => t.name);
}
