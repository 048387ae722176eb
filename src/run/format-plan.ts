import { describeLinks } from '../plan/describe-links.ts';
import type { Plan } from '../plan/plan.ts';
import type { SchemaDdl } from '../schema/ddl.ts';

/** What --dry-run prints: the phases with what each model carries along, then Prisma's DDL in load order. */
export function formatPlan(plan: Plan, ddl: SchemaDdl): string {
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
  const links = describeLinks(plan);
  if (links.length > 0) lines.push('', 'many-to-many tables:', ...links.map((l) => `  ${l}`));
  if (plan.deferred.length > 0) lines.push('', `cycles broken at: ${plan.deferred.join(', ')}`);
  if (plan.unsourced.length > 0) lines.push('', `no source (stays empty): ${plan.unsourced.join(', ')}`);
  if (plan.unmapped.length > 0) lines.push('', `collections no model reads: ${plan.unmapped.join(', ')}`);
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
