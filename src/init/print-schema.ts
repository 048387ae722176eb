import { schemaWasm, wasmMessage } from '../schema/dmmf.ts';
import type { DraftColumn, DraftEnum, DraftField, DraftModel, DraftRelation, DraftSchema } from './draft-schema.ts';

/**
 * Prints a draft as a PostgreSQL Prisma schema, laid out by Prisma's own formatter and checked
 * by Prisma's own validator (the WASM build of prisma-engines), so what `init` writes is what
 * `prisma format` would write and `prisma validate` accepts.
 */
export function printSchema(draft: DraftSchema): string {
  const text = [
    ...draft.header.map((line) => `// ${line}`.trimEnd()),
    '',
    'generator client {',
    '  provider = "prisma-client"',
    '  output   = "./generated/prisma"',
    '}',
    '',
    'datasource db {',
    '  provider = "postgresql"',
    '}',
    '',
    ...draft.enums.flatMap((e) => [...printEnum(e), '']),
    ...draft.models.flatMap((m) => [...printModel(m), '']),
  ].join('\n');
  const formatted = formatPrisma(text);
  validatePrisma(formatted);
  return formatted;
}

function printEnum(e: DraftEnum): string[] {
  return [
    ...e.doc.map((line) => `/// ${line}`),
    `enum ${e.name} {`,
    ...e.values.map((v) => `  ${v.name}${v.map !== undefined ? ` @map(${quote(v.map)})` : ''}`),
    ...(e.map !== undefined ? ['', `  @@map(${quote(e.map)})`] : []),
    '}',
  ];
}

function printModel(m: DraftModel): string[] {
  const blockAttributes = [
    ...(m.compositeId ? [`@@id([${m.compositeId.join(', ')}])`] : []),
    ...m.uniques.map((u) => `@@unique([${u.join(', ')}])`),
    ...m.indexes.map((i) => `@@index([${i.join(', ')}])`),
    ...(m.map !== undefined ? [`@@map(${quote(m.map)})`] : []),
  ];
  return [
    ...m.doc.map((line) => `/// ${line}`),
    `model ${m.name} {`,
    ...m.fields.flatMap((f) => [...(f.doc ?? []).map((line) => `  /// ${line}`), `  ${printField(f)}`]),
    ...(blockAttributes.length > 0 ? ['', ...blockAttributes.map((a) => `  ${a}`)] : []),
    '}',
  ];
}

function printField(f: DraftField): string {
  const parts = f.kind === 'column' ? columnParts(f) : relationParts(f);
  return parts.join(' ') + (f.comment ? ` // ${oneLine(f.comment)}` : '');
}

function columnParts(c: DraftColumn): string[] {
  return [
    c.name,
    `${c.type}${c.list ? '[]' : c.optional ? '?' : ''}`,
    ...(c.id ? ['@id'] : []),
    ...(c.unique ? ['@unique'] : []),
    ...(c.default !== undefined ? [`@default(${c.default})`] : []),
    ...(c.extra ?? []),
    ...(c.map !== undefined ? [`@map(${quote(c.map)})`] : []),
    ...(c.native !== undefined ? [`@db.${c.native}`] : []),
  ];
}

function relationParts(r: DraftRelation): string[] {
  const args = [
    ...(r.relationName !== undefined ? [quote(r.relationName)] : []),
    ...(r.fields ? [`fields: [${r.fields.join(', ')}]`, `references: [${(r.references ?? ['id']).join(', ')}]`] : []),
    ...(r.onDelete ? [`onDelete: ${r.onDelete}`] : []),
    ...(r.onUpdate ? [`onUpdate: ${r.onUpdate}`] : []),
  ];
  return [r.name, `${r.model}${r.list ? '[]' : r.optional ? '?' : ''}`, ...(args.length > 0 ? [`@relation(${args.join(', ')})`] : [])];
}

/** A Prisma string literal: JSON's escapes are Prisma's. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}


/** Prisma's formatter (`prisma format`): alignment and attribute order as Prisma prints them. */
export function formatPrisma(text: string): string {
  const params = { textDocument: { uri: 'file:/dev/null' }, options: { tabSize: 2, insertSpaces: true } };
  const out: unknown = JSON.parse(schemaWasm().format(JSON.stringify([['schema.prisma', text]]), JSON.stringify(params)));
  const first = Array.isArray(out) ? (out[0] as unknown) : undefined;
  if (!Array.isArray(first) || typeof first[1] !== 'string') throw new Error('Prisma\'s formatter answered in an unexpected shape');
  return first[1];
}

/** Prisma's validator (`prisma validate`); throws with Prisma's message, which names the line. */
export function validatePrisma(text: string, file = 'schema.prisma'): void {
  try {
    schemaWasm().validate(JSON.stringify({ prismaSchema: [[file, text]], noColor: true }));
  } catch (error) {
    throw new Error(`the drafted Prisma schema does not validate (a bug in init; please report it): ${wasmMessage(error)}\n${text}`);
  }
}
