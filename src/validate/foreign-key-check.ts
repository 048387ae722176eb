import type pg from 'pg';
import type { ReferencePolicies } from '../plan/references.ts';
import { keySql, type ModelGraph } from '../schema/model-graph.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { Findings } from './findings.ts';

/**
 * Every reference in the target, foreign-key column or junction column, points at a row. A
 * reference whose policy is `keep` (and every id column without a relation, by default) may
 * dangle on purpose: that is a warning, not a defect.
 */
export async function checkForeignKeys(client: pg.PoolClient, graph: ModelGraph, findings: Findings, policies?: ReferencePolicies): Promise<void> {
  for (const model of graph.models.values()) {
    for (const r of model.relations) {
      const [column] = r.fromColumns;
      const target = graph.models.get(r.target);
      const targetColumn = target?.columns.find((c) => c.field === r.toColumns[0])?.column;
      if (!column || !target || !targetColumn || r.fromColumns.length !== 1) continue;
      const kept = policies?.onMissing(model.name, r.field, r.fromFields[0], r.required) === 'keep';
      await orphans(client, findings, model.name, `${model.table}.${column} → ${target.table}`, `SELECT ${keySql(model, 'c')} AS id FROM ${quoteIdent(model.table)} c
         WHERE c.${quoteIdent(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(target.table)} p WHERE p.${quoteIdent(targetColumn)} = c.${quoteIdent(column)})`, kept);
    }
    for (const idc of policies?.idColumns.get(model.name)?.values() ?? []) {
      const target = idc.target === undefined ? undefined : graph.models.get(idc.target);
      if (!target || target.key.length !== 1) continue;
      await orphans(client, findings, model.name, `${model.table}.${idc.column} → ${target.table} (id column without a relation)`, `SELECT ${keySql(model, 'c')} AS id FROM ${quoteIdent(model.table)} c
         WHERE c.${quoteIdent(idc.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(target.table)} p WHERE p.${quoteIdent(target.id.column)} = c.${quoteIdent(idc.column)})`, idc.onMissing === 'keep', 'dangling-id');
    }
  }
  for (const j of graph.junctions) {
    for (const [side, end] of [['A', j.a], ['B', j.b]] as const) {
      const target = graph.models.get(end.model);
      if (!target) continue;
      const holder = side === 'A' ? j.b : j.a;
      const kept = policies?.onMissingLink(holder.model, holder.field) === 'keep';
      await orphans(client, findings, j.table, `${j.table}.${side} → ${target.table}`, `SELECT c."A"::text || '/' || c."B"::text AS id FROM ${quoteIdent(j.table)} c
         WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdent(target.table)} p WHERE p.${quoteIdent(target.id.column)} = c.${quoteIdent(side)})`, kept);
    }
  }
}

async function orphans(client: pg.PoolClient, findings: Findings, model: string, what: string, sql: string, kept: boolean, kind = 'orphan'): Promise<void> {
  const { rows } = await client.query<{ id: string; total: string }>(`SELECT id, count(*) OVER () AS total FROM (${sql}) q ORDER BY id LIMIT 20`);
  const total = Number(rows[0]?.total ?? 0);
  const ids = rows.map((r) => r.id);
  if (kept) findings.warn('foreign-keys', model, `${kind}-kept ${what.split(' ')[0] ?? ''}`, `${what}: reference to a missing row, kept by policy (onMissing: keep)`, ids, total);
  else findings.addMany('foreign-keys', model, kind, `${what}: reference to a missing row`, ids, total);
}

/** What the migration set NULL or dropped instead of rejecting (`_migration.repairs`): reported, the target is still valid. */
export async function reportRepairs(client: pg.PoolClient, findings: Findings): Promise<void> {
  const { rows } = await client.query<{ model: string; field: string; target_model: string; action: string; total: string; ids: string[] }>(
    `SELECT model, field, target_model, action, count(*) AS total, (array_agg(coalesce(source_id, owner_key) ORDER BY id))[1:20] AS ids
       FROM _migration.repairs WHERE action <> 'kept' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 4`,
  );
  for (const r of rows) {
    const what = r.action === 'nulled' ? 'set NULL by the migration' : 'link not written by the migration';
    findings.warn('foreign-keys', r.model, `reference-${r.action}`, `${r.field} → ${r.target_model}: ${what} (it pointed at a rejected or missing document; see migration:errors)`, r.ids, Number(r.total));
  }
}
