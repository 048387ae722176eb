import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MigrationConfig } from '../config/config-schema.ts';
import type { Logger } from '../log/logger.ts';
import { maskDeep, maskUrl } from '../log/mask.ts';
import { heldWarning } from '../target/run-lock.ts';
import { quoteIdent } from '../target/identifiers.ts';
import { CHECKS, Findings, type CheckName, type Finding } from './findings.ts';
import type { FieldAccounting, FieldCount } from '../accounting/field-accounting.ts';
import { accountingOf } from '../accounting/run-accounting.ts';
import { checkForeignKeys, reportRepairs } from './foreign-key-check.ts';
import { checkIdMap } from './id-map-check.ts';
import { openReadPass } from './read-pass.ts';
import { checkObjects } from './object-check.ts';
import { checkSchema } from './schema-check.ts';
import type { SchemaObjectAccount } from '../accounting/schema-objects.ts';
import { checkSequences } from './sequence-check.ts';
import { JunctionTally } from './junction-tally.ts';
import { sourcePass } from './source-pass.ts';

export interface ModelValidation {
  model: string;
  source: number;
  target: number;
  rejected: number;
  skipped: number;
  compared: number;
  checks: Record<CheckName, 'ok' | 'FAIL'>;
}

export interface ValidationReport {
  ok: boolean;
  source: string;
  target: string;
  samplePercent: number;
  seconds: number;
  models: ModelValidation[];
  sequencesChecked: number;
  findings: Finding[];
  /** How every source field is used, recounted from validate's own pass over the source. */
  fields: FieldAccounting;
  /** The source file's schema objects against the catalog (SQLite direct copy). */
  schemaObjects?: SchemaObjectAccount;
  /** Set when a run held the target's lock as validation started: the results may have moved under it. */
  heldBy?: string;
}

export interface ValidateOptions {
  config: MigrationConfig;
  logger: Logger;
  /** Compare the content of this share of documents (all by default). */
  samplePercent?: number;
  reportFile?: string;
}

/**
 * Proves the target equals the source, connecting afresh to both: counts, foreign keys, the
 * id map, content row by row (re-read and re-transformed), the schema against Prisma's DDL,
 * and sequences. Returns the report; the CLI turns `ok` into the exit code.
 */
export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  const { config, logger } = options;
  const started = performance.now();
  const samplePercent = options.samplePercent ?? 100;
  const reading = await openReadPass(config, logger);
  const { session, client, url, holder } = reading;
  const { graph, ddl, source, plan } = session;
  const findings = new Findings();
  try {
    // Fresh statistics after a bulk load, or the planner picks nested loops over millions of rows.
    await client.query('ANALYZE _migration.id_map, _migration.rejected');
    const models: ModelValidation[] = [];
    const fieldCounts = new Map<string, FieldCount[]>();
    const plans = plan.phases.flat();
    const tally = new JunctionTally();
    for (const modelPlan of plans) {
      const model = graph.models.get(modelPlan.model);
      if (!model) continue;
      logger.info(`  ${modelPlan.model}: reading ${modelPlan.collection} again`);
      const counter = session.fieldCounter(modelPlan);
      const pass = await sourcePass({ client, graph, plan: modelPlan, source, preparer: reading.preparer(modelPlan, counter), findings, samplePercent, batchSize: config.batchSize, tally });
      fieldCounts.set(modelPlan.model, [...counter.take().values()]);
      // Rows a sync kept for documents gone from the source (config deletedMark) are counted apart, and named.
      const mark = session.deletedMarks.get(modelPlan.model);
      const target = await count(client, `SELECT count(*) FROM ${quoteIdent(model.table)} t${mark ? ` WHERE NOT (${mark.isKept('t')})` : ''}`);
      if (mark) {
        const marked = await count(client, `SELECT count(*) FROM ${quoteIdent(model.table)} t WHERE ${mark.isKept('t')}`);
        if (marked > 0) findings.warn('counts', modelPlan.model, 'marked-deleted', `${marked} row(s) kept for documents gone from the source, marked in ${mark.column.field} (models.${modelPlan.model}.deletedMark)`, [], marked);
      }
      const rejected = await count(client, `SELECT count(*) FROM _migration.rejected WHERE model = $1 AND resolved_at IS NULL`, [modelPlan.model]);
      if (pass.source !== target + rejected + pass.skipped) {
        findings.add('counts', modelPlan.model, 'count-mismatch', `source ${pass.source} ≠ target ${target} + rejected ${rejected} + skipped ${pass.skipped}`);
      }
      await client.query('ANALYZE validate_source_ids');
      await checkIdMap(client, model, findings, mark);
      models.push({ model: modelPlan.model, source: pass.source, target, rejected, skipped: pass.skipped, compared: pass.compared, checks: emptyChecks() });
    }
    await tally.finish(client, graph, findings);
    logger.info('  foreign keys, schema, sequences');
    await checkForeignKeys(client, graph, findings, session.references);
    await reportRepairs(client, findings);
    const tables = [...[...graph.models.values()].map((m) => m.table), ...graph.junctions.map((j) => j.table)];
    // The objects made after the load (generated columns, CHECKs, expression indexes) are expected beyond Prisma's DDL.
    await checkSchema(client, ddl, tables, findings, new Set((session.schemaObjects ?? []).flatMap((o) => o.schemaKey ?? [])));
    const schemaObjects = session.schemaObjects ? await checkObjects(client, session.schemaObjects, findings) : undefined;
    const sequencesChecked = await checkSequences(client, tables, findings);
    // Recognised and left out on purpose (`_prisma_migrations`): named, with the reason, never an error.
    for (const t of session.notCopied) findings.warn('schema', t.name, 'not-copied', `table ${t.name} not copied: ${t.reason}`, [], 1);

    const fields = await accountingOf(plan, source, config.unmappedFields, (m) => fieldCounts.get(m) ?? []);
    addFieldFindings(fields, findings);

    const all = findings.all();
    const ownerOf = new Map<string, string>();
    for (const p of plans) {
      for (const d of p.derived) ownerOf.set(d.model, p.model);
      for (const j of p.junctions) ownerOf.set(j.junction.table, p.model);
      const table = graph.models.get(p.model)?.table;
      if (table) ownerOf.set(table, p.model);
      for (const d of p.derived) {
        const t = graph.models.get(d.model)?.table;
        if (t) ownerOf.set(t, p.model);
      }
    }
    for (const f of all) {
      if (f.severity === 'warning') continue;
      const owner = models.find((m) => m.model === f.model) ?? models.find((m) => m.model === ownerOf.get(f.model));
      if (owner && f.severity !== 'warning') owner.checks[f.check] = 'FAIL';
    }
    const report: ValidationReport = {
      ok: all.every((f) => f.severity === 'warning'),
      source: source.identity,
      target: maskUrl(url),
      samplePercent,
      seconds: (performance.now() - started) / 1000,
      models,
      sequencesChecked,
      findings: all,
      fields,
      ...(schemaObjects ? { schemaObjects } : {}),
      ...(holder ? { heldBy: heldWarning(holder) } : {}),
    };
    if (options.reportFile) {
      mkdirSync(dirname(options.reportFile), { recursive: true });
      writeFileSync(options.reportFile, `${JSON.stringify(maskDeep(report), null, 2)}\n`);
    }
    return report;
  } finally {
    await reading.close();
  }
}

/** Each path left behind is a finding: a warning under `unmappedFields: warn`, a defect under `fail`. */
function addFieldFindings(fields: FieldAccounting, findings: Findings): void {
  for (const m of fields.models) {
    for (const f of m.fields.filter((x) => x.use === 'left-behind')) {
      const message = `${m.collection}.${f.path} is in ${f.documents} document(s) and read by no column, link or transformer (map it, or list it in models.${m.model}.ignore)`;
      const ids = f.example === null ? [] : [f.example];
      if (fields.policy === 'fail') findings.addMany('fields', m.model, `left-behind ${f.path}`, message, ids, f.documents);
      else findings.warn('fields', m.model, `left-behind ${f.path}`, message, ids, f.documents);
    }
  }
  for (const c of fields.unreadCollections) findings.warn('fields', c.collection, 'collection-unread', `no model reads collection ${c.collection} (${c.documents} document(s))`, [], c.documents);
}

function emptyChecks(): Record<CheckName, 'ok' | 'FAIL'> {
  return Object.fromEntries(CHECKS.map((c) => [c, 'ok'])) as Record<CheckName, 'ok' | 'FAIL'>;
}

async function count(client: import('pg').PoolClient, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query<{ count: string }>(sql, params);
  return Number(rows[0]?.count ?? 0);
}
