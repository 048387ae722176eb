import { describeEmbedded } from '../plan/describe-embedded.ts';
import { describeLinks } from '../plan/describe-links.ts';
import type { Plan } from '../plan/plan.ts';
import type { ReferencePolicies } from '../plan/references.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import type { SchemaDdl } from '../schema/ddl.ts';

/** What --dry-run prints: the phases with what each model carries along, then Prisma's DDL in load order. */
export function formatPlan(plan: Plan, ddl: SchemaDdl, references?: { graph: ModelGraph; policies: ReferencePolicies }): string {
  const lines: string[] = ['# Plan', ''];
  for (const [i, phase] of plan.phases.entries()) {
    lines.push(`phase ${i + 1}`);
    for (const p of phase) {
      const extras = [
        p.custom ? `transformers/ for ${p.model}` : 'default transformer',
        ...p.derived.map((d) => `+ ${d.model} rows`),
        ...p.junctions.map((j) => `+ ${j.junction.table} links${j.sourceField ? ` from ${j.sourceField}` : ''}`),
      ];
      lines.push(`  ${p.model.padEnd(14)} from ${p.collection.padEnd(14)} ${extras.join(', ')}`);
    }
  }
  const embedded = describeEmbedded(plan);
  if (embedded.length > 0) lines.push('', 'embedded documents (config models.<Model>.embeddedIn):', ...embedded.map((l) => `  ${l}`));
  const links = describeLinks(plan);
  if (links.length > 0) lines.push('', 'many-to-many tables:', ...links.map((l) => `  ${l}`));
  if (plan.deferred.length > 0) lines.push('', `cycles broken at: ${plan.deferred.join(', ')}`);
  if (plan.unsourced.length > 0) lines.push('', `no source (stays empty): ${plan.unsourced.join(', ')}`);
  if (plan.unmapped.length > 0) lines.push('', `collections no model reads: ${plan.unmapped.join(', ')}`);
  if (references) lines.push(...formatReferences(plan, references.graph, references.policies));
  lines.push(
    '',
    '# DDL, before the load: enums, tables, primary keys, unique indexes',
    '',
    ...[...ddl.tables, ...ddl.uniqueIndexes].map((s) => `${s}\n`),
    '# DDL, after the load: indexes, then foreign keys (after rejecting dangling references)',
    '',
    ...[...ddl.indexes, ...ddl.foreignKeys.map((f) => f.sql)].map((s) => `${s}\n`),
  );
  return lines.join('\n');
}

const ON_MISSING = { reject: 'reject the document', null: 'set NULL and log', keep: 'keep the id (foreign key NOT VALID), report' } as const;
const ON_MISSING_LINK = { reject: 'reject the document', null: 'drop that link and log', keep: 'keep the link (foreign key NOT VALID), report' } as const;

/** Which id columns become UUIDs of which model and why, and what each reference does when it points at nothing. */
function formatReferences(plan: Plan, graph: ModelGraph, policies: ReferencePolicies): string[] {
  const lines: string[] = [];
  const loaded = plan.phases.flat().map((p) => p.model);
  const derived = new Set(plan.phases.flat().flatMap((p) => p.derived.map((d) => d.model)));
  // A derived row's id columns (`createdBy` inside an order line) convert like its owner's.
  const idColumns = [...loaded, ...derived].flatMap((m) => [...(policies.idColumns.get(m)?.values() ?? [])]);
  if (idColumns.length > 0) {
    lines.push('', 'id columns without a relation (values become UUIDs; a UUID stays as it is):');
    for (const c of idColumns) {
      const dangling = c.target ? `; pointing at no ${c.target}: ${c.onMissing === 'keep' ? 'kept and reported' : ON_MISSING[c.onMissing]}` : '; not checked';
      lines.push(`  ${`${c.model}.${c.field}`.padEnd(28)} → ${(c.target ?? '?').padEnd(10)} by ${c.decidedBy}${dangling}`);
    }
  }
  if (policies.keptAsText.length > 0) lines.push(`  left as text (config): ${policies.keptAsText.join(', ')}`);
  const relations: string[] = [];
  for (const name of [...loaded, ...derived]) {
    const model = graph.models.get(name);
    for (const r of model?.relations ?? []) {
      const policy = policies.onMissing(name, r.field, r.fromFields[0], r.required);
      const why = policies.configured(name, r.field, r.fromFields[0]) ? 'config' : `default for ${r.required ? 'a required' : 'an optional'} relation`;
      // A derived row's required reference cannot be NULL: `null` drops that row.
      const action = policy === 'null' && r.required && derived.has(name) ? 'drop that row and log' : ON_MISSING[policy];
      relations.push(`  ${`${name}.${r.fromFields[0] ?? r.field}`.padEnd(28)} → ${r.target.padEnd(10)} ${action} (${why})`);
    }
  }
  for (const p of plan.phases.flat()) {
    for (const { junction, ownerColumn } of p.junctions) {
      const holder = ownerColumn === 'A' ? junction.a : junction.b;
      const other = ownerColumn === 'A' ? junction.b : junction.a;
      const policy = policies.onMissingLink(holder.model, holder.field);
      const why = policies.configured(holder.model, holder.field, undefined) ? 'config' : 'default for a link';
      relations.push(`  ${`${holder.model}.${holder.field}[]`.padEnd(28)} → ${other.model.padEnd(10)} ${ON_MISSING_LINK[policy]} (${why})`);
    }
  }
  if (relations.length > 0) lines.push('', 'references to a rejected or missing document (config references.<Model.field>.onMissing):', ...relations);
  return lines;
}
