import type pg from 'pg';
import { keySql, type ModelSpec } from '../schema/model-graph.ts';
import { keyMatches } from '../schema/pg-types.ts';
import type { DeletedMark } from '../plan/deleted-mark.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { Findings } from './findings.ts';

const LIMIT = 20;

/**
 * Set comparisons between the source ids (streamed into `validate_source_ids`), the id map
 * and the error log, done in SQL so memory does not grow with the table:
 * every source id mapped or rejected (not both, not neither), every mapping backed by a
 * source document, every target row backed by a mapping, no target key (UUID) used twice.
 */
export async function checkIdMap(client: pg.PoolClient, model: ModelSpec, findings: Findings, mark?: DeletedMark): Promise<void> {
  const m = model.name;
  const check = async (kind: string, message: string, sql: string) => {
    const { rows } = await client.query<{ id: string; total: string }>(`SELECT id, count(*) OVER () AS total FROM (${sql}) q ORDER BY id LIMIT ${LIMIT}`, [m]);
    findings.addMany('id-map', m, kind, message, rows.map((r) => r.id), Number(rows[0]?.total ?? 0));
  };
  const rejected = (alias: string) => `EXISTS (SELECT 1 FROM _migration.rejected r WHERE r.model = $1 AND r.resolved_at IS NULL AND r.source_id = ${alias}.source_id)`;
  await check(
    'unaccounted',
    'source document neither in the id map nor in the error log',
    `SELECT s.source_id AS id FROM validate_source_ids s WHERE s.model = $1 AND NOT s.skipped
       AND NOT EXISTS (SELECT 1 FROM _migration.id_map i WHERE i.model = $1 AND i.source_id = s.source_id)
       AND NOT ${rejected('s')}`,
  );
  await check('mapped-and-rejected', 'source document both mapped and in the error log', `SELECT i.source_id AS id FROM _migration.id_map i WHERE i.model = $1 AND ${rejected('i')}`);
  await check(
    'mapping-without-source',
    'id map entry whose source document does not exist',
    `SELECT i.source_id AS id FROM _migration.id_map i WHERE i.model = $1
       AND NOT EXISTS (SELECT 1 FROM validate_source_ids s WHERE s.model = $1 AND s.source_id = i.source_id)${
         // A row kept and marked by a sync (config deletedMark) is a mapping whose document is gone on purpose.
         mark ? ` AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(model.table)} t WHERE ${keyMatches(model, 't', 'i.target_key')} AND ${mark.isMarked('t')})` : ''
       }`,
  );
  await check('key-reused', 'target key (UUID) mapped from more than one source id', `SELECT target_key AS id FROM _migration.id_map WHERE model = $1 GROUP BY target_key HAVING count(*) > 1`);
  await check(
    'untraceable-row',
    'target row with no source id in the id map',
    // A hash anti-join: the target's keys against this model's mappings, whatever their number.
    `SELECT k.id FROM (SELECT ${keySql(model, 't')} AS id FROM ${quoteIdent(model.table)} t) k
       LEFT JOIN (SELECT target_key FROM _migration.id_map WHERE model = $1) i ON i.target_key = k.id
      WHERE i.target_key IS NULL`,
  );
}
