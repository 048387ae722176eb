import { quoteIdent } from '../target/identifiers.ts';
import { keySql, type ColumnSpec, type ModelSpec } from './model-graph.ts';

/**
 * The PostgreSQL type Prisma creates for a column, spelled as `format_type()` prints it,
 * so a live table can be compared with the schema.
 */
export function expectedPgType(column: ColumnSpec): string {
  const base = scalarPgType(column);
  return column.isList ? `${base}[]` : base;
}

function scalarPgType(column: ColumnSpec): string {
  if (column.enumName) return quoteIfNeeded(column.enumName);
  const native = column.native?.name;
  const args = column.native?.args ?? [];
  const withArgs = (name: string, fallback?: string) => (args.length > 0 ? `${name}(${args.join(',')})` : (fallback ?? name));
  switch (column.type) {
    case 'String':
      if (native === 'VarChar') return withArgs('character varying');
      if (native === 'Char') return withArgs('character', 'character(1)');
      if (native === 'Uuid') return 'uuid';
      if (native === 'Inet') return 'inet';
      if (native === 'Citext') return 'citext';
      if (native === 'Xml') return 'xml';
      return 'text';
    case 'Int':
      return native === 'SmallInt' ? 'smallint' : native === 'Oid' ? 'oid' : 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Float':
      return native === 'Real' ? 'real' : 'double precision';
    case 'Decimal':
      return native === 'Money' ? 'money' : args.length > 0 ? `numeric(${args.join(',')})` : 'numeric(65,30)';
    case 'Boolean':
      return 'boolean';
    case 'DateTime':
      if (native === 'Date') return 'date';
      if (native === 'Timestamptz') return `timestamp(${args[0] ?? '6'}) with time zone`;
      if (native === 'Time') return `time(${args[0] ?? '6'}) without time zone`;
      if (native === 'Timetz') return `time(${args[0] ?? '6'}) with time zone`;
      return `timestamp(${args[0] ?? '3'}) without time zone`;
    case 'Json':
      return native === 'Json' ? 'json' : 'jsonb';
    case 'Bytes':
      return 'bytea';
  }
}

function quoteIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}

/**
 * `alias."col" = ANY($n::type[])` for a column: compared in its own type, so its index is used.
 * (Comparing `col::text` instead reads the whole table for every batch.)
 */
export function columnIn(column: ColumnSpec, alias: string, param: string): string {
  return `${alias}.${quoteIdent(column.column)} = ANY(${param}::${expectedPgType(column)}[])`;
}

/** The same for a model's key: by its column when single, by the key text when composite. */
export function keyIn(model: ModelSpec, alias: string, param: string): string {
  const [only] = model.key;
  return model.key.length === 1 && only ? columnIn(only, alias, param) : `${keySql(model, alias)} = ANY(${param}::text[])`;
}

/**
 * `alias."id" = (text)::type` for a single-column key, the key text compared otherwise: the
 * text side is cast, never the column, so the table's primary key index finds the row.
 */
export function keyMatches(model: ModelSpec, alias: string, text: string): string {
  const [only] = model.key;
  return model.key.length === 1 && only ? `${alias}.${quoteIdent(only.column)} = (${text})::${expectedPgType(only)}` : `${keySql(model, alias)} = ${text}`;
}
