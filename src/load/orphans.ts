import type pg from 'pg';
import { ownerColumnOf, type LinkFill, type ModelPlan } from '../plan/plan.ts';
import type { OnMissing, ReferencePolicies } from '../plan/references.ts';
import { keySql, type JunctionSpec, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
import { identityJoin, ownerSourceSql } from '../target/id-identity.ts';
import { quoteIdent } from '../target/identifiers.ts';

/** A reference in the target that points at no row: the document that holds it must go. */
export interface Orphan {
  /** The source model whose document holds the reference, and that document's key in the target. */
  ownerModel: string;
  ownerKey: string;
  /** For the error log: which field, and the key it points at. */
  field: string;
  targetModel: string;
  targetKey: string;
}

/** One reference to check: a foreign-key column or one column of a junction table. */
export interface Reference {
  table: string;
  column: string;
  targetTable: string;
  targetColumn: string;
  targetModel: string;
  field: string;
  /** SQL over alias `c` naming the owning document's key (its key, its owner field, or the junction's owner side). */
  ownerKey: string;
  ownerModel: string;
  /** The reference IS the owner link: the row belongs to a document that is already gone. */
  isOwnerLink: boolean;
  /** What a dangling one does: reject its document, null the column (drop the link row), or stay. */
  onMissing: OnMissing;
  /** A junction row, or a derived row whose reference is required: `null` deletes the row rather than setting a column. */
  isLink: boolean;
}

/** The references the load leaves alone by policy: reported, their foreign keys added NOT VALID. */
export function keptReferences(refs: readonly Reference[]): Reference[] {
  return refs.filter((r) => r.onMissing === 'keep' && !r.isOwnerLink);
}

/**
 * Every reference the load can leave dangling, with the document that owns it: the row's own
 * document for a source model, the embedding document for a derived row, the side holding
 * the array for a junction row.
 */
export function listReferences(graph: ModelGraph, plans: readonly ModelPlan[], policies?: ReferencePolicies): Reference[] {
  const refs: Reference[] = [];
  const model = (name: string): ModelSpec => {
    const m = graph.models.get(name);
    if (!m) throw new Error(`the Prisma schema has no model ${name}`);
    return m;
  };
  for (const plan of plans) {
    const own = model(plan.model);
    const holders: { spec: ModelSpec; ownerKey: string; ownerLink?: string }[] = [{ spec: own, ownerKey: keySql(own, 'c') }];
    for (const d of plan.derived) {
      const spec = model(d.model);
      const ownerColumn = spec.columns.find((c) => c.field === d.ownerField)?.column ?? d.ownerField;
      holders.push({ spec, ownerKey: `c.${quoteIdent(ownerColumn)}::text`, ownerLink: d.ownerField });
    }
    for (const { spec, ownerKey, ownerLink } of holders) {
      for (const r of spec.relations) {
        const [column] = r.fromColumns;
        const [targetColumn] = r.toColumns;
        if (!column || !targetColumn || r.fromColumns.length !== 1) continue;
        const target = model(r.target);
        const targetCol = target.columns.find((c) => c.field === targetColumn)?.column ?? targetColumn;
        refs.push({
          table: spec.table, column, targetTable: target.table, targetColumn: targetCol, targetModel: r.target,
          field: `${spec.name}.${r.fromFields[0] ?? column}`, ownerKey, ownerModel: plan.model, isOwnerLink: r.fromFields[0] === ownerLink,
          // A derived row's required reference cannot be NULL: `null` drops that row, as for a link.
          onMissing: policies?.onMissing(spec.name, r.field, r.fromFields[0], r.required) ?? 'reject', isLink: ownerLink !== undefined && r.required,
        });
      }
      // Id columns without a relation whose model is known: checked like a foreign key, kept by default.
      for (const idc of policies?.idColumns.get(spec.name)?.values() ?? []) {
        const target = idc.target === undefined ? undefined : model(idc.target);
        if (!target || target.key.length !== 1) continue;
        refs.push({
          table: spec.table, column: idc.column, targetTable: target.table, targetColumn: target.id.column, targetModel: target.name,
          field: `${spec.name}.${idc.field}`, ownerKey, ownerModel: plan.model, isOwnerLink: false, onMissing: idc.onMissing, isLink: false,
        });
      }
    }
  }
  // Per junction, not per plan: with both sides filling it (a union), a dangling id on one side is
  // held by the other side's document; with one side filling it, a row whose own side is gone went with it.
  const junctions = new Map<string, { junction: JunctionSpec; fills: LinkFill[] }>();
  for (const plan of plans) {
    for (const fill of plan.junctions) {
      const entry = junctions.get(fill.junction.table) ?? { junction: fill.junction, fills: [] };
      entry.fills.push(fill);
      junctions.set(fill.junction.table, entry);
    }
  }
  for (const { junction, fills } of junctions.values()) {
    for (const side of ['A', 'B'] as const) {
      const end = side === 'A' ? junction.a : junction.b;
      const target = model(end.model);
      const holder = fills.find((f) => f.ownerColumn !== side) ?? fills.find((f) => f.ownerColumn === side);
      if (!holder) continue;
      const holderEnd = holder.ownerColumn === 'A' ? junction.a : junction.b;
      refs.push({
        table: junction.table, column: end.column, targetTable: target.table, targetColumn: target.id.column, targetModel: end.model,
        field: `${holderEnd.model}.${holder.sourceField ?? holderEnd.field}`, ownerKey: `c.${quoteIdent(ownerColumnOf(holder))}::text`, ownerModel: holderEnd.model, isOwnerLink: holder.ownerColumn === side,
        onMissing: policies?.onMissingLink(holderEnd.model, holderEnd.field) ?? 'reject', isLink: true,
      });
    }
  }
  return refs;
}

const REPAIR_INSERT = `INSERT INTO _migration.repairs (run_id, model, source_id, source_kind, owner_key, field, target_model, missing_id, action)`;

function dangling(ref: Reference): string {
  return `c.${quoteIdent(ref.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(ref.targetTable)} p WHERE p.${quoteIdent(ref.targetColumn)} = c.${quoteIdent(ref.column)})`;
}

/** The repair rows for the dangling references in `d (owner, missing)`, with the owner's source id from the id map (or its mark). */
function repairRows(action: 'nulled' | 'dropped' | 'kept'): string {
  const owner = ownerSourceSql('m', 'd.owner');
  return `SELECT $1, $2, ${owner.sourceId}, ${owner.sourceKind}, d.owner, $3, $4, d.missing, '${action}'
            FROM d LEFT JOIN _migration.id_map m ON m.model = $2 AND m.target_key = d.owner ${identityJoin('$2')}`;
}

/**
 * Finds dangling references. Rows whose owner is already gone are deleted on the spot (they
 * went with their document); references whose policy is `null` are repaired on the spot
 * (column set NULL, or the one link row deleted) and logged in `_migration.repairs`; the rest
 * with `reject` are returned so their documents can be rejected (at most `limit` per reference:
 * those that had more are `unfinished`). `keep` is left for recordKept, after the last pass has
 * settled what is missing. `deletedFrom` names the tables that lost rows here: only references
 * into them can dangle anew.
 */
export async function findOrphans(
  client: pg.PoolClient,
  refs: readonly Reference[],
  runId: string,
  limit = 10_000,
): Promise<{ orphans: Orphan[]; repaired: number; deletedFrom: string[]; unfinished: Reference[] }> {
  const orphans: Orphan[] = [];
  const deletedFrom: string[] = [];
  const unfinished: Reference[] = [];
  let repaired = 0;
  for (const ref of refs) {
    const where = dangling(ref);
    if (ref.isOwnerLink) {
      const { rowCount } = await client.query(`DELETE FROM ${quoteIdent(ref.table)} c WHERE ${where}`);
      if (rowCount) deletedFrom.push(ref.table);
      continue;
    }
    const params = [runId, ref.ownerModel, ref.field, ref.targetModel];
    if (ref.onMissing === 'keep') continue;
    if (ref.onMissing === 'null' && ref.isLink) {
      const { rowCount } = await client.query(
        `WITH d AS (DELETE FROM ${quoteIdent(ref.table)} c WHERE ${where} RETURNING ${ref.ownerKey} AS owner, c.${quoteIdent(ref.column)}::text AS missing) ${REPAIR_INSERT} ${repairRows('dropped')}`,
        params,
      );
      repaired += rowCount ?? 0;
      if (rowCount) deletedFrom.push(ref.table);
      continue;
    }
    if (ref.onMissing === 'null') {
      // One statement: the update and its log commit together, and a repeat finds nothing left to do.
      const { rowCount } = await client.query(
        `WITH d AS (SELECT c.ctid AS tid, ${ref.ownerKey} AS owner, c.${quoteIdent(ref.column)}::text AS missing FROM ${quoteIdent(ref.table)} c WHERE ${where}),
              u AS (UPDATE ${quoteIdent(ref.table)} c SET ${quoteIdent(ref.column)} = NULL FROM d WHERE c.ctid = d.tid)
         ${REPAIR_INSERT} ${repairRows('nulled')}`,
        params,
      );
      repaired += rowCount ?? 0;
      continue;
    }
    const { rows } = await client.query<{ owner: string; target: string }>(
      `SELECT ${ref.ownerKey} AS owner, c.${quoteIdent(ref.column)}::text AS target FROM ${quoteIdent(ref.table)} c WHERE ${where} LIMIT ${limit}`,
    );
    for (const row of rows) {
      orphans.push({ ownerModel: ref.ownerModel, ownerKey: row.owner, field: ref.field, targetModel: ref.targetModel, targetKey: row.target });
    }
    // More than a pass takes: the rest are found by the next one.
    if (rows.length >= limit) unfinished.push(ref);
  }
  return { orphans, repaired, deletedFrom, unfinished };
}

/** Logs every dangling reference kept by policy, afresh: a repeated completion step records each once. */
export async function recordKept(client: pg.PoolClient, refs: readonly Reference[], runId: string): Promise<number> {
  await client.query(`DELETE FROM _migration.repairs WHERE run_id = $1 AND action = 'kept'`, [runId]);
  let kept = 0;
  for (const ref of keptReferences(refs)) {
    const { rowCount } = await client.query(
      `WITH d AS (SELECT ${ref.ownerKey} AS owner, c.${quoteIdent(ref.column)}::text AS missing FROM ${quoteIdent(ref.table)} c WHERE ${dangling(ref)}) ${REPAIR_INSERT} ${repairRows('kept')}`,
      [runId, ref.ownerModel, ref.field, ref.targetModel],
    );
    kept += rowCount ?? 0;
  }
  return kept;
}
