import { fastFit, type Fit } from '../check/row-check.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { copyEncoder } from '../target/copy-text.ts';
import type { SourceFields } from '../transform/context.ts';
import { NOT_EXACT, type SourceDoc } from '../transform/types.ts';

/** A document's own row as COPY text, and its key as the id map keeps it. */
export interface RowLine {
  line: string;
  key: string;
}

/** Compiled for one model: the document's row line, or undefined where the long way must decide. */
export type CompiledRow = (doc: SourceDoc) => RowLine | undefined;

/**
 * One model's documents straight to COPY text, for the common case of a direct copy: every
 * value already in its column's storage, fitting its column. Per column it uses the same three
 * functions the long way ends in (the converter's exact part, the row check's fastFit, the COPY
 * encoder), in one pass, with no context, row object, row check loop or second encoding pass.
 * Anything else (a value to coerce or refuse, a missing field, NULL in a required column) makes
 * it answer undefined, and that document takes the long way (prepare.ts), which converts,
 * tallies and rejects it exactly as before: the fast path never decides anything the long way
 * would decide differently.
 *
 * Undefined (not compiled) when the model needs the long way for every document: a hand-written
 * transformer, derived rows, links, UUIDs to make (references, id columns), dotted renames, or
 * a converter without an exact part.
 */
export function compileRow(model: ModelSpec, plan: ModelPlan, source: SourceFields, keepIds: boolean): CompiledRow | undefined {
  const exactOf = source.converter.exact;
  if (!exactOf || !keepIds || plan.custom || plan.derived.length > 0 || plan.embedded.length > 0 || plan.junctions.length > 0) return undefined;
  const reads: { first: string; second: string | undefined; exact: (value: unknown) => unknown; fit: Fit; encode: (value: unknown) => string; nullable: boolean }[] = [];
  for (const column of model.columns) {
    const renamed = source.renames[column.field];
    if (renamed?.includes('.')) return undefined;
    const first = renamed ?? column.field;
    // sourceKey's order: the rename, else the field, else the column name.
    const second = renamed === undefined && column.column !== column.field ? column.column : undefined;
    const exact = exactOf(column, { collection: source.collection, field: first });
    if (!exact || (second !== undefined && exactOf(column, { collection: source.collection, field: second }) === undefined)) return undefined;
    reads.push({ first, second, exact, fit: fastFit(column), encode: copyEncoder(column), nullable: !column.required });
  }
  const keyAt = model.key.map((k) => model.columns.indexOf(k));
  if (keyAt.some((i) => i < 0)) return undefined;
  const count = reads.length;
  const values: unknown[] = new Array<unknown>(count);
  return (doc) => {
    let line = '';
    for (let i = 0; i < count; i++) {
      const read = reads[i] as (typeof reads)[number];
      let raw = doc[read.first];
      // A field the document lacks is the long way's to resolve (case-insensitive names, defaults).
      if (raw === undefined && (read.second === undefined || (raw = doc[read.second]) === undefined)) return undefined;
      let value: unknown = null;
      if (raw !== null) {
        value = read.exact(raw);
        if (value === NOT_EXACT) return undefined;
      } else if (!read.nullable) return undefined;
      if (!read.fit(value)) return undefined;
      values[i] = value;
      line += i === 0 ? read.encode(value) : '\t' + read.encode(value);
    }
    // keyText's reading of the row.
    let key = String(values[keyAt[0] as number]);
    for (let k = 1; k < keyAt.length; k++) key += '|' + String(values[keyAt[k] as number]);
    return { line, key };
  };
}
