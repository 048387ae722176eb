import { ConfigError } from '../config/load-config.ts';
import { asSourceId, sourceIdKey, type SourceId } from '../ids/source-id.ts';
import type { JunctionSide, JunctionSpec, ModelGraph, ModelSpec } from '../schema/model-graph.ts';
import type { Source } from '../sources/source.ts';
import { describe, howLabel } from './describe-links.ts';
import type { SourceDoc } from '../transform/types.ts';
import type { JunctionFilling, LinkFill, LinkHow, ModelPlan, Plan } from './plan.ts';

/** `junctions.<Junction>.from` of the config: `Model.field` paths, `[]` for "empty on purpose". */
export type JunctionConfig = Readonly<Record<string, { readonly from: readonly string[] }>>;

export interface LinkSourceInput {
  graph: ModelGraph;
  plan: Plan;
  source: Source;
  junctions: JunctionConfig;
  /** Prisma field → source field renames per model: those source fields are columns, not links. */
  renames: (model: string) => Readonly<Record<string, string>>;
  /**
   * Only some models load (`--models`): the other side may have written its pairs in an earlier
   * run, so every junction is written skipping what is there.
   */
  partial?: boolean;
}

/** Documents read per collection to find its arrays, and ids per array checked against a collection. */
const SAMPLE_DOCS = 1000;
const SAMPLE_IDS = 30;
const SCAN_LIMIT = 20_000;

interface Candidate {
  side: 'A' | 'B';
  junction: JunctionSpec;
  field: string;
  how: LinkHow;
  /** For `ids sampled`: how many of the sampled ids were found where. */
  evidence?: string;
}

/**
 * Decides which source array fills each many-to-many table, implicit (`_AToB`) or explicit
 * (a junction model), from either side or both: by its name where the name tells (`tagIDs`,
 * `contact_ids`, `contacts`, `invoiceIDs` for the relation field `Invoices`), else by which
 * collection a few of its ids are found in, else by config. Once per run, before any write,
 * so what stays ambiguous is refused (exit 2) with the config key that settles it.
 */
export async function resolveLinkSources(input: LinkSourceInput): Promise<Plan> {
  const { graph, plan } = input;
  const plans = plan.phases.flat();
  const byModel = new Map(plans.map((p) => [p.model, p]));
  const everyJunction = [...graph.junctions, ...(graph.explicitJunctions ?? [])];
  // A junction model with a collection (or a transformer) of its own loads from it, like any model,
  // and so does one a hand-written transformer derives from its owner's documents: it still claims
  // the arrays named for it (they are not another table's), but none fills it.
  const derived = new Set(plans.flatMap((p) => p.derived.map((d) => d.model)));
  const sourced = new Set(everyJunction.filter((j) => j.model !== undefined && (byModel.has(j.model) || derived.has(j.model))));
  const all = everyJunction.filter((j) => !sourced.has(j));
  if (everyJunction.length === 0) return { ...plan, links: [] };
  const configured = configuredFills(input.junctions, all);
  const settled = (j: JunctionSpec) => configured.has(j) || sourced.has(j);

  const chosen = new Map<JunctionSpec, Candidate[]>();
  const ambiguous: string[] = [];
  for (const p of plans) {
    const model = graph.models.get(p.model);
    if (!model) continue;
    // Configured tables take part in the naming (their arrays are then no one else's), not in the choice.
    const sides = everyJunction.flatMap((j) => sidesOf(j, p.model).map((side) => ({ junction: j, side })));
    if (sides.length === 0) continue;
    const docs = await sampleDocs(input.source, p.collection);
    const listed = new Set([...configured.values()].flat().filter((c) => end(c.junction, c.side).model === p.model).map((c) => c.field));
    // An array of sub-documents config embeds as another model's rows holds no ids of a junction.
    const arrays = arrayFields(docs, model, input.renames(p.model)).filter((field) => !p.embedded.some((e) => e.path.split('.')[0] === field));
    const claims = new Map<string, Candidate[]>();
    const claim = (c: Candidate) => claims.set(key(c.junction, c.side), [...(claims.get(key(c.junction, c.side)) ?? []), c]);
    const unclaimed: string[] = [];
    for (const field of arrays) {
      const scored = sides.map((s) => ({ ...s, score: nameScore(field, end(s.junction, s.side), end(s.junction, other(s.side)).model) })).filter((s) => s.score > 0);
      const best = Math.max(0, ...scored.map((s) => s.score));
      const top = scored.filter((s) => s.score === best);
      if (top.length === 0 && !listed.has(field)) unclaimed.push(field);
      for (const s of top) claim({ junction: s.junction, side: s.side, field, how: 'name' });
    }
    const open = sides.filter((s) => !settled(s.junction) && !claims.has(key(s.junction, s.side)));
    if (open.length > 0 && unclaimed.length > 0) {
      const sampled = await sampleIds(input.source, p.collection, unclaimed);
      for (const field of unclaimed) {
        const ids = sampled.get(field) ?? [];
        if (ids.length === 0) continue;
        for (const s of open) {
          const target = byModel.get(end(s.junction, other(s.side)).model);
          if (!target) continue;
          const found = (await input.source.fetch(target.collection, ids)).length;
          // Most of the ids, not all: a few dangling ones are dirt the orphan sweep reports.
          if (found > 0 && found * 2 >= ids.length) claim({ junction: s.junction, side: s.side, field, how: 'ids sampled', evidence: `${found} of ${ids.length} sampled ids found in ${target.collection}` });
        }
      }
    }
    const candidates = [...claims.values()].flat();
    // One array that fits several tables: which one it fills is not for us to guess.
    const overloaded = new Set<string>();
    for (const field of new Set(candidates.map((c) => c.field))) {
      const fits = candidates.filter((c) => c.field === field && !settled(c.junction));
      if (fits.length < 2 || candidates.some((c) => c.field === field && settled(c.junction))) continue;
      overloaded.add(field);
      ambiguous.push(
        `${p.model}.${field} could fill ${fits.map((c) => `${describe(c.junction)} (${howLabel(c.how, c.evidence)})`).join(' or ')}; ` +
          `settle it in the config: junctions: { ${fits[0]?.junction.relation}: { from: ['${p.model}.${field}'] } } (and from: [] or the right arrays for the other)`,
      );
    }
    for (const list of claims.values()) {
      const mine = list.filter((c) => !settled(c.junction) && !overloaded.has(c.field) && !candidates.some((o) => o.field === c.field && settled(o.junction)));
      const [first] = mine;
      if (!first) continue;
      if (mine.length > 1) {
        const j = first.junction;
        ambiguous.push(
          `${describe(j)}: cannot tell which array of ${p.model} fills it: ${mine.map((c) => `${p.model}.${c.field} (${howLabel(c.how, c.evidence)})`).join(', ')}; ` +
            `settle it in the config: junctions: { ${j.relation}: { from: ['${p.model}.${first.field}'] } } (list every array that fills it, from both sides; from: [] leaves it empty)`,
        );
        continue;
      }
      chosen.set(first.junction, [...(chosen.get(first.junction) ?? []), first]);
    }
  }
  if (ambiguous.length > 0) throw new ConfigError(ambiguous.join('\n'));

  for (const [j, list] of configured) chosen.set(j, list);
  const withFills = (p: ModelPlan): ModelPlan => {
    const mine: LinkFill[] = [...chosen.entries()].flatMap(([j, list]) =>
      list.filter((c) => end(j, c.side).model === p.model).map((c) => ({ junction: j, ownerColumn: c.side, sourceField: c.field, how: c.how, union: list.length > 1 || input.partial === true, ...(c.evidence ? { evidence: c.evidence } : {}) })),
    );
    // A hand-written transformer returns its links itself: it keeps side A of its implicit tables.
    const kept = p.junctions.filter((f) => !mine.some((m) => m.junction === f.junction));
    return { ...p, junctions: [...mine, ...kept] };
  };
  const phases = plan.phases.map((phase) => phase.map(withFills));
  const fills = phases.flat().flatMap((p) => p.junctions.map((f) => ({ f, model: p.model })));
  const links: JunctionFilling[] = all.map((j) => ({
    junction: j,
    fills: fills.filter(({ f }) => f.junction === j).map(({ f, model }) => ({ model, field: f.sourceField ?? end(j, f.ownerColumn).field, how: f.how, ...(f.evidence ? { evidence: f.evidence } : {}) })),
    configured: configured.has(j),
  }));
  return { ...plan, phases, links };
}

function configuredFills(config: JunctionConfig, all: readonly JunctionSpec[]): Map<JunctionSpec, Candidate[]> {
  const out = new Map<JunctionSpec, Candidate[]>();
  for (const [name, { from }] of Object.entries(config)) {
    const j = all.find((x) => x.relation === name || x.table === name || x.model === name);
    if (!j) throw new ConfigError(`config junctions.${name}: no many-to-many of the schema is named so (${all.map((x) => x.relation).join(', ') || 'there are none'})`);
    out.set(
      j,
      from.map((path) => {
        const [model, field, ...rest] = path.split('.');
        const side = model === j.a.model ? 'A' : model === j.b.model ? 'B' : undefined;
        if (!side || !field || rest.length > 0) {
          throw new ConfigError(`config junctions.${name}.from: '${path}' must be Model.field with Model one of its sides (${j.a.model}, ${j.b.model})`);
        }
        return { junction: j, side: j.a.model === j.b.model ? selfSide(j, name, path, field) : side, field, how: 'config' as const };
      }),
    );
  }
  return out;
}

/**
 * A self many-to-many (`User.following` / `User.followers`, table `_UserFollows`) has the model on
 * both sides, so the model does not say which column the document's own id goes in: the array's
 * name does (`followingIDs` fills `following`), as it does when no config names it.
 */
export function selfLinkSide(j: JunctionSpec, field: string): 'A' | 'B' | undefined {
  const fits = (['A', 'B'] as const).filter((s) => nameScore(field, end(j, s), '') === 2);
  return fits.length === 1 ? fits[0] : undefined;
}

function selfSide(j: JunctionSpec, name: string, path: string, field: string): 'A' | 'B' {
  const side = selfLinkSide(j, field);
  if (side) return side;
  throw new ConfigError(
    `config junctions.${name}.from: '${path}': ${j.a.model} is on both sides of ${name}, so the array's name must say which list it fills (${j.a.field} or ${j.b.field}, e.g. ${j.a.field}IDs); rename the list field or the array`,
  );
}

function sidesOf(j: JunctionSpec, model: string): ('A' | 'B')[] {
  return [...(j.a.model === model ? (['A'] as const) : []), ...(j.b.model === model ? (['B'] as const) : [])];
}

function end(j: JunctionSpec, side: 'A' | 'B'): JunctionSide {
  return side === 'A' ? j.a : j.b;
}

function other(side: 'A' | 'B'): 'A' | 'B' {
  return side === 'A' ? 'B' : 'A';
}

function key(j: JunctionSpec, side: 'A' | 'B'): string {
  return `${j.table}/${side}`;
}

async function sampleDocs(source: Source, collection: string): Promise<SourceDoc[]> {
  for await (const batch of source.read(collection, { batchSize: SAMPLE_DOCS })) return [...batch.docs];
  return [];
}

/** Source fields holding an array in some sampled document that no column of the model reads. */
function arrayFields(docs: readonly SourceDoc[], model: ModelSpec, renames: Readonly<Record<string, string>>): string[] {
  const columns = new Set([...model.columns.flatMap((c) => [c.field.toLowerCase(), c.column.toLowerCase()]), ...Object.values(renames).map((r) => r.toLowerCase()), '_id']);
  const fields = new Set<string>();
  for (const doc of docs) for (const [k, v] of Object.entries(doc)) if (Array.isArray(v) && !columns.has(k.toLowerCase())) fields.add(k);
  return [...fields].sort();
}

/**
 * Up to SAMPLE_IDS ids per array, reading on from the start of the collection until each has
 * them (old documents often hold empty arrays) or SCAN_LIMIT documents were read.
 */
async function sampleIds(source: Source, collection: string, fields: readonly string[]): Promise<Map<string, SourceId[]>> {
  const ids = new Map(fields.map((f) => [f, [] as SourceId[]]));
  // Distinct ids: fetch returns each document once, however often it is listed.
  const seen = new Map(fields.map((f) => [f, new Set<string>()]));
  let read = 0;
  for await (const batch of source.read(collection, { batchSize: 1000 })) {
    for (const doc of batch.docs) {
      for (const [field, list] of ids) {
        const value = doc[field];
        if (!Array.isArray(value)) continue;
        for (const v of value) {
          const id = asSourceId(v);
          const known = seen.get(field);
          if (id === undefined || !known || list.length >= SAMPLE_IDS || known.has(sourceIdKey(id))) continue;
          known.add(sourceIdKey(id));
          list.push(id);
        }
      }
    }
    read += batch.docs.length;
    if (read >= SCAN_LIMIT || [...ids.values()].every((l) => l.length >= SAMPLE_IDS)) break;
  }
  return ids;
}

/**
 * 2 when the array's name is the relation field's (`Invoices` ↔ `invoiceIDs`, `tags` ↔ `tagIds`),
 * 1 when it names the other model (`contact_ids` for a relation to Contact), 0 when it tells nothing.
 */
function nameScore(field: string, side: JunctionSide, otherModel: string): number {
  const stem = singular(norm(field).replace(/(?<=.)ids$/, ''));
  if (stem === singular(norm(side.field))) return 2;
  if (stem === singular(norm(otherModel))) return 1;
  return 0;
}

function norm(name: string): string {
  return name.toLowerCase().replace(/[_\s-]/g, '');
}

function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  return word.replace(/s$/, '');
}
