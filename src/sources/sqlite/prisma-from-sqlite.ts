import { identifierBytes, MAX_IDENTIFIER_BYTES } from '../../target/identifiers.ts';
import { prismaType, typeFor, type TypeRule } from './cast-rules.ts';
import { fitIdentifier } from './fit-name.ts';
import type { SqliteColumn, SqliteTable } from './sqlite-schema.ts';

export interface GeneratedSchema {
  schema: string;
  /** What could not be carried, for the log: defaults, composite foreign keys (CHECKs are schema objects: translate-objects.ts). */
  warnings: string[];
  /** Table → model name, column → field name, for renames and reports. */
  models: Map<string, { model: string; fields: Map<string, string> }>;
}

const referentialAction: Record<string, string> = { CASCADE: 'Cascade', 'SET NULL': 'SetNull', 'SET DEFAULT': 'SetDefault', RESTRICT: 'Restrict', 'NO ACTION': 'NoAction' };

/**
 * A Prisma schema describing the direct copy of a SQLite database: one model per table (names
 * made valid, the originals kept with @@map/@map), types from the casting rules, keys kept
 * (an INTEGER PRIMARY KEY becomes an autoincrement identity), defaults translated, foreign
 * keys as relations with SQLite's referential actions, unique constraints and indexes.
 */
export function prismaSchemaFromSqlite(allTables: readonly SqliteTable[], typeRules: readonly TypeRule[] = [], selected?: ReadonlySet<string>): GeneratedSchema {
  const warnings: string[] = [];
  const models = new Map<string, { model: string; fields: Map<string, string> }>();
  const modelOf = sqliteModelNames(allTables);
  // Only the selected tables (--models, only:) are described: nothing about another table can stop the run.
  const tables = selected ? allTables.filter((t) => selected.has(t.name)) : allTables;
  // Tables, indexes and key constraints share one namespace per PostgreSQL schema.
  const usedRelations = new Set<string>();
  const dbNames = new Map<string, { table: string; columns: Map<string, string> }>();
  for (const t of tables) {
    const model = modelOf.get(t.name) ?? pascal(t.name);
    const usedFields = new Set<string>();
    // A table with nothing unique gets its rowid as a column (table-key.ts), named like the others.
    const columnNames = [...t.columns.map((c) => c.name), ...(t.key.kind === 'rowid' ? [t.key.column] : [])];
    models.set(t.name, { model, fields: new Map(columnNames.map((c) => [c, unique(camel(c), usedFields)])) });
    const table = dbName(t.name, usedRelations, warnings, t.name);
    const usedColumns = new Set<string>();
    dbNames.set(t.name, { table, columns: new Map(columnNames.map((c) => [c, dbName(c, usedColumns, warnings, `${t.name}.${c}`)])) });
  }
  const blocks = new Map<string, string[]>();
  const relationLines = new Map<string, string[]>();
  const relationNames = new Set<string>();

  for (const t of tables) {
    const names = models.get(t.name);
    if (!names) continue;
    const lines: string[] = [];
    const field = (c: string) => names.fields.get(c) ?? c;
    const db = dbNames.get(t.name) ?? { table: t.name, columns: new Map<string, string>() };
    const column = (c: string) => db.columns.get(c) ?? c;
    // Prisma names a key `<table>_<columns>_<suffix>` and cuts it at 63 bytes, which can make two
    // long tables' names collide; past 63 bytes this names it instead, the same way as tables.
    const keyName = (columns: readonly string[], suffix: string) => {
      const name = [db.table, ...columns.map(column), suffix].join('_');
      return identifierBytes(name) > MAX_IDENTIFIER_BYTES ? fitIdentifier(name, usedRelations) : undefined;
    };
    // Prisma names the key of its implicit m:n tables `_AToB_AB_pkey` on PostgreSQL: the same name here.
    const implicitPair = t.key.kind === 'unique' && t.key.columns.join() === 'A,B' && t.name.startsWith('_');
    const pkeyMap = implicitPair ? `${db.table}_AB_pkey` : keyName([], 'pkey');
    if (t.key.kind === 'unique') warnings.push(`${t.name}: no primary key; its unique index ${t.key.index} (${t.key.columns.join(', ')}, all NOT NULL) is the primary key in PostgreSQL`);
    if (t.key.kind === 'rowid') {
      const columnName = column(t.key.column);
      const map = field(t.key.column) !== columnName ? ` @map(${JSON.stringify(columnName)})` : '';
      lines.push(`  ${field(t.key.column)} BigInt @id${pkeyMap ? `(map: ${JSON.stringify(pkeyMap)})` : ''} @default(autoincrement())${map}`);
      warnings.push(`${t.name}: no primary key and nothing unique; PostgreSQL gets one more column, ${columnName} (bigint identity), holding each row's SQLite rowid: repeated rows stay apart, a resume is exact`);
    }
    for (const c of t.columns) {
      const { type } = typeFor(t.name, c.name, c.declared, typeRules);
      const { scalar, native } = prismaType(t.rowidAlias === c.name ? 'BigInt' : type);
      const attrs: string[] = [];
      const soleKey = t.primaryKey.length === 1 ? t.primaryKey[0] : t.key.kind === 'unique' && t.key.columns.length === 1 ? t.key.columns[0] : undefined;
      if (soleKey === c.name) attrs.push(pkeyMap ? `@id(map: ${JSON.stringify(pkeyMap)})` : '@id');
      if (t.rowidAlias === c.name) attrs.push('@default(autoincrement())');
      else {
        const def = translateDefault(c, scalar, native);
        if (def.attribute) attrs.push(def.attribute);
        if (def.warning) warnings.push(`${t.name}.${c.name}: ${def.warning}`);
      }
      if (native) attrs.push(native);
      const columnName = column(c.name);
      if (field(c.name) !== columnName) attrs.push(`@map(${JSON.stringify(columnName)})`);
      const optional = !c.notNull && c.pk === 0;
      lines.push(`  ${field(c.name)} ${scalar}${optional ? '?' : ''}${attrs.length ? ` ${attrs.join(' ')}` : ''}`);
    }
    for (const fk of t.foreignKeys) {
      if (selected && !selected.has(fk.table) && allTables.some((p) => p.name === fk.table)) {
        warnings.push(`${t.name}: foreign key (${fk.columns.join(', ')}) → ${fk.table}, which is not selected; its rows are copied, the constraint is not`);
        continue;
      }
      const parent = tables.find((p) => p.name === fk.table);
      const parentNames = models.get(fk.table);
      const to = fk.to.length > 0 ? fk.to : (parent?.primaryKey ?? []);
      if (!parent || !parentNames || fk.columns.length !== 1 || to.length !== 1) {
        warnings.push(`${t.name}: foreign key (${fk.columns.join(', ')}) → ${fk.table} is not a single-column reference to a known table; its rows are copied, the constraint is not`);
        continue;
      }
      const [from] = fk.columns;
      const [toColumn] = to;
      const referencedIsUnique = (parent.primaryKey.length === 1 && parent.primaryKey[0] === toColumn) || parent.indexes.some((i) => i.unique && i.columns.length === 1 && i.columns[0] === toColumn);
      if (!from || !toColumn || !referencedIsUnique) {
        warnings.push(`${t.name}.${from ?? '?'}: references ${fk.table}.${toColumn ?? '?'}, which is not unique; the constraint is not carried`);
        continue;
      }
      const relation = unique(`${names.model}_${field(from)}`, relationNames);
      const optional = !t.columns.find((c) => c.name === from)?.notNull;
      const own = relationLines.get(t.name) ?? [];
      const relField = unique(`${field(from).replace(/Id$/i, '') || 'ref'}Rel`, new Set([...names.fields.values(), ...own.map((l) => l.trim().split(' ')[0] ?? '')]));
      const fkMap = keyName([from], 'fkey');
      const actions = `, onDelete: ${referentialAction[fk.onDelete] ?? 'NoAction'}, onUpdate: ${referentialAction[fk.onUpdate] ?? 'NoAction'}${fkMap ? `, map: ${JSON.stringify(fkMap)}` : ''}`;
      own.push(`  ${relField} ${parentNames.model}${optional ? '?' : ''} @relation(${JSON.stringify(relation)}, fields: [${field(from)}], references: [${parentNames.fields.get(toColumn) ?? toColumn}]${actions})`);
      relationLines.set(t.name, own);
      const back = relationLines.get(fk.table) ?? [];
      const taken = new Set([...(parentNames.fields.values() ?? []), ...back.map((l) => l.trim().split(' ')[0] ?? '')]);
      back.push(`  ${unique(`${lowerFirst(names.model)}By${pascal(field(from))}`, taken)} ${names.model}[] @relation(${JSON.stringify(relation)})`);
      relationLines.set(fk.table, back);
    }
    const compositeKey = t.primaryKey.length > 1 ? t.primaryKey : t.key.kind === 'unique' ? t.key.columns : [];
    if (compositeKey.length > 1) lines.push('', `  @@id([${compositeKey.map(field).join(', ')}]${pkeyMap ? `, map: ${JSON.stringify(pkeyMap)}` : ''})`);
    for (const index of t.indexes) {
      if (index.origin === 'pk' || index.columns.some((c) => c === '')) continue;
      if (t.key.kind === 'unique' && index.name === t.key.index) continue;
      const name = index.name.startsWith('sqlite_autoindex') ? keyName(index.columns, index.unique ? 'key' : 'idx') : dbName(index.name, usedRelations, warnings, `${t.name}: index ${index.name}`);
      const map = name === undefined ? '' : `, map: ${JSON.stringify(name)}`;
      lines.push(`  @@${index.unique ? 'unique' : 'index'}([${index.columns.map(field).join(', ')}]${map})`);
    }
    lines.push(`  @@map(${JSON.stringify(db.table)})`);
    blocks.set(t.name, lines);
  }

  const out = [
    '// Generated from a SQLite database by the direct copy: keys kept, names made valid and mapped back.',
    'generator client {',
    '  provider = "prisma-client"',
    '  output   = "./generated"',
    '}',
    '',
    'datasource db {',
    '  provider = "postgresql"',
    '}',
  ];
  for (const t of tables) {
    const names = models.get(t.name);
    if (!names) continue;
    out.push('');
    for (const check of t.checks) out.push(`/// CHECK (${check.replace(/\n/g, ' ')})`);
    out.push(`model ${names.model} {`, ...(relationLines.get(t.name) ?? []).map((l) => l), ...(blocks.get(t.name) ?? []), '}');
  }
  return { schema: `${out.join('\n')}\n`, warnings, models };
}

/** Table → model name, the same for every selection of tables: PascalCase, made unique in table order. */
export function sqliteModelNames(tables: readonly SqliteTable[]): Map<string, string> {
  const used = new Set<string>();
  return new Map(tables.map((t) => [t.name, unique(pascal(t.name), used)]));
}

function translateDefault(c: SqliteColumn, scalar: string, native: string | undefined): { attribute?: string; warning?: string } {
  const raw = c.defaultSql?.trim();
  if (raw === undefined || raw === '' || /^NULL$/i.test(raw)) return {};
  const text = raw.replace(/^\((.*)\)$/s, '$1').trim();
  if (/^(CURRENT_TIMESTAMP|datetime\s*\(\s*'now'\s*\)|strftime\s*\(.*'now'\s*\))$/i.test(text) && scalar === 'DateTime') {
    return native === '@db.Date' ? { attribute: '@default(dbgenerated("CURRENT_DATE"))' } : { attribute: '@default(now())' };
  }
  if (/^(CURRENT_DATE|date\s*\(\s*'now'\s*\))$/i.test(text) && scalar === 'DateTime') return { attribute: '@default(dbgenerated("CURRENT_DATE"))' };
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) {
    if (scalar === 'Boolean') return text === '0' || text === '1' ? { attribute: `@default(${text === '1'})` } : { warning: `default ${raw} is not a boolean; dropped` };
    if (['BigInt', 'Int', 'Float', 'Decimal'].includes(scalar)) return { attribute: `@default(${text})` };
    if (scalar === 'String') return { attribute: `@default(${JSON.stringify(text)})` };
  }
  const str = /^'((?:[^']|'')*)'$/.exec(text);
  if (str && scalar === 'String') return { attribute: `@default(${JSON.stringify((str[1] ?? '').replace(/''/g, "'"))})` };
  if (str && scalar === 'Json' && isJson((str[1] ?? '').replace(/''/g, "'"))) return { attribute: `@default(${JSON.stringify((str[1] ?? '').replace(/''/g, "'"))})` };
  if (/^(TRUE|FALSE)$/i.test(text) && scalar === 'Boolean') return { attribute: `@default(${text.toLowerCase()})` };
  return { warning: `default ${raw} has no PostgreSQL equivalent here; dropped (rows keep their values; new rows get NULL)` };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The PostgreSQL name of a SQLite table, column or index, with a warning naming both when it
 * differs: Prisma writes identifiers into its DDL without doubling embedded quotes, so those
 * become `_`; a name longer than PostgreSQL keeps (63 bytes) is shortened by fitIdentifier.
 */
function dbName(name: string, used: Set<string>, warnings: string[], what: string): string {
  const unquoted = name.replace(/"/g, '_');
  const fitted = fitIdentifier(unquoted, used);
  if (fitted !== name) {
    const tooLong = identifierBytes(unquoted) > MAX_IDENTIFIER_BYTES;
    const why = [
      unquoted !== name ? "Prisma's DDL cannot quote a double quote" : '',
      fitted !== unquoted ? (tooLong ? `PostgreSQL keeps only ${MAX_IDENTIFIER_BYTES} bytes of a name (this one has ${identifierBytes(unquoted)})` : `${unquoted} is already taken`) : '',
    ].filter(Boolean).join('; ');
    warnings.push(`${what}: renamed to ${fitted} in PostgreSQL (${why})`);
  }
  return fitted;
}

function pascal(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = parts.map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('') || 'Table';
  return /^[A-Za-z]/.test(joined) ? joined : `T${joined}`;
}

function camel(name: string): string {
  const p = pascal(name);
  const c = p.charAt(0).toLowerCase() + p.slice(1);
  return c === 't' ? 'column' : c;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function unique(name: string, used: Set<string>): string {
  let candidate = name;
  for (let i = 2; used.has(candidate); i++) candidate = `${name}${i}`;
  used.add(candidate);
  return candidate;
}
