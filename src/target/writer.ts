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
  /** Rows of any other table (junctions, `_migration`), values in column order. */
  writeRaw(table: TableRef, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs `fn` under a savepoint: if it throws, only its writes are undone and the error rethrown. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
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
