import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row } from '../check/row-check.ts';
import { docSourceId, sourceIdKey } from '../ids/source-id.ts';
import type { Preparer, PreparedDoc, RejectedDoc } from '../load/prepare.ts';
import { linkKey, ownerColumnOf, type ModelPlan } from '../plan/plan.ts';
import { keySql, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
import { columnIn, expectedPgType, keyIn } from '../schema/pg-types.ts';
import type { Source } from '../sources/source.ts';
import type { SourceDoc } from '../transform/types.ts';
import { escapeCopy } from '../target/copy-text.ts';
import { quoteIdent } from '../target/identifiers.ts';
import { canonicalValue } from './canonical.ts';
import type { Findings } from './findings.ts';
import type { JunctionTally } from './junction-tally.ts';
import type { OtherSideLists } from './other-side.ts';
import { describeDifferences, differingColumns, type ColumnDifference } from './row-compare.ts';

export interface SourcePassResult {
  source: number;
  skipped: number;
  compared: number;
}

/** A batch of one model's source, read, transformed again and looked up in the id map. */
export interface PreparedBatch {
  /** Records read in this batch, the undecodable ones included. */
  records: number;
  /** Every source id key of the batch (undecodable records with an id included). */
  keys: string[];
  /** Ids of the records that could not be decoded (rejected at read). */
  unreadableKeys: Set<string>;
  /** Documents the transformer skips on purpose (`skip()`). */
  skippedKeys: Set<string>;
  /** Documents the transformer turns into rows now. */
  prepared: Map<string, PreparedDoc>;
  /** Documents the transformer rejects now, with the reason. */
  nowRejected: Map<string, string>;
  /** The same rejections, and the undecodable records, whole (document, stage, reason): what a sync writes to the error log. */
  rejections: Map<string, RejectedDoc>;
  /** The id map's entries for this batch's ids: source id key → target key. */
  mapped: Map<string, string>;
  /** Documents `leaveOut` kept from the transformer: in none of the sets above but `keys` (and `mapped`). */
  leftOut: ReadonlySet<string>;
}

/** A decoded document of a batch with its id key, before it is prepared. */
export interface KeyedDoc {
  key: string;
  doc: SourceDoc;
}

/**
 * Chooses, once per batch and before anything is transformed, documents not to prepare at all
 * (baseline and sync under --since: mapped, and not changed since by their raw time). Given the
 * batch's decoded documents and its id-map entries.
 */
export type LeaveOut = (docs: readonly KeyedDoc[], mapped: ReadonlyMap<string, string>) => Promise<ReadonlySet<string>>;

export interface PreparedBatchesInput {
  client: pg.PoolClient;
  plan: ModelPlan;
  source: Source;
  preparer: Preparer;
  batchSize: number;
  /** Without it (validate) every document is prepared. */
  leaveOut?: LeaveOut;
}

/** The temporary table every source id of a pass goes to; its session's own, dropped with it. */
export async function createSourceIdTable(client: pg.PoolClient): Promise<void> {
  await client.query(`CREATE TEMP TABLE validate_source_ids (model text COLLATE "C" NOT NULL, source_id text COLLATE "C" NOT NULL, skipped boolean NOT NULL)`);
  await client.query('CREATE INDEX ON validate_source_ids (model, source_id)');
}

/**
 * Reads a model's source one batch at a time, looks the batch up in the id map, transforms
 * every document again as the migration did (those `leaveOut` names aside) and copies every id
 * into `validate_source_ids`. What validate and baseline both start from; memory holds one batch.
 */
export async function* preparedBatches(input: PreparedBatchesInput): AsyncGenerator<PreparedBatch> {
  const { client, plan } = input;
  for await (const batch of input.source.read(plan.collection, { batchSize: input.batchSize })) {
    // An undecodable record was rejected at read: its id is a source id like any other.
    const unreadableKeys = new Set((batch.unreadable ?? []).flatMap((u) => (u.sourceId === undefined ? [] : [sourceIdKey(u.sourceId)])));
    const rejections = new Map<string, RejectedDoc>();
    for (const u of batch.unreadable ?? []) {
      if (u.sourceId !== undefined) rejections.set(sourceIdKey(u.sourceId), { doc: u.doc, sourceId: u.sourceId, stage: 'read', reason: u.reason });
    }
    const docs: KeyedDoc[] = batch.docs.flatMap((doc) => {
      const id = docSourceId(doc);
      return id === undefined ? [] : [{ key: sourceIdKey(id), doc }];
    });
    const keys: string[] = [...unreadableKeys, ...docs.map((d) => d.key)];
    // The id map first: what leaveOut decides from (only a mapped document can be left as it is).
    const { rows } = await client.query<{ source_id: string; target_key: string }>(
      `SELECT source_id, target_key FROM _migration.id_map WHERE model = $1 AND source_id = ANY($2::text[])`,
      [plan.model, keys],
    );
    const mapped = new Map(rows.map((r) => [r.source_id, r.target_key]));
    const leftOut = input.leaveOut ? await input.leaveOut(docs, mapped) : new Set<string>();
    const skippedKeys = new Set<string>();
    const prepared = new Map<string, PreparedDoc>();
    const nowRejected = new Map<string, string>();
    for (const { key, doc } of docs) {
      if (leftOut.has(key)) continue;
      const result = input.preparer.prepare(doc);
      if (result.ok === true) prepared.set(key, result.value);
      else if (result.ok === 'skipped') skippedKeys.add(key);
      else {
        nowRejected.set(key, result.rejected.reason);
        rejections.set(key, result.rejected);
      }
    }
    // A left-out id goes in as not skipped, unknown as that is: only validate reads the flag, and it leaves nothing out.
    await copyIds(client, plan.model, keys, skippedKeys);
    yield { records: batch.docs.length + (batch.unreadable?.length ?? 0), keys, unreadableKeys, skippedKeys, prepared, nowRejected, rejections, mapped, leftOut };
  }
}

/**
 * One streaming pass over a model's source (preparedBatches): every id goes to a temporary
 * table (for the id-map checks, done in SQL afterwards), and the sampled documents are compared
 * with their rows in the target, derived rows and links included (classifyDocs).
 */
export async function sourcePass(input: {
  client: pg.PoolClient;
  graph: ModelGraph;
  plan: ModelPlan;
  source: Source;
  preparer: Preparer;
  findings: Findings;
  samplePercent: number;
  batchSize: number;
  /** Collects the pairs of junctions filled from both sides, compared once every pass is done. */
  tally?: JunctionTally;
}): Promise<SourcePassResult> {
  const { client, graph, plan, findings } = input;
  let source = 0, skipped = 0, compared = 0;
  for await (const batch of preparedBatches(input)) {
    source += batch.records;
    skipped += batch.skippedKeys.size;
    for (const [sourceId, targetKey] of batch.mapped) {
      const doc = batch.prepared.get(sourceId);
      if (doc && doc.key !== targetKey) {
        findings.add('id-map', plan.model, 'key-mismatch', `mapped to ${targetKey}, but the id strategy gives ${doc.key}`, sourceId);
      }
      const reason = batch.nowRejected.get(sourceId);
      if (reason) findings.add('content', plan.model, 'transform-now-rejects', `in the target, but the transformer now rejects it: ${reason}`, sourceId);
    }
    const sampled = [...batch.mapped.keys()].filter((k) => inSample(k, input.samplePercent)).flatMap((k) => batch.prepared.get(k) ?? []);
    compared += sampled.length;
    for (const d of await classifyDocs(client, graph, plan, sampled, input.tally)) findings.add('content', d.table, d.kind, d.message, d.id);
  }
  return { source, skipped, compared };
}

/** How a prepared document differs from what the target holds for it. */
export type DifferenceKind = 'missing-row' | 'content-differs' | 'extra-row' | 'missing-link' | 'extra-link';

export interface Difference {
  /** The source document (its id key) the difference belongs to. */
  owner: string;
  /** The model, or the junction table of a link. */
  table: string;
  kind: DifferenceKind;
  /** The source id (own row), the derived row's key, or the link's pair `a/b`. */
  id: string;
  message: string;
  /** Content differences: the columns, expected (from the source now) and found (in the target). */
  columns?: ColumnDifference[];
}

/**
 * The one comparison of prepared documents with the target: each document's own row, the rows
 * it derives (embedded children) and its many-to-many links, canonically (canonical.ts), after
 * the repairs the migration made on purpose. Returns every difference with the document it
 * belongs to; an empty list means the target holds exactly what the source gives now. Both
 * validate (as findings) and baseline (as changed documents) read it.
 *
 * A junction filled from both sides goes to `tally` when one is given (validate decides it once
 * both sides are read); without one (baseline), a pair the document gives that the target lacks
 * is a difference, and a pair in the target that it does not give is one only when no other side
 * fills the junction.
 */
export async function classifyDocs(client: pg.PoolClient, graph: ModelGraph, plan: ModelPlan, docs: readonly PreparedDoc[], tally?: JunctionTally, otherSide?: OtherSideLists): Promise<Difference[]> {
  if (docs.length === 0) return [];
  const model = requireModel(graph, plan.model);
  const out: Difference[] = [];
  const keys = docs.map((d) => d.key);
  await applyRepairs(client, plan, docs, keys);
  const own = await rowsBy(client, model, keySql(model, 't'), keyIn(model, 't', '$1'), keys);
  for (const doc of docs) {
    const expected = doc.rows.get(plan.model)?.[0];
    const actual = own.get(doc.key)?.[0];
    const key = sourceIdKey(doc.sourceId);
    if (!expected) continue;
    if (!actual) {
      out.push({ owner: key, table: plan.model, kind: 'missing-row', id: key, message: 'mapped, but its row is not in the target' });
      continue;
    }
    const diffs = differingColumns(model, expected, actual);
    if (diffs.length > 0) out.push({ owner: key, table: plan.model, kind: 'content-differs', id: key, message: `row differs from the source: ${describeDifferences(diffs)}`, columns: diffs });
  }
  for (const d of plan.derived) {
    const spec = requireModel(graph, d.model);
    const ownerColumn = spec.columns.find((c) => c.field === d.ownerField)?.column ?? d.ownerField;
    const owner = spec.columns.find((c) => c.column === ownerColumn);
    if (!owner) throw new Error(`${spec.name} has no column ${ownerColumn}`);
    const actual = await rowsBy(client, spec, `t.${quoteIdent(ownerColumn)}::text`, columnIn(owner, 't', '$1'), keys);
    for (const doc of docs) out.push(...compareSets(spec, doc.rows.get(d.model) ?? [], actual.get(doc.key) ?? [], sourceIdKey(doc.sourceId)));
  }
  for (const fill of plan.junctions) {
    const { junction } = fill;
    const owner = requireModel(graph, fill.ownerColumn === 'A' ? junction.a.model : junction.b.model);
    const { rows } = await client.query<{ a: string; b: string }>(
      `SELECT ${quoteIdent(junction.a.column)}::text AS a, ${quoteIdent(junction.b.column)}::text AS b FROM ${quoteIdent(junction.table)} WHERE ${quoteIdent(ownerColumnOf(fill))} = ANY($1::${expectedPgType(owner.id)}[])`,
      [keys],
    );
    const actual = new Set(rows.map((r) => `${r.a}/${r.b}`));
    // Which document a pair belongs to: the one whose key is its owner end.
    const ownerOf = new Map(docs.map((d) => [d.key, sourceIdKey(d.sourceId)]));
    const ownerKey = (pair: string) => ownerOf.get(pair.split('/')[fill.ownerColumn === 'A' ? 0 : 1] ?? '') ?? '';
    const expected = new Set(docs.flatMap((d) => (d.links.get(linkKey(fill)) ?? []).map(([a, b]) => `${a}/${b}`)));
    if (fill.union && tally) {
      // Either side may have written a pair: decided per junction once both sides are read.
      tally.record(fill, keys, expected, actual);
      continue;
    }
    for (const pair of expected) if (!actual.has(pair)) out.push({ owner: ownerKey(pair), table: junction.table, kind: 'missing-link', id: pair, message: 'a many-to-many link of the source is not in the target' });
    if (fill.union) {
      // A pair this side no longer lists is extra only if the other side's documents do not list it either.
      if (!otherSide) continue;
      const candidates = [...actual].filter((p) => !expected.has(p)).map((p) => p.split('/') as [string, string]);
      const listed = await otherSide(fill, candidates);
      for (const [a, b] of candidates) {
        if (!listed.has(`${a}/${b}`)) out.push({ owner: ownerKey(`${a}/${b}`), table: junction.table, kind: 'extra-link', id: `${a}/${b}`, message: 'a many-to-many link in the target that neither side lists in the source' });
      }
      continue;
    }
    for (const pair of actual) if (!expected.has(pair)) out.push({ owner: ownerKey(pair), table: junction.table, kind: 'extra-link', id: pair, message: 'a many-to-many link in the target is not in the source' });
  }
  return out;
}

/**
 * Matches a document's derived rows with the target's by their whole primary key: a composite
 * key (`@@id([orderId, position])`) shares its first column between the rows of one owner.
 */
function compareSets(spec: ModelSpec, expected: readonly Row[], actual: readonly Record<string, unknown>[], owner: string): Difference[] {
  const out: Difference[] = [];
  const keyOf = (row: Readonly<Record<string, unknown>>, name: 'field' | 'column') => spec.key.map((c) => canonicalValue(c, row[c[name]] ?? null)).join('|');
  const byId = new Map(actual.map((r) => [keyOf(r, 'column'), r]));
  for (const row of expected) {
    const id = keyOf(row, 'field');
    const found = byId.get(id);
    byId.delete(id);
    if (!found) out.push({ owner, table: spec.name, kind: 'missing-row', id, message: `a row derived from source document ${owner} is not in the target` });
    else {
      const diffs = differingColumns(spec, row, found);
      if (diffs.length > 0) out.push({ owner, table: spec.name, kind: 'content-differs', id, message: `row differs from the source: ${describeDifferences(diffs)}`, columns: diffs });
    }
  }
  for (const id of byId.keys()) out.push({ owner, table: spec.name, kind: 'extra-row', id, message: `a row of source document ${owner} that the source does not produce` });
  return out;
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
      // The log keeps the id as text; a kept integer key (direct mode) is a number in the row.
      for (const row of doc.rows.get(modelName) ?? []) if (row[field] !== null && row[field] !== undefined && String(row[field]) === r.missing_id) row[field] = null;
      continue;
    }
    // A derived row dropped for its required reference.
    const derived = doc.rows.get(modelName);
    if (modelName !== plan.model && derived) doc.rows.set(modelName, derived.filter((row) => row[field] === null || row[field] === undefined || String(row[field]) !== r.missing_id));
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
