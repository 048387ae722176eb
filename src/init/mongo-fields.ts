import type { ConversionNotes } from './conversion-notes.ts';
import { column, type DraftColumn } from './draft-schema.ts';
import type { MongoField } from './mongo-dmmf.ts';
import { typeRule } from './mongo-type-rules.ts';
import { quote } from './print-schema.ts';

/** Where a field is, for the notes: its model (or the child model a composite became) and `Model.field`. */
export interface FieldPlace {
  model: string;
  subject: string;
  notes: ConversionNotes;
}

/** The parts every converted column keeps: `@map`, optionality, list, `@unique`, `@updatedAt`, `///` docs. */
function kept(f: MongoField): Partial<DraftColumn> {
  return {
    list: f.isList,
    optional: !f.isRequired && !f.isList,
    ...(f.dbName && f.dbName !== f.name ? { map: f.dbName } : {}),
    ...(f.isUnique ? { unique: true } : {}),
    ...(f.isUpdatedAt ? { extra: ['@updatedAt'] } : {}),
    ...(f.documentation ? { doc: f.documentation.split('\n') } : {}),
  };
}

/**
 * The model's `_id` as PostgreSQL's key: `String @id @db.Uuid`, without `@map("_id")` and
 * without a default, since the tool makes every UUID from the source `_id` (v7 carrying the
 * ObjectId, v5 for any other id).
 */
export function idColumn(f: MongoField, at: FieldPlace): DraftColumn {
  const objectId = f.nativeType?.[0] === 'ObjectId';
  const dropped = [f.default !== undefined ? '@default(auto())' : '', '@map("_id")', objectId ? '@db.ObjectId' : ''].filter(Boolean).join(', ');
  at.notes.add(
    at.model,
    at.subject,
    '`String @id @db.Uuid`',
    objectId
      ? `the source \`_id\` (ObjectId) becomes its UUIDv7 (v7-objectid: time-ordered, the ObjectId readable back); ${dropped} dropped: the tool makes the UUID`
      : `the source \`_id\` is ${/^[AEIOU]/.test(f.type) ? 'an' : 'a'} ${f.type}, not an ObjectId: it becomes the UUIDv5 of (namespace, ${at.model}, value); the original value stays in _migration.id_map (npm run migration:id-map): add a column of its own if the app shows it; ${dropped} dropped`,
  );
  return column(f.name, 'String', { id: true, native: 'Uuid', ...(f.documentation ? { doc: f.documentation.split('\n') } : {}) });
}

/** A relation's foreign key: the UUID of the document it names when it references the other model's id. */
export function foreignKeyColumn(f: MongoField, relation: { field: string; target: string; toId: boolean; to: string }, at: FieldPlace): DraftColumn {
  if (!relation.toId) {
    const plain = scalarColumn({ ...f, nativeType: f.nativeType?.[0] === 'ObjectId' ? null : f.nativeType }, at);
    at.notes.todo(
      at.model,
      at.subject,
      `\`${printType(plain)}\``,
      `the foreign key of \`${relation.field}\` references ${relation.target}.${relation.to}, not its id: kept with its values, but the run turns every foreign key into the UUID of the document it names; load it with a transformer (transformers/<model>.ts) or reference the id instead`,
    );
    return plain;
  }
  at.notes.add(
    at.model,
    at.subject,
    `\`String${f.isRequired ? '' : '?'} @db.Uuid\``,
    `foreign key of \`${relation.field}\`: each value becomes the UUID of the ${relation.target} it names (the ids' own function, no lookup)`,
  );
  const { extra: _updatedAt, ...rest } = kept(f);
  return column(f.name, 'String', { ...rest, native: 'Uuid' });
}

/**
 * Any other scalar or enum field: the type kept, the native type by the rules (mongo-type-rules.ts),
 * the literal and computed defaults PostgreSQL's Prisma allows. An ObjectId without a relation is
 * an id column (`String @db.Uuid`, converted by the tool like a foreign key); an array of them is
 * kept as hex text, since a list of UUIDs would not say whose they are.
 */
export function scalarColumn(f: MongoField, at: FieldPlace): DraftColumn {
  const native = f.nativeType?.[0];
  if (f.kind === 'enum') return withDefault(f, column(f.name, f.type, kept(f)), at);
  if (native === 'ObjectId' && f.type === 'String') {
    if (f.isList) {
      at.notes.add(at.model, at.subject, '`String[]`', 'an array of ObjectIds that no relation reads: kept as their hex text (a list of UUIDs would not say whose they are); to get a many-to-many table, give it a relation');
      return column(f.name, 'String', kept(f));
    }
    at.notes.add(
      at.model,
      at.subject,
      `\`String${f.isRequired ? '' : '?'} @db.Uuid\``,
      'an ObjectId without a relation: an id column, each value the UUID its document got (`references` in migration.yaml says whose)',
    );
    return withDefault(f, column(f.name, 'String', { ...kept(f), native: 'Uuid' }), at);
  }
  const rule = typeRule(f.type, native);
  const out = column(f.name, f.type, { ...kept(f), ...(rule.to ? { native: rule.to } : {}) });
  if (rule.why && (native !== undefined || rule.to !== undefined)) {
    const line = `\`${printType(out)}\``;
    if (rule.todo) at.notes.todo(at.model, at.subject, line, `${rule.why}; it ${rule.todo}`);
    else at.notes.add(at.model, `${at.subject}${native ? ` @db.${native}` : ''}`, line, rule.why);
  }
  if (f.type === 'Float' && MONEY.test(f.name)) {
    at.notes.add(
      at.model,
      at.subject,
      '`Float` (kept)',
      'if it is money, make it `Decimal @db.Decimal(12, 2)` (Prisma has no Decimal on MongoDB): the tool converts a double by its shortest text (19.99 stays 19.99) and refuses more decimals than the scale, never rounds',
    );
  }
  return withDefault(f, out, at);
}

const MONEY = /(price|amount|total|cost|balance|revenue|fee|tax|discount|salary|paid|due)$|^(price|amount|total|cost|balance|revenue)/i;

/** `@default(...)`: literals as they are, `now()`, `uuid()`, `cuid()` where PostgreSQL's Prisma takes them. */
function withDefault(f: MongoField, c: DraftColumn, at: FieldPlace): DraftColumn {
  const d = f.default;
  if (d === undefined) return c;
  if (Array.isArray(d)) return { ...c, default: `[${d.map((v) => literal(f, v)).join(', ')}]` };
  if (d !== null && typeof d === 'object') {
    const fn = 'name' in d && typeof d.name === 'string' ? d.name : '';
    const args = 'args' in d && Array.isArray(d.args) ? d.args.map(String) : [];
    if (fn === 'now' || (fn === 'uuid' && c.native === 'Uuid') || ((fn === 'uuid' || fn === 'cuid' || fn === 'nanoid' || fn === 'ulid') && c.native !== 'Uuid')) {
      return { ...c, default: `${fn}(${args.join(', ')})` };
    }
    at.notes.add(at.model, `${at.subject} @default(${fn}(${args.join(', ')}))`, 'dropped', c.native === 'Uuid' ? 'the column holds UUIDs now, which that function does not make' : 'PostgreSQL\'s Prisma has no such default');
    return c;
  }
  return { ...c, default: literal(f, d) };
}

function literal(f: MongoField, value: unknown): string {
  if (f.kind === 'enum') return String(value);
  if (typeof value === 'string' && ['Int', 'BigInt', 'Float', 'Decimal'].includes(f.type)) return value;
  if (typeof value === 'string') return quote(value);
  return String(value);
}

/** `String? @db.Uuid`, as a line of conversion.md says it. */
export function printType(c: DraftColumn): string {
  return `${c.type}${c.list ? '[]' : c.optional ? '?' : ''}${c.native ? ` @db.${c.native}` : ''}`;
}
