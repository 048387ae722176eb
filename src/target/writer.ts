import type { Row } from '../check/row-check.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import type { TableRef } from './identifiers.ts';

/** One open transaction on the target. Every write of a batch goes through the same one. */
export interface WriteTx {
  /** Rows of a model, keyed by Prisma field names. */
  writeRows(model: ModelSpec, rows: readonly Row[]): Promise<void>;
  /**
   * A model's rows where some arrive already as COPY lines (a compiled row, load/row-line.ts):
   * written in the order given, each line as it is, each row encoded as writeRows does. Only
   * writers whose `lines` is true have it.
   */
  writeLines?(model: ModelSpec, rows: readonly (Row | string)[]): Promise<void>;
  /**
   * One COPY into a model's table left open across batches, under a savepoint of its own: a
   * statement per span of batches instead of one per batch (each COPY costs the server about
   * as much as a thousand of its rows). Nothing else may use the transaction until it ends or
   * is undone. Only writers whose `lines` is true have it.
   */
  openLines?(model: ModelSpec): Promise<LineStream>;
  /** Rows of any other table (junctions, `_migration`), values in column order. */
  writeRaw(table: TableRef, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs `fn` under a savepoint: if it throws, only its writes are undone and the error rethrown. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
}

/** An open COPY (WriteTx.openLines). After `write` or `end` throws, only `undo` is left to call. */
export interface LineStream {
  /** Rows and lines as writeLines takes them; waits while the server is behind. */
  write(rows: readonly (Row | string)[]): Promise<void>;
  /** COPY text made elsewhere (a worker thread's), whole lines each ending in a newline, as it is. */
  writeText(text: Buffer): Promise<void>;
  /** Ends the COPY and keeps its rows (releases the savepoint). */
  end(): Promise<void>;
  /** Ends the COPY without its rows (back to the savepoint), whatever state it is in. */
  undo(): Promise<void>;
}

/**
 * How rows reach the target. `copy` streams PostgreSQL COPY (the default: ~16× faster);
 * `prisma` goes through the generated client's createMany, to cross-check the COPY path
 * against Prisma's own reading of the schema.
 */
export interface Writer {
  readonly name: 'copy' | 'prisma';
  /** Its transactions take COPY lines (WriteTx.writeLines). */
  readonly lines: boolean;
  transaction<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
