import { describe } from './link-sources.ts';
import type { Plan } from './plan.ts';

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
    const from = fills.map((f) => `${f.model}.${f.field} (${f.how === 'name' ? 'by name' : f.how === 'ids sampled' ? `by ids sampled: ${f.evidence ?? ''}` : f.how === 'config' ? 'by config' : 'by transformer'})`);
    return `${describe(junction)} ← ${from.join(' ∪ ')}${fills.length > 1 ? ', union of both sides, each pair once' : ''}`;
  });
}
