import { ConfigError } from '../config/load-config.ts';
import type { JunctionSpec, ModelGraph } from '../schema/model-graph.ts';
import { defaultTransformer } from '../transform/default-transformer.ts';
import type { Transformer } from '../transform/types.ts';
import type { EmbeddedChild } from './embedded.ts';

export interface ModelPlan {
  model: string;
  collection: string;
  transformer: Transformer;
  /** True when the transformer is hand-written (transformers/), false for the schema-derived default. */
  custom: boolean;
  /** Models whose rows come out of this model's documents, with their field naming the owner. */
  derived: readonly { model: string; ownerField: string }[];
  /** Of those, the ones config embeds here (`models.<Child>.embeddedIn`): the default transformer makes their rows. */
  embedded: readonly EmbeddedChild[];
  /** Junction tables filled from this model's arrays of ids, with the side this model is. */
  junctions: readonly LinkFill[];
}

/** How the array filling a junction was chosen, for the plan and the log. */
export type LinkHow = 'name' | 'ids sampled' | 'config' | 'transformer';

/** One model's documents fill one junction: `ownerColumn` says which side (a or b) the model is. */
export interface LinkFill {
  junction: JunctionSpec;
  ownerColumn: 'A' | 'B';
  /** The source array read by the default transformer (absent for a hand-written one). */
  sourceField?: string;
  how: LinkHow;
  /** For `ids sampled`: how many of the sampled ids were found where. */
  evidence?: string;
  /** Both sides fill the junction: a pair may come twice, so writes skip what is there. */
  union: boolean;
}

/** Where a fill's links are in a transformer's output: the relation name (a self-relation's side B apart). */
export function linkKey(f: LinkFill): string {
  return f.ownerColumn === 'B' && f.junction.a.model === f.junction.b.model ? `${f.junction.relation}:B` : f.junction.relation;
}

/** The junction column holding the filling document's own key (`A`/`B`, or `company_id`). */
export function ownerColumnOf(f: LinkFill): string {
  return f.ownerColumn === 'A' ? f.junction.a.column : f.junction.b.column;
}

/** Which arrays fill a junction; none means it stays empty (said in the plan). */
export interface JunctionFilling {
  junction: JunctionSpec;
  fills: readonly { model: string; field: string; how: LinkHow; evidence?: string }[];
  /** Set by config `junctions.<name>.from` (`[]`: empty on purpose). */
  configured: boolean;
}

export interface Plan {
  phases: readonly (readonly ModelPlan[])[];
  /** Relations ignored for ordering to break a cycle (their foreign keys are added after the load anyway). */
  deferred: readonly string[];
  /** Models with neither a source collection nor an owning transformer. */
  unsourced: readonly string[];
  /** Source collections no model reads. */
  unmapped: readonly string[];
  /** Every many-to-many table, implicit or explicit, with what fills it (set once link sources are resolved). */
  links?: readonly JunctionFilling[];
}

export interface PlanInput {
  graph: ModelGraph;
  collections: readonly string[];
  transformers: readonly Transformer[];
  /** Model → collection, where the collection is not named as the model's table. */
  collectionOf?: Readonly<Record<string, string>>;
  /** Explicit phases from config, replacing the computed order. */
  phases?: readonly (readonly string[])[] | undefined;
  /** Only these models (and what they derive). */
  only?: readonly string[] | undefined;
  /** Models whose rows come from another model's documents by config (plan/embedded.ts). */
  embedded?: readonly EmbeddedChild[];
}

/**
 * Phases from the schema's relation graph: a model loads after the models its foreign keys
 * (and those of the rows it derives, and its many-to-many arrays) point at. Cycles are broken
 * at an optional relation, and self-relations ignored: foreign keys are added after the load,
 * so order is about readable progress and pre-existing constraints, never correctness.
 */
export function planMigration(input: PlanInput): Plan {
  const { graph } = input;
  const byModel = new Map(input.transformers.map((t) => [t.model, t]));
  const derivedOwner = new Map<string, string>();
  for (const t of input.transformers) for (const d of Object.keys(t.derives ?? {})) derivedOwner.set(d, t.model);
  // An embedded model is read from its parent's documents, even where a collection is named like its table.
  for (const e of input.embedded ?? []) derivedOwner.set(e.model, e.parent);

  const plans = new Map<string, ModelPlan>();
  const unsourced: string[] = [];
  const available = new Set(input.collections);
  // A collection named like the table, the model or the model's plural, in any case (SQLite's `Album` for model
  // Album mapped to `albums`; Mongoose's `dealStages` for model DealStage mapped to `deal_stages`).
  const byLowerName = new Map(input.collections.map((c) => [c.toLowerCase(), c]));
  const junctionModels = new Set((graph.explicitJunctions ?? []).map((j) => j.relation));
  for (const model of graph.models.values()) {
    if (derivedOwner.has(model.name)) continue;
    const collection =
      input.collectionOf?.[model.name] ??
      (available.has(model.table) ? model.table : ([model.table, model.name, plural(model.name)].map((n) => byLowerName.get(n.toLowerCase())).find((c) => c !== undefined) ?? model.table));
    if (!available.has(collection)) {
      // A junction model without a collection is filled from its two sides' arrays of ids (plan/link-sources.ts).
      if (junctionModels.has(model.name) && !byModel.has(model.name)) continue;
      unsourced.push(model.name);
      continue;
    }
    const embedded = (input.embedded ?? []).filter((e) => e.parent === model.name);
    const transformer = byModel.get(model.name) ?? defaultTransformer(model.name, Object.fromEntries(embedded.map((e) => [e.model, e.ownerField])));
    plans.set(model.name, {
      model: model.name,
      collection,
      transformer,
      custom: byModel.has(model.name),
      derived: Object.entries(transformer.derives ?? {}).map(([m, ownerField]) => ({ model: m, ownerField })),
      embedded,
      junctions: graph.junctions
        .filter((j) => j.a.model === model.name || j.b.model === model.name)
        .filter((j) => byModel.has(model.name) && j.a.model === model.name)
        .map((j) => ({ junction: j, ownerColumn: 'A' as const, how: 'transformer' as const, union: false })),
    });
  }
  const used = new Set([...plans.values()].map((p) => p.collection));
  const unmapped = input.collections.filter((c) => !used.has(c) && !c.startsWith('system.'));

  let selected = [...plans.values()];
  if (input.only && input.only.length > 0) {
    const unknown = input.only.filter((m) => !plans.has(m));
    if (unknown.length > 0) throw new ConfigError(`--models names ${unknown.join(', ')}, which ${unknown.length > 1 ? 'are' : 'is'} not a source model of this plan (${[...plans.keys()].join(', ')})`);
    selected = selected.filter((p) => input.only?.includes(p.model));
  }

  if (input.phases) return { ...explicitPhases(input.phases, selected), unsourced, unmapped };
  return { ...orderPhases(graph, selected), unsourced, unmapped };
}

interface Edge {
  from: string;
  to: string;
  relation: string;
  optional: boolean;
}

function orderPhases(graph: ModelGraph, plans: readonly ModelPlan[]): { phases: ModelPlan[][]; deferred: string[] } {
  const names = new Set(plans.map((p) => p.model));
  const edges: Edge[] = [];
  for (const plan of plans) {
    const owned = [plan.model, ...plan.derived.map((d) => d.model)];
    for (const name of owned) {
      for (const r of graph.models.get(name)?.relations ?? []) {
        const target = ownerOf(r.target, plans);
        if (target && target !== plan.model && names.has(target)) {
          edges.push({ from: plan.model, to: target, relation: `${name}.${r.field}`, optional: !r.required });
        }
      }
    }
    for (const { junction, ownerColumn } of plan.junctions) {
      const other = ownerColumn === 'A' ? junction.b.model : junction.a.model;
      if (other !== plan.model && names.has(other)) edges.push({ from: plan.model, to: other, relation: junction.table, optional: true });
    }
  }
  const deferred: string[] = [];
  let active = edges;
  for (;;) {
    const layered = layers([...names], active);
    if (layered.ok) {
      const byName = new Map(plans.map((p) => [p.model, p]));
      return { phases: layered.phases.map((layer) => layer.map((m) => byName.get(m)).filter((p): p is ModelPlan => p !== undefined)), deferred };
    }
    const breakable = active.find((e) => e.optional && layered.stuck.has(e.from) && layered.stuck.has(e.to)) ?? active.find((e) => layered.stuck.has(e.from) && layered.stuck.has(e.to));
    if (!breakable) throw new Error('cannot order the models');
    deferred.push(breakable.relation);
    active = active.filter((e) => e !== breakable);
  }
}

function ownerOf(model: string, plans: readonly ModelPlan[]): string | undefined {
  return plans.find((p) => p.model === model || p.derived.some((d) => d.model === model))?.model;
}

function layers(names: string[], edges: readonly Edge[]): { ok: true; phases: string[][] } | { ok: false; stuck: Set<string> } {
  const remaining = new Set(names);
  const phases: string[][] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter((n) => !edges.some((e) => e.from === n && remaining.has(e.to))).sort();
    if (ready.length === 0) return { ok: false, stuck: remaining };
    phases.push(ready);
    for (const n of ready) remaining.delete(n);
  }
  return { ok: true, phases };
}

function explicitPhases(phases: readonly (readonly string[])[], plans: readonly ModelPlan[]): { phases: ModelPlan[][]; deferred: string[] } {
  const byName = new Map(plans.map((p) => [p.model, p]));
  const listed = new Set(phases.flat());
  const missing = plans.filter((p) => !listed.has(p.model)).map((p) => p.model);
  if (missing.length > 0) throw new Error(`config.phases leaves out ${missing.join(', ')}`);
  return { phases: phases.map((layer) => layer.map((m) => byName.get(m)).filter((p): p is ModelPlan => p !== undefined)).filter((l) => l.length > 0), deferred: [] };
}

/** The English plural Mongoose gives a model name: `DealStage` → `DealStages`, `Company` → `Companies`. */
function plural(name: string): string {
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(name)) return `${name}es`;
  return `${name}s`;
}
