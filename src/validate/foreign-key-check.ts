import type pg from 'pg';
import { keySql, type ModelGraph } from '../schema/model-graph.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { Findings } from './findings.ts';

/** Every reference in the target, foreign-key column or junction column, points at a row. */
export async function checkForeignKeys(client: pg.PoolClient, graph: ModelGraph, findings: Findings): Promise<void> {
  for (const model of graph.models.values()) {
    for (const r of model.relations) {
      const [column] = r.fromColumns;
      const target = graph.models.get(r.target);
      const targetColumn = target?.columns.find((c) => c.field === r.toColumns[0])?.column;
      if (!column || !target || !targetColumn || r.fromColumns.length !== 1) continue;
      await orphans(client, findings, model.name, `${model.table}.${column} → ${target.table}`, `SELECT ${keySql(model, 'c')} AS id FROM ${quoteIdent(model.table)} c
         WHERE c.${quoteIdent(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(target.table)} p WHERE p.${quoteIdent(targetColumn)} = c.${quoteIdent(column)})`);
    }
  }
  for (const j of graph.junctions) {
    for (const [side, end] of [['A', j.a], ['B', j.b]] as const) {
      const target = graph.models.get(end.model);
      if (!target) continue;
      await orphans(client, findings, j.table, `${j.table}.${side} → ${target.table}`, `SELECT c."A"::text || '/' || c."B"::text AS id FROM ${quoteIdent(j.table)} c
         WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdent(target.table)} p WHERE p.${quoteIdent(target.id.column)} = c.${quoteIdent(side)})`);
    }
  }
}

async function orphans(client: pg.PoolClient, findings: Findings, model: string, what: string, sql: string): Promise<void> {
  const { rows } = await client.query<{ id: string; total: string }>(`SELECT id, count(*) OVER () AS total FROM (${sql}) q ORDER BY id LIMIT 20`);
  findings.addMany('foreign-keys', model, 'orphan', `${what}: reference to a missing row`, rows.map((r) => r.id), Number(rows[0]?.total ?? 0));
}
