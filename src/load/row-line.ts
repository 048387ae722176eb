import { fastFit, type Fit } from '../check/row-check.ts';
import type { IdMapper } from '../ids/id-mapper.ts';
import { asSourceId, type SourceId } from '../ids/source-id.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { ColumnSpec, ModelSpec } from '../schema/model-graph.ts';
import { copyEncoder } from '../target/copy-text.ts';
import type { SourceFields } from '../transform/context.ts';
import { sourceKey } from '../transform/default-transformer.ts';
import { idColumnValue } from '../transform/id-column-value.ts';
import { RejectError } from '../transform/reject.ts';
import { NOT_EXACT, type SourceDoc, type TransformContext } from '../transform/types.ts';

/** A document's own row as COPY text, and its key and UUID as the id map keeps them. */
export interface RowLine {
  line: string;
  key: string;
  uuid: string | null;
}

/** Compiled for one model: the document's row line, or undefined where the long way must decide. */
export type CompiledRow = (doc: SourceDoc, sourceId: SourceId) => RowLine | undefined;

/**
 * One model's documents straight to COPY text, for the common case of a table copied as it is
 * (direct mode) or onto UUIDs (schema mode): every value already in its column's storage and
 * fitting its column. Per column it calls what the long way ends in (the converter's exact
 * part, `ids.ref` for a reference, idColumnValue for an id column, the row check's fastFit, the
 * COPY encoder), in one pass, with no context, row object, row check loop or second encoding.
 * Anything else (a value to coerce or refuse, a missing field, NULL in a required column) makes
 * it answer undefined, and that document takes the long way (prepare.ts), which converts,
 * tallies and rejects it exactly as before: the fast path decides nothing the long way would
 * decide differently, and counts an id-column conversion only for a row it writes.
 *
 * Undefined (not compiled) when the model needs the long way for every document: a hand-written
 * transformer, derived rows, links, dotted renames, or a converter without an exact part.
 */
export function compileRow(model: ModelSpec, plan: ModelPlan, source: SourceFields, ids: IdMapper): CompiledRow | undefined {
  const exactOf = source.converter.exact;
  if (!exactOf || plan.custom || plan.derived.length > 0 || plan.embedded.length > 0 || plan.junctions.length > 0) return undefined;
  const keepIds = ids.strategy === 'keep';
  // defaultRow's rules: a single-column key gets the document's UUID; a composite key is read like any column.
  const ownUuid = !keepIds && model.key.length === 1;
  const counted: string[] = [];
  const count = (key: string): void => void counted.push(key);
  // All idColumnValue asks of a context: the UUID of an id it has already read as one.
  const refs: Pick<TransformContext, 'ref'> = {
    ref: (target, value) => {
      const id = asSourceId(value);
      return id === undefined ? null : ids.ref(target, id);
    },
  };
  type Read = {
    column: ColumnSpec;
    first: string;
    second: string | undefined;
    value: (raw: unknown) => unknown;
    /** The converter's exactText: the field's COPY text straight from the source value (fit by construction). */
    text: ((raw: unknown) => string | typeof NOT_EXACT) | undefined;
    fit: Fit;
    encode: (value: unknown) => string;
    nullable: boolean;
  };
  const reads: (Read | 'own uuid')[] = [];
  for (const column of model.columns) {
    if (column.isId && ownUuid) {
      reads.push('own uuid');
      continue;
    }
    const renamed = source.renames[column.field];
    if (renamed?.includes('.') || column.isList) return undefined;
    const first = renamed ?? column.field;
    // sourceKey's order: the rename, else the field, else the column name.
    const second = renamed === undefined && column.column !== column.field ? column.column : undefined;
    const idColumn = keepIds ? undefined : source.idColumns?.get(column.field);
    let value: Read['value'] | undefined;
    let text: Read['text'];
    if (column.references && !keepIds) {
      const target = column.references.model;
      value = (raw) => referenceOf(ids, target, raw);
    } else if (idColumn) {
      value = (raw) => {
        try {
          return idColumnValue(idColumn, raw, refs, count);
        } catch (error) {
          if (error instanceof RejectError) return NOT_EXACT;
          throw error;
        }
      };
    } else {
      value = exactOf(column, { collection: source.collection, field: first });
      if (second !== undefined && exactOf(column, { collection: source.collection, field: second }) === undefined) return undefined;
      // Not for a key column: the key text is read from the value.
      const textOf = source.converter.exactText;
      if (textOf && !model.key.includes(column) && (second === undefined || textOf(column, { collection: source.collection, field: second }) !== undefined)) {
        text = textOf(column, { collection: source.collection, field: first });
      }
    }
    if (!value) return undefined;
    // The mapper's UUIDs always fit a Uuid column: its regex is skipped for them.
    const mapped = (column.references !== undefined && !keepIds) || idColumn !== undefined;
    const fit = mapped && column.native?.name === 'Uuid' ? (v: unknown) => v === null || typeof v === 'string' : fastFit(column);
    reads.push({ column, first, second, value, text, fit, encode: copyEncoder(column), nullable: !column.required });
  }
  const keyAt = model.key.map((k) => model.columns.indexOf(k));
  if (keyAt.some((i) => i < 0)) return undefined;
  const columns = reads.length;
  const values: unknown[] = new Array<unknown>(columns);
  const countIdColumn = source.countIdColumn;
  return (doc, sourceId) => {
    let line = '';
    let uuid: string | null = null;
    counted.length = 0;
    for (let i = 0; i < columns; i++) {
      const read = reads[i] as Read | 'own uuid';
      let value: unknown;
      let text: string;
      if (read === 'own uuid') {
        uuid = ids.uuid(model.name, sourceId);
        text = uuid;
        value = uuid;
      } else {
        let raw = doc[read.first];
        if (raw === undefined && read.second !== undefined) raw = doc[read.second];
        if (raw === undefined) {
          // sourceKey's last resorts (a name in another case, a flattened path) are the long way's.
          const key = sourceKey(read.column, doc, source.renames);
          if (key !== read.first && key !== read.second) return undefined;
          // Absent, as defaultRow fills it: the literal default as it is, else NULL where allowed.
          if (read.column.literalDefault !== undefined) value = read.column.literalDefault;
          else if (read.nullable) value = null;
          else return undefined;
        } else if (raw === null) {
          if (!read.nullable) return undefined;
          value = null;
        } else if (read.text) {
          const exact = read.text(raw);
          if (exact === NOT_EXACT) return undefined;
          values[i] = undefined;
          line += i === 0 ? exact : '\t' + exact;
          continue;
        } else {
          value = read.value(raw);
          if (value === NOT_EXACT) return undefined;
        }
        if (!read.fit(value)) return undefined;
        text = read.encode(value);
      }
      values[i] = value;
      line += i === 0 ? text : '\t' + text;
    }
    if (countIdColumn) for (const key of counted) countIdColumn(key);
    if (uuid !== null) return { line, key: uuid, uuid };
    // keyText's reading of the row; with ids kept the key is the row's own.
    let key = String(values[keyAt[0] as number]);
    for (let k = 1; k < keyAt.length; k++) key += '|' + String(values[keyAt[k] as number]);
    return { line, key, uuid: null };
  };
}

/** DefaultContext.ref without its rejection: a value that is not an id is the long way's to refuse. */
function referenceOf(ids: IdMapper, target: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const id = asSourceId(value);
  return id === undefined ? NOT_EXACT : ids.ref(target, id);
}
