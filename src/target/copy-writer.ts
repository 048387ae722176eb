import { once } from 'node:events';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row } from '../check/row-check.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { copyEncoder, rowLineOf } from './copy-text.ts';
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

/** The one place savepoints are named, taken, released and rolled back to. */
async function takeSavepoint(client: pg.PoolClient): Promise<{ release(): Promise<void>; rollback(): Promise<void> }> {
  const name = `sp_${++savepointCounter}`;
  await client.query(`SAVEPOINT ${name}`);
  return {
    release: async () => void (await client.query(`RELEASE SAVEPOINT ${name}`)),
    rollback: async () => void (await client.query(`ROLLBACK TO SAVEPOINT ${name}`)),
  };
}

const copySql = (table: TableRef, columns: readonly string[]) => `COPY ${sqlTable(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`;

export function pgTx(client: pg.PoolClient): WriteTx {
  const copy = async (table: TableRef, columns: readonly string[], chunks: string[]): Promise<void> => {
    await pipeline(Readable.from(chunks), client.query(copyFrom(copySql(table, columns))));
  };
  // A compiled document's row arrives as its line already (load/row-line.ts); the others are encoded here.
  const modelLines = (model: ModelSpec, rows: readonly (Row | string)[]): string[] => {
    return encodeLines(rows, rowLineOf(model));
  };
  const writeModel = async (model: ModelSpec, rows: readonly (Row | string)[]): Promise<void> => {
    if (rows.length === 0) return;
    await copy(targetTable(model.table), model.columns.map((c) => c.column), modelLines(model, rows));
  };
  return {
    writeRows: (model, rows) => writeModel(model, rows),
    writeLines: (model, rows) => writeModel(model, rows),
    async openLines(model) {
      const savepoint = await takeSavepoint(client);
      const stream = openCopy(client, copySql(targetTable(model.table), model.columns.map((c) => c.column)));
      return {
        write: (rows) => stream.write(modelLines(model, rows)),
        writeText: (text) => stream.write([text]),
        async end() {
          await stream.end();
          await savepoint.release();
        },
        async undo() {
          await stream.abort();
          await savepoint.rollback();
        },
      };
    },
    async writeRaw(table, columns, rows) {
      if (rows.length === 0) return;
      await copy(table, columns, encodeLines(rows, (row) => rawLine(row, columns.length)));
    },
    async query<T extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
      const result = await client.query<T>(sql, params ? [...params] : undefined);
      return result.rows;
    },
    async savepoint(fn) {
      const savepoint = await takeSavepoint(client);
      try {
        const result = await fn();
        await savepoint.release();
        return result;
      } catch (error) {
        await savepoint.rollback();
        throw error;
      }
    },
  };
}

/**
 * A COPY FROM STDIN kept open: chunks go in as they come, with the socket's backpressure; the
 * server's refusal (a duplicate key, say) surfaces at the next write or at the end.
 */
function openCopy(client: pg.PoolClient, sql: string): { write(chunks: readonly (string | Buffer)[]): Promise<void>; end(): Promise<void>; abort(): Promise<void> } {
  const stream = client.query(copyFrom(sql));
  let failure: { error: unknown } | undefined;
  // Noted at once, so no chunk follows a refusal into a statement the server has ended.
  stream.on('error', (error: unknown) => {
    failure ??= { error };
  });
  // Settles once the server has answered: 'finish' after ReadyForQuery, or the error.
  const settled = finished(stream).catch(() => {});
  const check = () => {
    if (failure) throw failure.error;
    if (stream.destroyed) throw new Error('COPY span ended');
  };
  return {
    async write(chunks) {
      for (const chunk of chunks) {
        check();
        if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), settled]).catch(() => {});
      }
      check();
    },
    async end() {
      check();
      stream.end();
      await settled;
      // Finished streams are destroyed too: only a refusal counts here.
      if (failure) throw failure.error;
    },
    async abort() {
      // CopyFail ends the statement (pg-copy-streams' destroy); an errored stream has ended already.
      if (!stream.destroyed && !stream.writableFinished) stream.destroy(new Error('COPY span undone'));
      await settled;
    },
  };
}

const rawEncode = copyEncoder();

/**
 * COPY text of the rows, a line each, in ~256 KiB chunks: one stream write per chunk, not per
 * row. A row given as a string is its line already.
 */
function encodeLines<R>(rows: readonly (R | string)[], line: (row: R) => string): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const row of rows) {
    chunk += (typeof row === 'string' ? row : line(row)) + '\n';
    if (chunk.length >= 1 << 18) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** A raw row (the state tables', a junction's): its first `columns` values, in column order. */
function rawLine(row: readonly unknown[], columns: number): string {
  let line = rawEncode(row[0]);
  for (let i = 1; i < columns; i++) line += '\t' + rawEncode(row[i]);
  return line;
}
