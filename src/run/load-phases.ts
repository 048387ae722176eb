import type { RowCheck } from '../check/row-check.ts';
import { buildRowCheck } from '../check/row-check.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import { createIdMapper } from '../ids/id-mapper.ts';
import { loadModel } from '../load/model-loader.ts';
import { createPreparer } from '../load/prepare.ts';
import { PreparePool, workersAvailable } from '../load/worker-batches.ts';
import type { ModelPlan, Plan } from '../plan/plan.ts';
import type { ModelGraph } from '../schema/model-graph.ts';
import type { Source } from '../sources/source.ts';
import { quoteIdent } from '../target/identifiers.ts';
import type { WriteTx, Writer } from '../target/writer.ts';
import type { CheckpointMirror } from './checkpoint-mirror.ts';
import type { MigrateOptions, RunTimings } from './migrate.ts';
import { createProgressDisplay } from './progress-display.ts';
import type { RunState } from './run-state.ts';
import type { Session } from './session.ts';

export interface PhaseInput {
  plan: Plan;
  graph: ModelGraph;
  source: Source;
  writer: Writer;
  state: RunState;
  mirror: CheckpointMirror;
  config: MigrationConfig;
  options: MigrateOptions;
  serverOf: (error: unknown) => string;
  timings: RunTimings;
  session: Session;
}

/** Phases in order; inside a phase, up to `parallelism` models at once. */
export async function loadPhases(input: PhaseInput): Promise<void> {
  const { graph, config, options } = input;
  const ids = createIdMapper(config.ids.strategy, config.ids.namespace);
  const checks = new Map<string, RowCheck>([...graph.models.values()].map((m) => [m.name, buildRowCheck(m)]));
  const display = createProgressDisplay(options.logger, options.interactive);
  const threaded = config.workers !== 'off' && input.writer.lines && workersAvailable() ? input.plan.phases.flat().filter((p) => inWorker(input, p)).length : 0;
  const pool = threaded > 0 ? new PreparePool() : undefined;
  pool?.warm(Math.min(config.parallelism, threaded));
  try {
    for (const [i, phase] of input.plan.phases.entries()) {
      options.logger.info(`        phase ${i + 1}/${input.plan.phases.length}: ${phase.map((p) => p.model).join(', ')}`);
      const queue = [...phase];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          options.signal.throwIfAborted();
          await loadOne(next, input, ids, checks, display, pool);
        }
      };
      // Every worker finishes its batch in flight before the phase reports a pause or a failure.
      const settled = await Promise.allSettled(Array.from({ length: Math.min(config.parallelism, phase.length) }, worker));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } finally {
    display.stop();
    await pool?.close();
  }
}

async function loadOne(
  plan: ModelPlan,
  input: PhaseInput,
  ids: ReturnType<typeof createIdMapper>,
  checks: ReadonlyMap<string, RowCheck>,
  display: ReturnType<typeof createProgressDisplay>,
  pool: PreparePool | undefined,
): Promise<void> {
  const { state, mirror, config, options } = input;
  const row = mirror.model(plan.model);
  display.start(plan.model, row?.source_count ?? 0, row?.read ?? 0);
  const fields = input.session.fieldCounter(plan);
  const sourceFields = input.session.fieldsFor(plan);
  const recipe = pool && inWorker(input, plan) ? input.session.workerRecipe(plan) : undefined;
  if (recipe) options.logger.debug(`${plan.model}: read and prepared in a worker thread`);
  await loadModel({
    runId: state.runId,
    plan,
    graph: input.graph,
    source: input.source,
    writer: input.writer,
    preparer: createPreparer(input.graph, plan, ids, checks, sourceFields, fields, { lines: input.writer.lines }),
    fields,
    ...(recipe && pool
      ? {
          worker: {
            pool,
            recipe,
            slowPreparer: createPreparer(input.graph, plan, ids, checks, sourceFields, undefined, { lines: input.writer.lines }),
            countIdColumn: sourceFields.countIdColumn,
            noteCoercions: input.session.noteCoercions,
            onHandBack: (prepared: number) =>
              options.logger.debug(
                prepared === 0
                  ? `${plan.model}: prepared in the main thread (its rows cannot be compiled to COPY lines)`
                  : `${plan.model}: prepared in the main thread after ${prepared} batches (a document the worker could not find again by its id)`,
              ),
          },
        }
      : {}),
    batchSize: config.batchSize,
    keepIds: config.ids.strategy === 'keep',
    retry: config.retry,
    signal: options.signal,
    logger: options.logger,
    serverOf: input.serverOf,
    ...(config.transactions === 'table' ? { wholeTable: wholeTableReset(input.graph, plan, state.runId) } : {}),
    readCheckpoint: () => state.checkpoint(plan.model),
    markLoaded: async () => {
      await state.markLoaded(plan.model);
      mirror.update(plan.model, { status: 'loaded' });
      mirror.write('running', 'load');
    },
    onBatch: (stats, cursor) => {
      const current = mirror.model(plan.model);
      if (current) {
        mirror.update(plan.model, {
          status: 'loading',
          cursor,
          read: current.read + stats.read,
          written: current.written + stats.written,
          rejected: current.rejected + stats.rejected,
          skipped: current.skipped + stats.skipped,
        });
      }
      const fileStarted = performance.now();
      mirror.writeSoon();
      input.timings.batches++;
      input.timings.batchSeconds += stats.seconds;
      input.timings.stateSeconds += stats.stateSeconds;
      input.timings.fileSeconds += (performance.now() - fileStarted) / 1000;
      display.advance(plan.model, mirror.model(plan.model)?.read ?? 0);
    },
  });
  display.finish(plan.model);
}

/**
 * A worker thread's start-up (its modules) costs about what 50,000 rows cost in one thread: a
 * smaller table is prepared here, so a small file is not slower for the threads.
 */
export const WORKER_MIN_ROWS = 50_000;

function inWorker(input: PhaseInput, plan: ModelPlan): boolean {
  const row = input.mirror.model(plan.model);
  // Still to read: a resumed table's rows already in are not read again.
  const big = input.config.workers === 'always' || (row?.source_count ?? 0) - (row?.read ?? 0) >= WORKER_MIN_ROWS;
  return big && input.session.workerRecipe(plan) !== undefined;
}

/** What a whole-table load empties first, inside its own transaction: its tables and its bookkeeping. */
function wholeTableReset(graph: ModelGraph, plan: ModelPlan, runId: string): { reset(tx: WriteTx): Promise<void>; markLoaded(tx: WriteTx): Promise<void> } {
  const tables = [plan.model, ...plan.derived.map((d) => d.model)].map((m) => graph.models.get(m)?.table ?? m).concat(
    // A junction filled from both sides also holds the other side's pairs; this side's come back (skipping what is there).
    plan.junctions.filter((j) => !j.union).map((j) => j.junction.table),
  );
  return {
    async reset(tx) {
      await tx.query(`TRUNCATE ${tables.map(quoteIdent).join(', ')}`);
      await tx.query(`DELETE FROM _migration.id_map WHERE model = $1`, [plan.model]);
      await tx.query(`DELETE FROM _migration.id_identity WHERE model = $1`, [plan.model]);
      await tx.query(`DELETE FROM _migration.rejected WHERE model = $1 AND resolved_at IS NULL`, [plan.model]);
      await tx.query(`DELETE FROM _migration.fields WHERE run_id = $1 AND model = $2`, [runId, plan.model]);
      await tx.query(`UPDATE _migration.progress SET cursor = NULL, read = 0, written = 0, rejected = 0, skipped = 0, batches = 0, seconds = 0 WHERE run_id = $1 AND model = $2`, [runId, plan.model]);
    },
    async markLoaded(tx) {
      await tx.query(`UPDATE _migration.progress SET status = 'loaded', updated_at = now() WHERE run_id = $1 AND model = $2`, [runId, plan.model]);
    },
  };
}
