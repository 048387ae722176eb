import type { JunctionSpec } from '../schema/model-graph.ts';
import type { LinkHow, Plan } from './plan.ts';

/** "junction CompanyContact (company_contacts)" or "many-to-many _DealToTag". */
export function describe(j: JunctionSpec): string {
  return j.model ? `junction ${j.model} (${j.table})` : `many-to-many ${j.table}`;
}

/** "by name", "by ids sampled: 30 of 30 sampled ids found in documents", "by config". */
export function howLabel(how: LinkHow, evidence?: string): string {
  return how === 'ids sampled' ? `by ids sampled${evidence ? `: ${evidence}` : ''}` : `by ${how}`;
}

/**
 * One line per many-to-many table: which arrays fill it and how that was decided, or that it
 * stays empty. Printed by --dry-run and logged by every run, so a wrong guess is seen before it loads.
 */
export function describeLinks(plan: Plan): string[] {
  return (plan.links ?? []).map(({ junction, fills, configured }) => {
    if (fills.length === 0 && configured) return `${describe(junction)}: stays empty on purpose (config junctions.${junction.relation}.from: [])`;
    if (fills.length === 0) {
      return `${describe(junction)}: stays empty (no array of ids of ${junction.a.model} or ${junction.b.model} names or holds its ids; config junctions.${junction.relation}.from names one)`;
    }
    const from = fills.map((f) => `${f.model}.${f.field} (${howLabel(f.how, f.evidence)})`);
    return `${describe(junction)} ← ${from.join(' ∪ ')}${fills.length > 1 ? ', union of both sides, each pair once' : ''}`;
  });
}
