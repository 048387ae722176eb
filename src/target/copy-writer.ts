import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row } from '../check/row-check.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { copyEncoder } from './copy-text.ts';
import { quoteIdent, sqlTable, targetTable, type TableRef } from './identifiers.ts';
import type { WriteTx, Writer } from './writer.ts';

/** The default writer: one pooled connection per transaction, rows streamed with COPY. */
export function createCopyWriter(pool: pg.Pool): Writer {
  return {
    name: 'copy',
    lines: true,
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
  const copy = async (table: TableRef, columns: readonly string[], chunks: string[]): Promise<void> => {
    const sql = `COPY ${sqlTable(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`;
    await pipeline(Readable.from(chunks), client.query(copyFrom(sql)));
  };
  return {
    async writeRows(model, rows) {
      if (rows.length === 0) return;
      const { fields, encoders } = encoderOf(model);
      await copy(targetTable(model.table), model.columns.map((c) => c.column), encodeRows(rows.length, fields.length, (r, i) => (encoders[i] as Encode)((rows[r] as Row)[fields[i] as string])));
    },
    async writeLines(model, rows) {
      if (rows.length === 0) return;
      const { fields, encoders } = encoderOf(model);
      await copy(targetTable(model.table), model.columns.map((c) => c.column), encodeLines(rows, fields.length, (row, i) => (encoders[i] as Encode)(row[fields[i] as string])));
    },
    async writeRaw(table, columns, rows) {
      if (rows.length === 0) return;
      await copy(table, columns, encodeRows(rows.length, columns.length, (r, i) => rawEncode((rows[r] as readonly unknown[])[i])));
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

type Encode = (value: unknown) => string;
const rawEncode = copyEncoder();
const encoders = new WeakMap<ModelSpec, { fields: string[]; encoders: Encode[] }>();

/** Each model's column encoders, decided once per model rather than per value. */
function encoderOf(model: ModelSpec): { fields: string[]; encoders: Encode[] } {
  let found = encoders.get(model);
  if (!found) {
    found = { fields: model.columns.map((c) => c.field), encoders: model.columns.map((c) => copyEncoder(c)) };
    encoders.set(model, found);
  }
  return found;
}

/** As encodeRows, where a row given as a string is its COPY line already. */
function encodeLines(rows: readonly (Row | string)[], columns: number, field: (row: Row, column: number) => string): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const row of rows) {
    if (typeof row === 'string') chunk += row + '\n';
    else {
      let line = field(row, 0);
      for (let i = 1; i < columns; i++) line += '\t' + field(row, i);
      chunk += line + '\n';
    }
    if (chunk.length >= 1 << 18) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** COPY text of `rows` × `columns` fields, in ~256 KiB chunks: one stream write per chunk, not per row. */
function encodeRows(rows: number, columns: number, field: (row: number, column: number) => string): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (let r = 0; r < rows; r++) {
    let line = field(r, 0);
    for (let i = 1; i < columns; i++) line += '\t' + field(r, i);
    chunk += line + '\n';
    if (chunk.length >= 1 << 18) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
