import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FieldCounter } from '../accounting/field-accounting.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import { ConfigError } from '../config/load-config.ts';
import type { Logger } from '../log/logger.ts';
import { describeEmbedded, embeddedOver } from '../plan/describe-embedded.ts';
import { planEmbedded } from '../plan/embedded.ts';
import { describeLinks } from '../plan/describe-links.ts';
import { resolveLinkSources } from '../plan/link-sources.ts';
import { planDeletedMarks, type DeletedMark } from '../plan/deleted-mark.ts';
import { planReferences, type ReferencePolicies } from '../plan/references.ts';
import { linkKey, planMigration, type ModelPlan, type Plan } from '../plan/plan.ts';
import { renderDdl, type SchemaDdl } from '../schema/ddl.ts';
import { readDmmf } from '../schema/dmmf.ts';
import { checkIdentifierLengths } from '../schema/identifier-limits.ts';
import { refuseOtherSchemas } from '../schema/schema-placement.ts';
import { buildModelGraph, type ModelGraph, type ModelSpec } from '../schema/model-graph.ts';
import { openSource } from '../sources/open-source.ts';
import type { Source } from '../sources/source.ts';
import type { TypeRule } from '../sources/sqlite/cast-rules.ts';
import { prismaSchemaFromSqlite } from '../sources/sqlite/prisma-from-sqlite.ts';
import type { SqliteSource } from '../sources/sqlite/sqlite-source.ts';
import { unsweptForeignKeyTables } from '../sources/sqlite/unswept-foreign-keys.ts';
import { sqliteSchemaObjects } from '../sources/sqlite/translate-objects.ts';
import type { SkippedTable } from '../sources/sqlite/sqlite-schema.ts';
import { selectSqliteTables } from '../sources/sqlite/select-tables.ts';
import { zeroSchemaFromGraph } from '../sources/sqlite/zero-schema.ts';
import type { SourceObject } from '../accounting/schema-objects.ts';
import type { SourceFields } from '../transform/context.ts';
import { loadTransformers, transformersModule } from '../transform/load-transformers.ts';
import { refuseUnrelatedSource, unreadableAsBadInput } from './source-preflight.ts';
import type { WorkerRecipe } from '../load/worker-recipe.ts';
import { sourceConverter } from '../sources/source-converter.ts';
import type { Coercion } from '../sources/sqlite/sqlite-convert.ts';

/** Coerced values logged per rule and column as examples; the rest are counted. */
export const COERCION_EXAMPLES = 3;

/** What every command starts from: the schema read, the source open, the plan made. */
export interface Session {
  schemaText: string;
  /** Where the schema came from, for messages: the file given, or the one generated from SQLite. */
  schemaFile: string;
  graph: ModelGraph;
  ddl: SchemaDdl;
  source: Source;
  plan: Plan;
  /** How a model's source fields are found and converted. */
  fieldsFor(plan: ModelPlan): SourceFields;
  /** A fresh counter of how a model's documents use their source fields (accounting). */
  fieldCounter(plan: ModelPlan): FieldCounter;
  /**
   * What a worker thread needs to read and prepare a model's documents on its own (its own
   * reader of the source, converter, mapper and counter): plain data, or undefined for a model
   * whose documents only the main thread can prepare (see load/worker-batches.ts).
   */
  workerRecipe(plan: ModelPlan): WorkerRecipe | undefined;
  /** Coercions counted by rule, for the summary (SQLite). */
  coercions: Map<string, number>;
  /** Coercions a worker thread made (worker-batches.ts): `count` under `key`, of which `examples` with their texts, for the log. */
  noteCoercions(key: string, count: number, examples: readonly Coercion[]): void;
  /** Id columns without a relation and what each relation does with a dangling reference. */
  references: ReferencePolicies;
  /** Models whose documents gone from the source are marked by migration:sync, not deleted (config deletedMark). */
  deletedMarks: ReadonlyMap<string, DeletedMark>;
  /** Id-column values converted to UUIDs, by `Model.field: kind → target`, for the summary. */
  idConversions: Map<string, number>;
  /** Target table → the lowest value its sequence may hand out next minus one (SQLite AUTOINCREMENT). */
  sequenceFloors: Map<string, bigint>;
  /** The source file's schema objects and how PostgreSQL is to have each (SQLite direct copy). */
  schemaObjects?: SourceObject[];
  /** Source tables recognised and not copied (`_prisma_migrations`), with the reason, for the summary. */
  notCopied: readonly SkippedTable[];
  /**
   * The source's own check of its references, for the log (SQLite: `PRAGMA foreign_key_check`),
   * run after the orphan sweep: on the tables whose foreign keys the sweep does not check, and
   * on the tables of the models given (those with a rejected document or a repaired or kept
   * reference). A row of any other table is in the target, and the sweep has found each of its
   * keys' parents there, so the source's check could only repeat "ok"; on a 5M-row file it cost
   * 14 s. A clean file whose keys all became relations costs nothing here, instead of a parent
   * lookup per row before the first row.
   */
  sourceReferenceCheck?(withFindings: ReadonlySet<string>): { tables: string[]; problems: string[] };
}

/**
 * Reads the target schema (the Prisma file, or for a direct SQLite copy one generated from
 * the SQLite schema), opens the source and plans. The one place that knows which kind of
 * source converts values which way.
 */
export async function openSession(config: MigrationConfig, logger: Logger): Promise<Session> {
  const source = await openSource(config.source);
  try {
    const direct = config.source.kind === 'sqlite' && config.source.mode === 'direct';
    let schemaText: string;
    let generatedWarnings: string[] = [];
    // The direct copy reads each table and column by its exact SQLite name, whatever the model calls it.
    const sourceNames = new Map<string, { table: string; fields: Record<string, string> }>();
    const notCopied = source.kind === 'sqlite' ? (source as SqliteSource).notCopied : [];
    for (const t of notCopied) logger.warn(`        ${t.name}: not copied: ${t.reason}`);
    let only = config.only;
    let selectedTables: ReadonlySet<string> | undefined;
    if (direct && config.source.kind === 'sqlite') {
      const sqlite = source as SqliteSource;
      const selection = selectSqliteTables(sqlite.tables, config.only);
      if (selection) {
        selectedTables = selection.tables;
        only = selection.models;
      }
      const generated = prismaSchemaFromSqlite(
        sqlite.tables,
        typeRulesOf(config.source.typeRules),
        selectedTables,
      );
      for (const w of generated.warnings) logger.warn(`        ${w}`);
      generatedWarnings = generated.warnings;
      for (const [table, names] of generated.models) sourceNames.set(names.model, { table, fields: Object.fromEntries([...names.fields].map(([column, field]) => [field, column])) });
      schemaText = generated.schema;
      if (config.source.emitPrisma) writeOut(config.source.emitPrisma, schemaText, logger, 'Prisma schema');
    } else {
      schemaText = readSchemaFile(config.schema);
    }
    const dmmf = readDmmf(schemaText, direct ? 'the schema generated from SQLite' : config.schema);
    const graph = buildModelGraph(dmmf);
    checkIdentifierLengths(graph, new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name])));
    refuseOtherSchemas(dmmf);
    if (direct && config.source.kind === 'sqlite' && config.source.emitZero) writeOut(config.source.emitZero, zeroSchemaFromGraph(graph), logger, 'Zero schema');
    const ddl = await renderDdl(schemaText);
    const collectionOf: Record<string, string> = {
      ...Object.fromEntries([...sourceNames].map(([model, names]) => [model, names.table])),
      ...Object.fromEntries(Object.entries(config.models).flatMap(([m, s]) => (s.collection ? [[m, s.collection]] : []))),
    };
    // Tables left out by --models are not read at all: no "no model reads it" for them either.
    const collections = (await source.collections()).filter((c) => !selectedTables || selectedTables.has(c));
    const transformersFile = direct ? undefined : transformersModule(config.transformers, config.schema);
    if (transformersFile) logger.info(`        transformers: ${transformersFile}`);
    const transformers = await loadTransformers(transformersFile, new Set(graph.models.keys()), config.schema);
    const planned = planMigration({
      graph,
      collections,
      transformers,
      collectionOf,
      phases: config.phases,
      only,
      embedded: planEmbedded(graph, config.models, transformers, { sourceKind: config.source.kind, transformersFile }),
    });
    await refuseUnrelatedSource(source, planned, collections, direct ? source.identity : config.schema, (m) => collectionOf[m] ?? graph.models.get(m)?.table ?? m);
    const plan = await unreadableAsBadInput(source, () =>
      resolveLinkSources({ graph, plan: planned, source, junctions: config.junctions ?? {}, partial: (config.only?.length ?? 0) > 0, renames: (m) => ({ ...sourceNames.get(m)?.fields, ...config.models[m]?.fields }) }),
    );
    // A table no array fills, unless config says so on purpose, is a warning: its rows would be lost silently.
    describeLinks(plan).forEach((line, i) => {
      const link = plan.links?.[i];
      if (link && link.fills.length === 0 && !link.configured) logger.warn(`        ${line}`);
      else logger.info(`        ${line}`);
    });
    for (const line of describeEmbedded(plan)) logger.info(`        ${line}`);
    for (const m of plan.unsourced) logger.warn(`        ${m}: no source collection and no transformer derives it; it will stay empty`);
    for (const c of plan.unmapped) logger.warn(`        collection ${c}: no model reads it${embeddedOver(plan, graph, c)}`);
    // Checked before anything is touched: a bad references entry is a ConfigError.
    const references = planReferences(graph, config, new Set(plan.phases.flat().flatMap((p) => p.derived.map((d) => d.model))));
    const deletedMarks = planDeletedMarks(graph, config.models);
    const idConversions = new Map<string, number>();
    const countIdColumn = (key: string) => idConversions.set(key, (idConversions.get(key) ?? 0) + 1);
    const coercions = new Map<string, number>();
    // Counted per rule and column; the log gets the first few of each as examples, not a line per value.
    const tally = (key: string): boolean => {
      const n = (coercions.get(key) ?? 0) + 1;
      coercions.set(key, n);
      return n <= COERCION_EXAMPLES;
    };
    const sqliteCoercion = (c: Coercion): void => {
      const key = `${c.table}.${c.column}: ${c.rule}`;
      if (tally(key)) logger.debug(`coercion ${c.table}.${c.column} (${c.rule}): ${c.from} → ${c.to}`);
    };
    const converter = sourceConverter(config.source, {
      sqlite: sqliteCoercion,
      bson: (c) => {
        const key = `${c.collection}.${c.field}: ${c.rule}`;
        if (tally(key)) logger.debug(`coercion ${key}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`);
      },
    });
    const renamesOf = (p: { model: string }) => ({ ...sourceNames.get(p.model)?.fields, ...config.models[p.model]?.fields });
    const idFieldsOf = (p: ModelPlan): string[] => (source.kind === 'sqlite' ? [...((source as SqliteSource).tables.find((t) => t.name === p.collection)?.primaryKey ?? [])] : []);
    const sequenceFloors = new Map<string, bigint>();
    let schemaObjects: SourceObject[] | undefined;
    if (direct && config.source.kind === 'sqlite') {
      const sqlite = source as SqliteSource;
      const modelOf = (table: string) => {
        const model = [...sourceNames].find(([, n]) => n.table === table)?.[0];
        return model === undefined ? undefined : graph.models.get(model);
      };
      schemaObjects = sqliteSchemaObjects(sqlite.tables, sqlite.objects, {
        table: (t) => modelOf(t)?.table,
        column: (t, c) => {
          const model = modelOf(t);
          const field = Object.entries(sourceNames.get(model?.name ?? '')?.fields ?? {}).find(([, column]) => column === c)?.[0];
          return model?.columns.find((x) => x.field === field)?.column;
        },
      }, generatedWarnings, typeRulesOf(config.source.typeRules));
    }
    if (direct) {
      for (const [model, names] of sourceNames) {
        const seq = (source as SqliteSource).autoincrementSeq.get(names.table);
        const table = graph.models.get(model)?.table;
        if (seq !== undefined && table) sequenceFloors.set(table, seq);
      }
    }
    const sourceReferenceCheck = source.kind === 'sqlite' ? sqliteReferenceCheck(source as SqliteSource, plan, graph, renamesOf) : undefined;
    return {
      ...(schemaObjects ? { schemaObjects } : {}),
      ...(sourceReferenceCheck ? { sourceReferenceCheck } : {}),
      notCopied,
      sequenceFloors,
      schemaText,
      schemaFile: direct ? `the schema generated from ${source.identity}` : config.schema,
      graph,
      ddl,
      source,
      plan,
      coercions,
      noteCoercions: (key, count, examples) => {
        for (const c of examples) sqliteCoercion(c);
        coercions.set(key, (coercions.get(key) ?? 0) + count - examples.length);
      },
      references,
      deletedMarks,
      idConversions,
      fieldsFor: (p) => ({
        collection: p.collection,
        converter,
        renames: renamesOf(p),
        idColumns: direct ? undefined : references.idColumns.get(p.model),
        countIdColumn,
        links: p.junctions.map((f) => ({
          key: linkKey(f),
          ...(f.sourceField === undefined ? {} : { field: f.sourceField }),
          relationField: f.ownerColumn === 'A' ? f.junction.a.field : f.junction.b.field,
          otherModel: f.ownerColumn === 'A' ? f.junction.b.model : f.junction.a.model,
        })),
        // An element's fields are read like a document's, by the child's own renames (relative to the element).
        embedded: p.embedded.map((child) => ({
          child,
          model: requireModel(graph, child.model),
          fields: { collection: p.collection, converter, renames: renamesOf(child), idColumns: references.idColumns.get(child.model), countIdColumn },
        })),
      }),
      // A SQLite row's `_id` is made of its primary key columns: those are read, as the id.
      fieldCounter: (p) =>
        new FieldCounter(requireModel(graph, p.model), p, renamesOf(p), config.models[p.model]?.ignore ?? [], {
          idFields: idFieldsOf(p),
          embedded: p.embedded.map((child) => ({ child, model: requireModel(graph, child.model), renames: renamesOf(child), ignore: config.models[child.model]?.ignore ?? [] })),
        }),
      // Only a model with nothing but its own row: one an embedded model, links or derived rows need the main thread.
      // And only SQLite's rows: BSON documents hold class instances (ObjectId, Decimal128) a structured clone does not keep.
      workerRecipe: (p) =>
        config.source.kind !== 'sqlite' || p.custom || p.embedded.length > 0 || p.derived.length > 0 || p.junctions.length > 0
          ? undefined
          : {
              // The worker's own reader of the same source: the checks this one made are not repeated.
              source: { ...config.source, integrityCheck: 'off', force: true },
              ids: { strategy: config.ids.strategy, namespace: config.ids.namespace },
              graph,
              plan: { model: p.model, collection: p.collection },
              renames: renamesOf(p),
              ignore: config.models[p.model]?.ignore ?? [],
              idFields: idFieldsOf(p),
              ...(direct ? {} : { idColumns: references.idColumns.get(p.model) }),
            },
    };
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** SQLite's foreign_key_check where the sweep is blind (see unswept-foreign-keys.ts), and on the tables the run found something in. */
function sqliteReferenceCheck(source: SqliteSource, plan: Plan, graph: ModelGraph, renames: (p: ModelPlan) => Record<string, string>): (withFindings: ReadonlySet<string>) => { tables: string[]; problems: string[] } {
  const plans = plan.phases.flat();
  const copied = new Set(plans.map((p) => p.collection));
  const withKeys = source.tables.filter((t) => copied.has(t.name) && t.foreignKeys.length > 0).map((t) => t.name);
  const unswept = new Set(unsweptForeignKeyTables(source.tables, plans, graph, renames));
  return (withFindings) => {
    const found = new Set(plans.filter((p) => withFindings.has(p.model)).map((p) => p.collection));
    // In the file's table order; the unswept tables are copied tables with keys too.
    const tables = withKeys.filter((t) => unswept.has(t) || found.has(t));
    return { tables, problems: tables.length > 0 ? source.foreignKeyProblems(tables) : [] };
  };
}

/** The config's type rules as casting rules, ahead of the defaults. */
function typeRulesOf(rules: readonly { declared?: string | undefined; column?: string | undefined; type: string }[]): TypeRule[] {
  return rules.map((r) => ({ name: `config: ${r.declared ?? r.column ?? '*'}`, ...(r.declared ? { declared: new RegExp(r.declared, 'i') } : {}), ...(r.column ? { column: r.column } : {}), type: () => r.type }));
}

function readSchemaFile(path: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new ConfigError(`the Prisma schema ${path} does not exist (set schema: in the config or --schema)`);
  return readFileSync(path, 'utf8');
}

function requireModel(graph: ModelGraph, name: string): ModelSpec {
  const model = graph.models.get(name);
  if (!model) throw new Error(`the Prisma schema has no model ${name}`);
  return model;
}

function writeOut(path: string, text: string, logger: Logger, what: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  logger.info(`        ${what} written to ${path}`);
}
