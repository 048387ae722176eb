import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row } from '../check/row-check.ts';
import type { IdMapper } from '../ids/id-mapper.ts';
import { docSourceId, sourceIdKey } from '../ids/source-id.ts';
import type { Preparer, PreparedDoc } from '../load/prepare.ts';
import { linkKey, ownerColumnOf, type ModelPlan } from '../plan/plan.ts';
import { keySql, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
import { columnIn, expectedPgType, keyIn } from '../schema/pg-types.ts';
import type { Source } from '../sources/source.ts';
import { escapeCopy } from '../target/copy-text.ts';
import { quoteIdent } from '../target/identifiers.ts';
import { canonicalValue } from './canonical.ts';
import type { Findings } from './findings.ts';
import type { JunctionTally } from './junction-tally.ts';
import { describeDifferences, differingColumns } from './row-compare.ts';

export interface SourcePassResult {
  source: number;
  skipped: number;
  compared: number;
}

/**
 * One streaming pass over a model's source: every id goes to a temporary table (for the
 * id-map checks, done in SQL afterwards), every document is transformed again as the
 * migration did, and the sampled ones are compared with their rows in the target, derived
 * rows and links included. Memory holds one batch.
 */
export async function sourcePass(input: {
  client: pg.PoolClient;
  graph: ModelGraph;
  plan: ModelPlan;
  source: Source;
  preparer: Preparer;
  ids: IdMapper;
  findings: Findings;
  samplePercent: number;
  batchSize: number;
  /** Collects the pairs of junctions filled from both sides, compared once every pass is done. */
  tally?: JunctionTally;
}): Promise<SourcePassResult> {
  const { client, graph, plan, findings } = input;
  const model = requireModel(graph, plan.model);
  let source = 0, skipped = 0, compared = 0;
  for await (const batch of input.source.read(plan.collection, { batchSize: input.batchSize })) {
    source += batch.docs.length + (batch.unreadable?.length ?? 0);
    // An undecodable record was rejected at read: its id is a source id like any other.
    const keys: string[] = (batch.unreadable ?? []).flatMap((u) => (u.sourceId === undefined ? [] : [sourceIdKey(u.sourceId)]));
    const skippedKeys = new Set<string>();
    const prepared = new Map<string, PreparedDoc>();
    const nowRejected = new Map<string, string>();
    for (const doc of batch.docs) {
      const id = docSourceId(doc);
      if (id === undefined) continue;
      const key = sourceIdKey(id);
      keys.push(key);
      const result = input.preparer.prepare(doc);
      if (result.ok === true) prepared.set(key, result.value);
      else if (result.ok === 'skipped') skippedKeys.add(key);
      else nowRejected.set(key, result.rejected.reason);
    }
    skipped += skippedKeys.size;
    await copyIds(client, plan.model, keys, skippedKeys);

    const { rows: mapped } = await client.query<{ source_id: string; target_key: string }>(
      `SELECT source_id, target_key FROM _migration.id_map WHERE model = $1 AND source_id = ANY($2::text[])`,
      [plan.model, keys],
    );
    for (const m of mapped) {
      const doc = prepared.get(m.source_id);
      if (doc && doc.key !== m.target_key) {
        findings.add('id-map', plan.model, 'key-mismatch', `mapped to ${m.target_key}, but the id strategy gives ${doc.key}`, m.source_id);
      }
      const reason = nowRejected.get(m.source_id);
      if (reason) findings.add('content', plan.model, 'transform-now-rejects', `in the target, but the transformer now rejects it: ${reason}`, m.source_id);
    }
    const sampled = mapped.filter((m) => prepared.has(m.source_id) && inSample(m.source_id, input.samplePercent));
    compared += sampled.length;
    await compareDocs(client, graph, plan, model, sampled.map((m) => prepared.get(m.source_id)).filter((d): d is PreparedDoc => d !== undefined), findings, input.tally);
  }
  return { source, skipped, compared };
}

async function compareDocs(client: pg.PoolClient, graph: ModelGraph, plan: ModelPlan, model: ModelSpec, docs: readonly PreparedDoc[], findings: Findings, tally: JunctionTally | undefined): Promise<void> {
  if (docs.length === 0) return;
  const keys = docs.map((d) => d.key);
  await applyRepairs(client, plan, docs, keys);
  const own = await rowsBy(client, model, keySql(model, 't'), keyIn(model, 't', '$1'), keys);
  for (const doc of docs) {
    const expected = doc.rows.get(plan.model)?.[0];
    const actual = own.get(doc.key)?.[0];
    const key = sourceIdKey(doc.sourceId);
    if (!expected) continue;
    if (!actual) {
      findings.add('content', plan.model, 'missing-row', 'mapped, but its row is not in the target', key);
      continue;
    }
    const diffs = differingColumns(model, expected, actual);
    if (diffs.length > 0) findings.add('content', plan.model, 'content-differs', `row differs from the source: ${describeDifferences(diffs)}`, key);
  }
  for (const d of plan.derived) {
    const spec = requireModel(graph, d.model);
    const ownerColumn = spec.columns.find((c) => c.field === d.ownerField)?.column ?? d.ownerField;
    const owner = spec.columns.find((c) => c.column === ownerColumn);
    if (!owner) throw new Error(`${spec.name} has no column ${ownerColumn}`);
    const actual = await rowsBy(client, spec, `t.${quoteIdent(ownerColumn)}::text`, columnIn(owner, 't', '$1'), keys);
    for (const doc of docs) compareSets(findings, spec, doc.rows.get(d.model) ?? [], actual.get(doc.key) ?? [], sourceIdKey(doc.sourceId));
  }
  for (const fill of plan.junctions) {
    const { junction } = fill;
    const owner = requireModel(graph, fill.ownerColumn === 'A' ? junction.a.model : junction.b.model);
    const { rows } = await client.query<{ a: string; b: string }>(
      `SELECT ${quoteIdent(junction.a.column)}::text AS a, ${quoteIdent(junction.b.column)}::text AS b FROM ${quoteIdent(junction.table)} WHERE ${quoteIdent(ownerColumnOf(fill))} = ANY($1::${expectedPgType(owner.id)}[])`,
      [keys],
    );
    const actual = new Set(rows.map((r) => `${r.a}/${r.b}`));
    const expected = new Set(docs.flatMap((d) => (d.links.get(linkKey(fill)) ?? []).map(([a, b]) => `${a}/${b}`)));
    if (fill.union) {
      // Either side may have written a pair: decided per junction once both sides are read.
      tally?.record(fill, keys, expected, actual);
      continue;
    }
    for (const pair of expected) if (!actual.has(pair)) findings.add('content', junction.table, 'missing-link', 'a many-to-many link of the source is not in the target', pair);
    for (const pair of actual) if (!expected.has(pair)) findings.add('content', junction.table, 'extra-link', 'a many-to-many link in the target is not in the source', pair);
  }
}

/**
 * Matches a document's derived rows with the target's by their whole primary key: a composite
 * key (`@@id([orderId, position])`) shares its first column between the rows of one owner.
 */
function compareSets(findings: Findings, spec: ModelSpec, expected: readonly Row[], actual: readonly Record<string, unknown>[], owner: string): void {
  const keyOf = (row: Readonly<Record<string, unknown>>, name: 'field' | 'column') => spec.key.map((c) => canonicalValue(c, row[c[name]] ?? null)).join('|');
  const byId = new Map(actual.map((r) => [keyOf(r, 'column'), r]));
  for (const row of expected) {
    const id = keyOf(row, 'field');
    const found = byId.get(id);
    byId.delete(id);
    if (!found) findings.add('content', spec.name, 'missing-row', `a row derived from source document ${owner} is not in the target`, id);
    else {
      const diffs = differingColumns(spec, row, found);
      if (diffs.length > 0) findings.add('content', spec.name, 'content-differs', `row differs from the source: ${describeDifferences(diffs)}`, id);
    }
  }
  for (const id of byId.keys()) findings.add('content', spec.name, 'extra-row', `a row of source document ${owner} that the source does not produce`, id);
}

/** Target rows matching `where` (SQL over alias t, keys as $1), grouped by `keyExpression`. */
async function rowsBy(client: pg.PoolClient, model: ModelSpec, keyExpression: string, where: string, keys: readonly string[]): Promise<Map<string, Record<string, unknown>[]>> {
  const { rows } = await client.query<Record<string, unknown>>(`SELECT ${keyExpression} AS "__key", t.* FROM ${quoteIdent(model.table)} t WHERE ${where}`, [keys]);
  const out = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const key = String(row['__key']);
    out.set(key, [...(out.get(key) ?? []), row]);
  }
  return out;
}

async function copyIds(client: pg.PoolClient, model: string, keys: readonly string[], skipped: ReadonlySet<string>): Promise<void> {
  if (keys.length === 0) return;
  const text = keys.map((k) => `${escapeCopy(model)}\t${escapeCopy(k)}\t${skipped.has(k) ? 't' : 'f'}\n`).join('');
  await pipeline(Readable.from([text]), client.query(copyFrom('COPY validate_source_ids (model, source_id, skipped) FROM STDIN')));
}

/** A stable choice of documents for --sample: the same ids every time. */
export function inSample(key: string, percent: number): boolean {
  if (percent >= 100) return true;
  const h = createHash('sha1').update(key).digest().readUInt32BE(0);
  return h % 10_000 < percent * 100;
}

function requireModel(graph: ModelGraph, name: string): ModelSpec {
  const m = graph.models.get(name);
  if (!m) throw new Error(`the Prisma schema has no model ${name}`);
  return m;
}

/**
 * What the migration did on purpose to references that pointed at nothing (`_migration.repairs`):
 * a column set NULL, a link not written. The source still says otherwise, so the expected rows
 * get the same repair; validate reports the repairs themselves as warnings.
 */
async function applyRepairs(client: pg.PoolClient, plan: ModelPlan, docs: readonly PreparedDoc[], keys: readonly string[]): Promise<void> {
  const { rows } = await client.query<{ owner_key: string; field: string; missing_id: string; action: 'nulled' | 'dropped' }>(
    `SELECT owner_key, field, missing_id, action FROM _migration.repairs WHERE model = $1 AND owner_key = ANY($2::text[]) AND action IN ('nulled', 'dropped')`,
    [plan.model, keys],
  );
  if (rows.length === 0) return;
  const byKey = new Map(docs.map((d) => [d.key, d]));
  for (const r of rows) {
    const doc = byKey.get(r.owner_key);
    if (!doc) continue;
    const [modelName = '', field = ''] = r.field.split('.');
    if (r.action === 'nulled') {
      for (const row of doc.rows.get(modelName) ?? []) if (row[field] === r.missing_id) row[field] = null;
      continue;
    }
    // A derived row dropped for its required reference.
    const derived = doc.rows.get(modelName);
    if (modelName !== plan.model && derived) doc.rows.set(modelName, derived.filter((row) => row[field] !== r.missing_id));
    for (const fill of plan.junctions) {
      const side = fill.ownerColumn === 'A' ? fill.junction.a : fill.junction.b;
      // The orphan sweep names a link by the array it came from (orphans.ts).
      if (`${side.model}.${fill.sourceField ?? side.field}` !== r.field) continue;
      const other = fill.ownerColumn === 'A' ? 1 : 0;
      const links = doc.links.get(linkKey(fill));
      if (links) doc.links.set(linkKey(fill), links.filter((pair) => pair[other] !== r.missing_id));
    }
  }
}
