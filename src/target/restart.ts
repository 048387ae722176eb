import type pg from 'pg';
import { withTransaction } from './transaction.ts';
import { quoteIdent } from './writer.ts';

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
      await client.query('TRUNCATE _migration.progress, _migration.runs');
    } else {
      if (tables.length > 0) await client.query(`TRUNCATE ${tables.map(quoteIdent).join(', ')}`);
      await client.query('TRUNCATE _migration.id_map, _migration.rejected, _migration.progress, _migration.runs');
    }
  });
}
