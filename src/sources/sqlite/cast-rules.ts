import type { ScalarType } from '../../schema/model-graph.ts';

/** The Prisma type a direct copy gives a column: `BigInt`, `Decimal(10,2)`, `VarChar(255)`, ... */
export type TypeName = string;

/**
 * How a declared SQLite type becomes a column of the direct copy: an ordered table, user rules
 * (from config) first, first match wins, a catch-all by SQLite's affinity rules last. Every
 * rule keeps meaning: NOT NULL stays, REAL stays 8-byte, VARCHAR(n) stays varying, integers
 * stay 64-bit, and the integer spellings pgloader trips on (MEDIUMINT, INT2, INT8,
 * UNSIGNED BIG INT) are just integers.
 */
export interface TypeRule {
  name: string;
  /** Matched against the upper-cased declared type. */
  declared?: RegExp;
  /** `table.column`, `*` as a wildcard. */
  column?: string;
  type: (declared: string) => TypeName;
}

const args = (declared: string): string[] => /\(([^)]*)\)/.exec(declared)?.[1]?.split(',').map((a) => a.trim()) ?? [];

export const DEFAULT_TYPE_RULES: readonly TypeRule[] = [
  { name: 'boolean', declared: /^BOOL(EAN)?$/, type: () => 'Boolean' },
  { name: 'date', declared: /^DATE$/, type: () => 'Date' },
  { name: 'date-time', declared: /^(DATETIME|TIMESTAMP)(\s*\(\d+\))?$/, type: () => 'DateTime' },
  { name: 'json', declared: /^JSONB?$/, type: () => 'Json' },
  { name: 'exact decimal', declared: /^(NUMERIC|DECIMAL)\s*\(\s*\d+\s*,\s*\d+\s*\)$/, type: (d) => `Decimal(${args(d).join(',')})` },
  { name: 'exact decimal, no scale', declared: /^(NUMERIC|DECIMAL)\s*\(\s*\d+\s*\)$/, type: (d) => `Decimal(${args(d)[0]},0)` },
  { name: 'varying text with a length', declared: /^(VARCHAR|NVARCHAR|VARYING CHARACTER|NATIVE CHARACTER|CHARACTER VARYING|NCHAR|CHARACTER|CHAR)\s*\(\s*\d+\s*\)$/, type: (d) => `VarChar(${args(d)[0]})` },
  { name: 'text', declared: /^(TEXT|CLOB|STRING|VARCHAR|NVARCHAR|CHAR|CHARACTER|NCHAR)$/, type: () => 'String' },
  { name: 'binary', declared: /^BLOB$/, type: () => 'Bytes' },
  // SQLite's affinity rules, in their documented order, as the catch-all.
  { name: 'integer affinity', declared: /INT/, type: () => 'BigInt' },
  { name: 'text affinity', declared: /CHAR|CLOB|TEXT/, type: () => 'String' },
  { name: 'untyped', declared: /^$/, type: () => 'String' },
  { name: 'blob affinity', declared: /BLOB/, type: () => 'Bytes' },
  { name: 'real affinity', declared: /REAL|FLOA|DOUB/, type: () => 'Float' },
  { name: 'numeric affinity', declared: /./, type: () => 'Decimal' },
];

export function typeFor(table: string, column: string, declared: string, userRules: readonly TypeRule[] = []): { type: TypeName; rule: string } {
  const upper = declared.trim().toUpperCase();
  for (const rule of [...userRules, ...DEFAULT_TYPE_RULES]) {
    if (rule.declared && !rule.declared.test(upper)) continue;
    if (rule.column && !globMatch(rule.column, `${table}.${column}`)) continue;
    return { type: rule.type(declared), rule: rule.name };
  }
  return { type: 'String', rule: 'fallback' };
}

/** The Prisma attribute form of a type name: `Decimal(10,2)` → `Decimal @db.Decimal(10, 2)`. */
export function prismaType(type: TypeName): { scalar: ScalarType; native?: string } {
  const m = /^(\w+)(?:\(([^)]*)\))?$/.exec(type);
  const name = m?.[1] ?? 'String';
  const a = m?.[2];
  switch (name) {
    case 'VarChar':
      return { scalar: 'String', native: `@db.VarChar(${a})` };
    case 'Decimal':
      return a ? { scalar: 'Decimal', native: `@db.Decimal(${a.replace(',', ', ')})` } : { scalar: 'Decimal' };
    case 'Date':
      return { scalar: 'DateTime', native: '@db.Date' };
    case 'DateTime':
      return { scalar: 'DateTime', native: '@db.Timestamptz(6)' };
    case 'Float':
      return { scalar: 'Float', native: '@db.DoublePrecision' };
    case 'BigInt':
    case 'Int':
    case 'Boolean':
    case 'Json':
    case 'Bytes':
    case 'String':
      return { scalar: name };
    default:
      throw new Error(`unknown type ${type} in a casting rule`);
  }
}

export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(text);
}
