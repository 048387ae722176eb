import type { FieldDecision, SampledCollection } from './sampled-collection.ts';

/**
 * The field report a person reviews before the first run: per collection, every path with
 * the types seen (with counts), how often it is missing or null, examples, and what init made
 * of it. Markdown to read, JSON for tools.
 */
export function fieldReport(
  source: string,
  collections: readonly SampledCollection[],
  decisions: ReadonlyMap<string, readonly FieldDecision[]>,
  notSampled: readonly { name: string; reason: string }[] = [],
): { markdown: string; json: string } {
  const json = {
    source,
    notSampled,
    collections: collections.map((c) => ({
      collection: c.collection,
      documents: c.total,
      sampled: c.sampled,
      how: c.how,
      fields: decisions.get(c.collection) ?? [],
    })),
  };
  const md: string[] = [`# Fields of ${source}`, '', 'Types as MongoDB stores them (counted by mongodb-schema over the sampled documents); "missing" and "null" are counted among the documents (or array elements) that could hold the field.', ''];
  for (const c of json.collections) {
    md.push(`## ${c.collection}`, '', `${c.documents.toLocaleString('en-US')} document(s), ${c.sampled.toLocaleString('en-US')} sampled (${c.how}).`, '');
    md.push('| path | types seen | missing | null | examples | becomes |', '|---|---|---|---|---|---|');
    for (const f of c.fields) {
      md.push(`| \`${f.path}\` | ${f.types.map((t) => `${t.name} ${t.count}`).join(', ') || '—'} | ${f.missing} of ${f.of} | ${f.nulls} | ${f.examples.map((e) => `\`${cell(e)}\``).join(' ')} | ${cell(f.decision)} |`);
    }
    md.push('');
  }
  if (notSampled.length > 0) md.push('## Not sampled', '', ...notSampled.map((n) => `- \`${n.name}\`: ${n.reason}`), '');
  return { markdown: md.join('\n'), json: `${JSON.stringify(json, null, 2)}\n` };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/`/g, "'");
}
