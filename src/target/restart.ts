import type pg from 'pg';
import { withTransaction } from './transaction.ts';
import { ConfigError } from '../config/load-config.ts';
import { quoteIdent, STATE_SCHEMA } from './identifiers.ts';

/**
 * The schema the target's tables live in: the connection's `current_schema()`, where Prisma's
 * unqualified DDL creates them. The tool's own schema is refused as a target: source tables
 * there would mix with its bookkeeping.
 */
export async function targetSchema(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ s: string | null }>('SELECT current_schema() AS s');
  const schema = rows[0]?.s;
  if (!schema) throw new ConfigError('the target connection has no current schema (its search_path names no existing schema); set search_path to the schema the tables belong in');
  if (schema === STATE_SCHEMA) throw new ConfigError(`the target's current schema is ${STATE_SCHEMA}, the migrator's own; set search_path to the schema the tables belong in (public by default)`);
  return schema;
}

/** The tables a restart would empty: those the migrator created or loaded, nothing else. */
export async function loadedTables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT l.table_name FROM _migration.loaded_tables l
       JOIN information_schema.tables t ON t.table_name = l.table_name AND t.table_schema = current_schema()
      ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

/**
 * Empties the loaded tables and forgets every run, id mapping and rejection, in one
 * transaction (with whole-table transactions, only the runs: each table resets itself). No CASCADE: if a table of the user's references ours, TRUNCATE refuses and
 * nothing is lost.
 */
export async function resetTarget(pool: pg.Pool, tables: readonly string[], options: { wholeTables: boolean; shared?: readonly string[] }): Promise<void> {
  await withTransaction(pool, async (client) => {
    if (options.wholeTables) {
      // Each table is emptied inside its own load transaction, so one that fails keeps its old rows.
      // A junction filled from both sides belongs to neither side's transaction: it is emptied here.
      const shared = (options.shared ?? []).filter((t) => tables.includes(t));
      if (shared.length > 0) await client.query(`TRUNCATE ${shared.map(quoteIdent).join(', ')}`);
      await client.query('TRUNCATE _migration.progress, _migration.fields, _migration.runs, _migration.repairs, _migration.sync_removals, _migration.sync_progress, _migration.syncs');
    } else {
      if (tables.length > 0) await client.query(`TRUNCATE ${tables.map(quoteIdent).join(', ')}`);
      await client.query('TRUNCATE _migration.id_map, _migration.id_identity, _migration.rejected, _migration.repairs, _migration.progress, _migration.fields, _migration.runs, _migration.sync_removals, _migration.sync_progress, _migration.syncs');
    }
  });
}
