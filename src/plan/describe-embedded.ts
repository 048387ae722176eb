import type { ModelGraph } from '../schema/model-graph.ts';
import type { EmbeddedChild } from './embedded.ts';
import type { ModelPlan, Plan } from './plan.ts';

/**
 * "Address ← User.addresses (embedded, 1 row per element, position in Address.position)": one
 * line per model config embeds in another, printed by --dry-run and logged in STEP 1.
 */
export function describeEmbedded(plan: Plan): string[] {
  return plan.phases.flat().flatMap((p) => p.embedded.map(describeChild));
}

function describeChild(e: EmbeddedChild): string {
  const what = [
    'embedded',
    e.oneToOne ? '1 row per sub-document' : '1 row per element',
    ...(e.positionField === undefined ? [] : [`position in ${e.model}.${e.positionField}`]),
  ];
  return `${e.model} ← ${e.parent}.${e.path} (${what.join(', ')})`;
}

/**
 * Why a collection no model reads is not read, when an embedded model is named like it: config
 * reads that model from its parent's documents instead (plan/embedded.ts decides so).
 */
export function embeddedOver(plan: Plan, graph: ModelGraph, collection: string): string {
  const lower = collection.toLowerCase();
  const child = plan.phases
    .flat()
    .flatMap((p) => p.embedded)
    .find((e) => [graph.models.get(e.model)?.table, e.model].some((n) => n !== undefined && n.toLowerCase() === lower));
  return child ? ` (${child.model} is read from ${child.parent}.${child.path}: models.${child.model}.embeddedIn)` : '';
}

/** Where a derived model's rows come from: `User.addresses` when config embeds it there, `User` for a hand-written transformer's. */
export function derivedSource(plan: ModelPlan, model: string): string {
  const child = plan.embedded.find((e) => e.model === model);
  return child ? `${plan.model}.${child.path}` : plan.model;
}
