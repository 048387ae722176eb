import type { Document } from 'bson';
import { parseSchema, type SchemaField, type SchemaType } from 'mongodb-schema';

/**
 * The type statistics of one field, from MongoDB's own schema analyser (`mongodb-schema`, as
 * Compass uses it), reshaped for the decisions init makes: counts per BSON type, how often the
 * field is null or missing, examples, and the fields of its sub-documents and array elements.
 */
export interface FieldProfile {
  name: string;
  /** For people: `addresses[].city`. */
  display: string;
  /** The key into the facts (field-facts.ts): `addresses.city`. */
  factsPath: string;
  /** Documents (or array elements) the field could be in. */
  of: number;
  missing: number;
  nulls: number;
  /** Non-null types seen, most frequent first. */
  types: Observed[];
  /** The fields of its sub-documents (type Document). */
  fields: FieldProfile[];
  /** What its arrays hold (type Array). */
  elements?: { count: number; types: Observed[]; fields: FieldProfile[] };
}

export interface Observed {
  /** mongodb-schema's type name: String, Int32, Double, Long, Decimal128, ObjectId, Date, Boolean, Binary, Document, Array, … */
  name: string;
  count: number;
  examples: string[];
}

export async function profileDocuments(docs: readonly Document[]): Promise<{ count: number; fields: FieldProfile[] }> {
  const schema = await parseSchema(docs, { storeValues: true, semanticTypes: false });
  return { count: schema.count, fields: schema.fields.map((f) => profileField(f, schema.count, '')) };
}

function profileField(field: SchemaField, of: number, prefix: string): FieldProfile {
  const display = `${prefix}${field.name}`;
  const byName = (name: string) => field.types.find((t) => t.name === name);
  const documents = field.types.filter((t): t is SchemaType & { fields: SchemaField[] } => t.name === 'Document');
  const array = byName('Array') as (SchemaType & { types: SchemaType[]; totalCount: number }) | undefined;
  const profile: FieldProfile = {
    name: field.name,
    display,
    factsPath: field.path.join('.'),
    of,
    missing: byName('Undefined')?.count ?? 0,
    nulls: byName('Null')?.count ?? 0,
    types: observed(field.types),
    fields: documents.flatMap((d) => d.fields.map((f) => profileField(f, d.count, `${display}.`))),
  };
  if (array) {
    const elementDocs = array.types.filter((t): t is SchemaType & { fields: SchemaField[] } => t.name === 'Document');
    profile.elements = {
      count: array.totalCount,
      types: observed(array.types),
      fields: elementDocs.flatMap((d) => d.fields.map((f) => profileField(f, d.count, `${display}[].`))),
    };
  }
  return profile;
}

function observed(types: readonly SchemaType[]): Observed[] {
  return types
    .filter((t) => t.name !== 'Null' && t.name !== 'Undefined')
    .map((t) => ({ name: t.name, count: t.count, examples: examples(t) }))
    .sort((a, b) => b.count - a.count);
}

function examples(type: SchemaType): string[] {
  const values = 'values' in type && Array.isArray(type.values) ? (type.values as unknown[]) : [];
  const out: string[] = [];
  for (const v of values) {
    const text = exampleText(v);
    if (!out.includes(text)) out.push(text);
    if (out.length === 3) break;
  }
  return out;
}

function exampleText(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' && value !== null && 'toString' in value ? String(value) : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
