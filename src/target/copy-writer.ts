import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ColumnSpec } from '../schema/model-graph.ts';
import { copyField } from './copy-text.ts';
import { quoteIdent, sqlTable, targetTable, type TableRef } from './identifiers.ts';
import type { WriteTx, Writer } from './writer.ts';

/** The default writer: one pooled connection per transaction, rows streamed with COPY. */
export function createCopyWriter(pool: pg.Pool): Writer {
  return {
    name: 'copy',
    async transaction(fn) {
      const client = await pool.connect();
      let healthy = true;
      try {
        await client.query('BEGIN');
        const result = await fn(pgTx(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          healthy = false;
        });
        throw error;
      } finally {
        // A connection that could not roll back is broken: drop it instead of reusing it.
        client.release(healthy ? undefined : true);
      }
    },
    close: async () => {},
  };
}

let savepointCounter = 0;

export function pgTx(client: pg.PoolClient): WriteTx {
  const copy = async (table: TableRef, columns: readonly string[], lines: Iterable<string>): Promise<void> => {
    const sql = `COPY ${sqlTable(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`;
    await pipeline(Readable.from(chunked(lines)), client.query(copyFrom(sql)));
  };
  return {
    async writeRows(model, rows) {
      if (rows.length === 0) return;
      const cols: readonly ColumnSpec[] = model.columns;
      const lines = rows.map((row) => cols.map((c) => copyField(row[c.field], c)).join('\t'));
      await copy(targetTable(model.table), cols.map((c) => c.column), lines);
    },
    async writeRaw(table, columns, rows) {
      if (rows.length === 0) return;
      await copy(table, columns, rows.map((r) => r.map((v) => copyField(v)).join('\t')));
    },
    async query<T extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
      const result = await client.query<T>(sql, params ? [...params] : undefined);
      return result.rows;
    },
    async savepoint(fn) {
      const name = `sp_${++savepointCounter}`;
      await client.query(`SAVEPOINT ${name}`);
      try {
        const result = await fn();
        await client.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw error;
      }
    },
  };
}

/** Groups lines into ~256 KiB chunks: one stream write per chunk instead of per row. */
function* chunked(lines: Iterable<string>): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const line of lines) {
    parts.push(line, '\n');
    size += line.length + 1;
    if (size >= 1 << 18) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}
