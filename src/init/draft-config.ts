import { parse, stringify } from 'yaml';
import { configSchema } from '../config/config-schema.ts';

/**
 * The config file `migration:init` writes next to its schema: every setting it chose, each
 * with the comment that says why (what was inferred, from how many documents, how sure), and
 * each question it could not settle as a `TODO` comment where the answer goes.
 */
export interface DraftConfig {
  header: string[];
  /** The `source:` block (no password ever: the URL is written without it). */
  source: Record<string, string | number | boolean>;
  sourceComment?: string[];
  schema: string;
  models: Record<string, DraftModelConfig>;
  junctions: Record<string, { from: string[]; comment?: string }>;
  references: Record<string, { model?: string; onMissing?: 'reject' | 'null' | 'keep'; comment?: string }>;
  /** Settings printed as they are at the end (`unmappedFields: warn`, `ids: { strategy: v7-objectid }`), each with its comment. */
  settings: { key: string; value: string | number | boolean | Record<string, string | number | boolean>; comment?: string }[];
  todos: string[];
}

export interface DraftModelConfig {
  comment?: string[];
  collection?: string;
  embeddedIn?: string;
  fields?: Record<string, string>;
  ignore?: string[];
}

export function emptyConfig(schema: string, source: DraftConfig['source']): DraftConfig {
  return { header: [], source, schema, models: {}, junctions: {}, references: {}, settings: [], todos: [] };
}

/** The YAML text; checked against the config schema the run itself uses, so it loads as written. */
export function printConfig(draft: DraftConfig): string {
  const out: string[] = [...draft.header.map((l) => `# ${l}`.trimEnd())];
  if (draft.todos.length > 0) out.push('#', "# TODO — decide before the real run (schema.prisma's comment on each field says what the sample held):", ...draft.todos.map((t) => `#   - ${t}`));
  out.push('', ...comments(draft.sourceComment), 'source:', ...Object.entries(draft.source).map(([k, v]) => `  ${k}: ${scalar(v)}`));
  out.push(`schema: ${scalar(draft.schema)}`);
  const models = Object.entries(draft.models).filter(([, m]) => m.collection || m.embeddedIn || m.fields || m.ignore || m.comment);
  if (models.length > 0) {
    out.push('', 'models:');
    for (const [name, m] of models) {
      out.push(...comments(m.comment, '  '));
      const body: string[] = [];
      if (m.collection) body.push(`    collection: ${scalar(m.collection)}`);
      if (m.embeddedIn) body.push(`    embeddedIn: ${scalar(m.embeddedIn)}`);
      if (m.fields && Object.keys(m.fields).length > 0) body.push(`    fields: ${flow(m.fields)}`);
      if (m.ignore && m.ignore.length > 0) body.push(`    ignore: ${flow(m.ignore)}`);
      out.push(body.length > 0 ? `  ${name}:` : `  # ${name}: nothing to set`, ...body);
    }
  }
  const junctions = Object.entries(draft.junctions);
  if (junctions.length > 0) {
    out.push('', '# Which arrays of ids fill each many-to-many table (both sides listed: their union).', 'junctions:');
    for (const [name, j] of junctions) out.push(...comments(j.comment ? [j.comment] : undefined, '  '), `  ${name}: { from: ${flow(j.from)} }`);
  }
  const references = Object.entries(draft.references);
  if (references.length > 0) {
    out.push('', '# What a reference to a missing document does (reject | null | keep), and whose ids an id column holds.', 'references:');
    for (const [key, r] of references) {
      const { comment, ...value } = r;
      out.push(...comments(comment ? [comment] : undefined, '  '), `  ${key}: ${flow(value)}`);
    }
  }
  for (const s of draft.settings) out.push('', ...comments(s.comment ? [s.comment] : undefined), `${s.key}: ${typeof s.value === 'object' ? flow(s.value) : scalar(s.value)}`);
  const text = `${out.join('\n')}\n`;
  const checked = configSchema.safeParse(parse(text));
  if (!checked.success) throw new Error(`the drafted config does not validate (a bug in init; please report it): ${checked.error.message}\n${text}`);
  return text;
}

function comments(lines: readonly string[] | undefined, indent = ''): string[] {
  return (lines ?? []).flatMap((l) => l.split('\n')).map((l) => `${indent}# ${l}`.trimEnd());
}

function scalar(value: string | number | boolean): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function flow(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}
