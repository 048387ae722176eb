import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MigrationConfig } from '../config/config-schema.ts';
import type { Logger } from '../log/logger.ts';
import { maskDeep, maskUrl } from '../log/mask.ts';
import { quoteIdent } from '../target/identifiers.ts';
import { heldWarning } from '../target/run-lock.ts';
import { openReadPass } from '../validate/read-pass.ts';
import { otherSideLister } from '../validate/other-side.ts';
import { describeDifferences } from '../validate/row-compare.ts';
import { diffModel, type DiffKind, type SinceField } from './diff-model.ts';

/** Example ids kept per kind and model. */
export const EXAMPLES = 5;

export interface BaselineExample {
  sourceId: string;
  /** changed: the first differences, as validate words them (`table: column: expected …, found …`); now-rejects: the reason. */
  detail?: string;
}

export interface ModelBaseline {
  model: string;
  /** Source records read (new + changed + unchanged + was-rejected + now-rejects + still-rejected + skipped). */
  source: number;
  /** Rows of the model's table (changed + unchanged + deleted + marked + the mapped ones that now reject). */
  target: number;
  /** Rows a sync kept and marked deleted (config deletedMark) whose document the source still lacks: applied already. */
  marked: number;
  new: number;
  changed: number;
  deleted: number;
  unchanged: number;
  wasRejected: number;
  nowRejects: number;
  /** In the error log and still rejected by the transformer: migration:errors' business, not a difference. */
  stillRejected: number;
  skipped: number;
  /** Mapped documents whose content was compared (all of them without --since). */
  compared: number;
  /** What --since read for this model: `Order.updatedAt (@updatedAt)`, `source field updated_at`, or `full comparison`. */
  since: string;
  seconds: number;
  examples: Partial<Record<DiffKind, BaselineExample[]>>;
}

export interface BaselineReport {
  /** True when the target holds exactly what the source gives now (no new, changed, deleted, was-rejected or now-rejects). */
  same: boolean;
  source: string;
  target: string;
  since: string | null;
  seconds: number;
  models: ModelBaseline[];
  totals: Pick<ModelBaseline, 'source' | 'target' | 'new' | 'changed' | 'deleted' | 'unchanged' | 'wasRejected' | 'nowRejects' | 'stillRejected' | 'skipped'>;
  /** Set when a run held the target's lock as the baseline started: the numbers may have moved under it. */
  heldBy?: string;
}

export interface BaselineOptions {
  config: MigrationConfig;
  logger: Logger;
  since?: Date;
  /** Write the JSON report here too. */
  outFile?: string;
}

/**
 * The read-only difference between source and target, model by model (diffModel): what a sync
 * would insert, update and delete, counted with a few example ids each and the time it took.
 * Writes nothing to the target but a TEMP table of its own session, and takes no run lock.
 */
export async function baseline(options: BaselineOptions): Promise<BaselineReport> {
  const { config, logger } = options;
  const started = performance.now();
  const reading = await openReadPass(config, logger);
  const { session, client, url, holder } = reading;
  const { graph, source, plan } = session;
  try {
    const models: ModelBaseline[] = [];
    const plans = plan.phases.flat();
    const preparers = new Map(plans.map((p) => [p.model, reading.preparer(p)]));
    const otherSide = otherSideLister(plans, (p) => preparers.get(p.model) ?? reading.preparer(p), source, client);
    for (const modelPlan of plans) {
      const model = graph.models.get(modelPlan.model);
      if (!model) continue;
      const t0 = performance.now();
      logger.info(`  ${modelPlan.model}: reading ${modelPlan.collection}`);
      const m: ModelBaseline = { model: modelPlan.model, source: 0, target: 0, marked: 0, new: 0, changed: 0, deleted: 0, unchanged: 0, wasRejected: 0, nowRejects: 0, stillRejected: 0, skipped: 0, compared: 0, since: 'full comparison', seconds: 0, examples: {} };
      let sinceField: SinceField | undefined;
      const preparer = reading.preparer(modelPlan);
      const mark = session.deletedMarks.get(modelPlan.model);
      for await (const batch of diffModel({ client, graph, plan: modelPlan, source, preparer, fields: session.fieldsFor(modelPlan), batchSize: config.batchSize, otherSide, ...(mark ? { mark } : {}), ...(options.since ? { since: options.since } : {}), onSinceField: (f) => (sinceField = f) })) {
        m.source += batch.records;
        m.unchanged += batch.unchanged;
        m.compared += batch.compared;
        m.skipped += batch.skipped;
        m.stillRejected += batch.stillRejected;
        m.marked += batch.marked;
        for (const e of batch.entries) {
          const counter = e.kind === 'was-rejected' ? 'wasRejected' : e.kind === 'now-rejects' ? 'nowRejects' : e.kind;
          m[counter]++;
          const list = (m.examples[e.kind] ??= []);
          if (list.length >= EXAMPLES) continue;
          const detail = e.differences
            ? e.differences.slice(0, 3).map((d) => `${d.table}: ${d.columns ? describeDifferences(d.columns.slice(0, 3)) : `${d.kind} ${d.id}`}`).join('; ')
            : e.reason;
          list.push({ sourceId: e.sourceId, ...(detail ? { detail } : {}) });
        }
      }
      if (options.since) m.since = sinceField === undefined ? 'full comparison (no @updatedAt column or updatedAt/updated_at/modifiedAt field)' : sinceField.kind === 'updatedAt-column' ? `${modelPlan.model}.${sinceField.field} (@updatedAt)` : `source field ${sinceField.field}`;
      const { rows } = await client.query<{ count: string }>(`SELECT count(*) FROM ${quoteIdent(model.table)}`);
      m.target = Number(rows[0]?.count ?? 0);
      m.seconds = (performance.now() - t0) / 1000;
      models.push(m);
    }
    const sum = (k: keyof BaselineReport['totals']) => models.reduce((n, m) => n + m[k], 0);
    const totals: BaselineReport['totals'] = {
      source: sum('source'), target: sum('target'), new: sum('new'), changed: sum('changed'), deleted: sum('deleted'), unchanged: sum('unchanged'),
      wasRejected: sum('wasRejected'), nowRejects: sum('nowRejects'), stillRejected: sum('stillRejected'), skipped: sum('skipped'),
    };
    const report: BaselineReport = {
      same: totals.new + totals.changed + totals.deleted + totals.wasRejected + totals.nowRejects === 0,
      source: source.identity,
      target: maskUrl(url),
      since: options.since?.toISOString() ?? null,
      seconds: (performance.now() - started) / 1000,
      models,
      totals,
      ...(holder ? { heldBy: heldWarning(holder) } : {}),
    };
    if (options.outFile) {
      mkdirSync(dirname(options.outFile), { recursive: true });
      writeFileSync(options.outFile, `${JSON.stringify(maskDeep(report), null, 2)}\n`);
    }
    return report;
  } finally {
    await reading.close();
  }
}
