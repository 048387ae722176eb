import type { MigrationConfig } from '../config/config-schema.ts';
import { completeLoad, DEFAULT_BUILD } from '../load/complete.ts';
import { createSchemaObjects } from '../load/create-objects.ts';
import type { Logger } from '../log/logger.ts';
import { maskUrl } from '../log/mask.ts';
import { connectTarget, TARGET_POOL_SIZE, type Target } from '../target/connection.ts';
import { createCopyWriter } from '../target/copy-writer.ts';
import { holdBackForeignKeys, prepareTargetSchema } from '../target/prepare-schema.ts';
import { createPrismaWriter } from '../target/prisma-writer.ts';
import { loadedTables, resetTarget, targetSchema } from '../target/restart.ts';
import { retryTransient } from '../target/retry.ts';
import { acquireRunLock, type RunLock } from '../target/run-lock.ts';
import { ensureStateSchema, holdBackIdMapIndexes } from '../target/state-schema.ts';
import type { Writer } from '../target/writer.ts';
import { checkpointPath, type CheckpointFile } from './checkpoint-file.ts';
import { CheckpointMirror } from './checkpoint-mirror.ts';
import { finishRun } from './finish-run.ts';
import { formatPlan } from './format-plan.ts';
import type { RunSummary } from './summary.ts';
import { modelsWithFindings } from './reference-report.ts';
import { loadPhases } from './load-phases.ts';
import { openRun } from './open-run.ts';
import { rollbackInstructions } from './rollback.ts';
import { defaultRunId, hashConfig } from './run-identity.ts';
import { RunState } from './run-state.ts';
import { runOptionsOf } from './run-options.ts';
import { openSession } from './session.ts';
import { shellQuote } from './shell-quote.ts';
import { countSource } from './source-preflight.ts';
import { ensureWritableDir } from './writable-dir.ts';

export interface MigrateOptions {
  config: MigrationConfig;
  dryRun?: boolean;
  /** Resume even if the config, source or target changed since the run started. */
  force?: boolean;
  /** Empty what the migrator loaded and start over (after `confirm`). */
  restart?: boolean;
  /** The checkpoint file named with --resume. */
  resumeFile?: CheckpointFile;
  /** Asks the user; the CLI answers from a prompt or from --yes. */
  confirm?: (question: string) => Promise<boolean>;
  signal: AbortSignal;
  logger: Logger;
  /** Where tables and the plan go (stdout in the CLI). */
  print: (text: string) => void;
  /** The command that resumes this run, shell-quoted, without --resume; `--resume <file>` is added to it. */
  resumeCommand: string;
  interactive?: boolean;
}

export type MigrateStatus = 'completed' | 'paused' | 'planned' | 'refused';

/** Where a run's time went; the benchmark reports the cost of checkpointing from it. */
export interface RunTimings {
  batches: number;
  /** Transform, check and write, per batch, summed. */
  batchSeconds: number;
  /** Id map, rejections and progress row inside each batch's transaction, summed. */
  stateSeconds: number;
  /** Rewriting the checkpoint file after each commit, summed. */
  fileSeconds: number;
}

export interface MigrateResult {
  status: MigrateStatus;
  timings?: RunTimings;
  runId?: string;
  summary?: RunSummary;
  checkpointFile?: string;
  rejectedFile?: string;
  targetUrl?: string;
  message?: string;
}

/**
 * The whole migration, in the order it happens. The library returns a result; only the
 * CLI turns it into an exit code.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const { config, logger } = options;
  const started = performance.now();

  logger.info('STEP 1  read the Prisma schema, open the source, plan');
  const session = await openSession(config, logger);
  const { schemaText, graph, ddl, source, plan } = session;
  logger.info(`        ${graph.models.size} models, ${graph.junctions.length + (graph.explicitJunctions?.length ?? 0)} many-to-many tables (${graph.explicitJunctions?.length ?? 0} of them junction models), ${ddl.foreignKeys.length} foreign keys; source: ${source.identity}`);
  let target: Target | undefined;
  let writer: Writer | undefined;
  let lock: RunLock | undefined;
  try {
    if (options.dryRun) {
      options.print(formatPlan(plan, ddl, { graph, policies: session.references }));
      return { status: 'planned' };
    }
    logger.info('        counting source records');
    const counts = await countSource(source, plan);

    // Checked before the target is touched: finding them unwritable at the first commit would
    // leave tables created and a run started with no checkpoint file to resume it by.
    ensureWritableDir(config.checkpointDir, 'checkpoint folder (checkpointDir)');
    ensureWritableDir(config.logDir, 'log folder (logDir)');

    logger.info('STEP 2  prepare the target');
    target = await connectTarget(config.target.url);
    logger.info(`        target: ${maskUrl(target.url)}${target.embedded ? ` (embedded PostgreSQL, data in ${target.embedded.dataDir})` : ''}`);
    const runId = options.resumeFile?.runId ?? config.runId ?? defaultRunId(config, source, target.url);
    // One run per target, decided before the first statement that changes it.
    const taken = await acquireRunLock(target.url, { command: 'migrate', runId }, { retry: config.retry, warn: (m) => logger.warn(m) });
    if (taken.kind === 'refused') return { status: 'refused', runId, message: taken.message };
    lock = taken.lock;
    const schema = await targetSchema(target.pool);
    await ensureStateSchema(target.pool);
    if (options.restart) {
      const tables = await loadedTables(target.pool);
      const question = `--restart empties ${tables.length} table(s) the migrator loaded in ${maskUrl(target.url)} (${tables.join(', ') || 'none yet'}) and forgets every run, id mapping and rejection there. Continue?`;
      if (!(await (options.confirm ?? (async () => false))(question))) {
        return { status: 'refused', message: 'restart not confirmed (pass --yes to confirm in scripts)' };
      }
      const shared = plan.phases.flat().flatMap((p) => p.junctions.filter((j) => j.union).map((j) => j.junction.table));
      await resetTarget(target.pool, tables, { wholeTables: config.transactions === 'table', shared });
      logger.info(`        restart: emptied ${tables.length} table(s) and the migration state`);
    }
    const origin = await prepareTargetSchema(target.pool, graph, ddl, session.schemaFile);
    logger.info(origin === 'created' ? '        created tables, primary keys and unique indexes from the Prisma schema' : '        tables exist and match the schema; foreign keys held back until the load is done');

    const allPlans = plan.phases.flat();
    const configHash = hashConfig(config, schemaText, source.identity, maskUrl(target.url));
    const state = new RunState(target.pool, runId);
    const opened = await openRun({ state, configHash, source, target: maskUrl(target.url), plans: allPlans, force: options.force === true, resumeFile: options.resumeFile, counts, logger });
    if (opened.kind === 'refused') return { status: 'refused', runId, message: opened.message };
    await state.recordOptions(runOptionsOf(config));
    if (opened.kind === 'completed') logger.info(`        run ${runId} already completed; nothing to do (use --restart to run it again)`);
    const serverOf = (error: unknown) => (/^Mongo/.test((error as { name?: string } | null)?.name ?? '') ? `MongoDB (${source.identity})` : `PostgreSQL (${maskUrl(target?.url ?? '')})`);

    const timings: RunTimings = { batches: 0, batchSeconds: 0, stateSeconds: 0, fileSeconds: 0 };
    const resumeCommand = `${options.resumeCommand} --resume ${shellQuote(checkpointPath(config.checkpointDir, runId))}`;
    const mirror = new CheckpointMirror(config.checkpointDir, { runId, configHash, source: source.identity, target: maskUrl(target.url), resumeCommand }, await state.progress());
    writer = config.writer === 'prisma' ? await createPrismaWriter(target.url, config.prismaClient) : createCopyWriter(target.pool);

    let refusals = new Map<string, string>();
    if (opened.kind !== 'completed') {
      if (origin === 'existing') await holdBackForeignKeys(target.pool, ddl);
      // A restart, or a resume with tables still to load: the id map is indexed after the load, not per row.
      if (origin === 'existing' && (await state.progress()).some((p) => p.status !== 'loaded')) await holdBackIdMapIndexes(target.pool);
      await state.setStatus('running', 'load');
      mirror.write('running', 'load');
      logger.info(`STEP 3  copy the data (${config.writer} writer, batches of ${config.batchSize})`);
      try {
        // A lost lock stops the load like a pause, after the batches in flight.
        const signal = AbortSignal.any([options.signal, lock.lost]);
        await loadPhases({ plan, graph, source, writer, state, mirror, config, options: { ...options, signal }, serverOf, timings, session });
      } catch (error) {
        // Another process may own the run now: leave its state alone.
        lock.assertHeld();
        if (options.signal.aborted) {
          await state.setStatus('paused');
          const file = mirror.write('paused', 'load', await state.progress());
          logger.warn(`paused: every committed batch is safe. Resume with:\n    ${resumeCommand}`);
          return { status: 'paused', runId, checkpointFile: file, targetUrl: target.url, timings };
        }
        await state.setStatus('failed');
        const progress = await state.progress();
        mirror.write('failed', 'load', progress);
        // Some tables full and others empty is a failed run, never a result: say which, and how to go on.
        const loaded = progress.filter((p) => p.status === 'loaded').map((p) => p.model);
        const unfinished = progress.filter((p) => p.status !== 'loaded').map((p) => p.model);
        logger.warn(
          `        the load stopped with ${loaded.length} of ${progress.length} table(s) loaded (${loaded.join(', ') || 'none'}); not loaded: ${unfinished.join(', ')}. The run is marked failed; fix the cause below, then resume with:\n    ${resumeCommand}`,
        );
        throw error;
      }

      lock.assertHeld();
      logger.info('STEP 4  reject dangling references, build indexes, add foreign keys');
      await state.setStatus('running', 'complete');
      mirror.write('running', 'complete');
      const completeInput = { pool: target.pool, graph, plans: allPlans, ddl, source, runId, logger, sequenceFloors: session.sequenceFloors, references: session.references };
      // As many builds at once as models load at once; one pool connection stays for the sweep.
      const buildConnections = Math.max(1, Math.min(config.parallelism, TARGET_POOL_SIZE - 1));
      // Each step of the completion is idempotent: a dropped connection repeats it from the start.
      const completed = await retryTransient(async () => {
        const done = await completeLoad(completeInput, { ...DEFAULT_BUILD, connections: buildConnections });
        // Views, CHECKs, expression and partial indexes, generated columns: after the rows they must satisfy.
        if (session.schemaObjects) refusals = await createSchemaObjects(completeInput.pool, session.schemaObjects, logger);
        return done;
      }, {
        retries: config.retry.retries,
        minTimeout: config.retry.minDelayMs,
        maxTimeout: config.retry.maxDelayMs,
        onFailedAttempt: ({ error, retriesLeft }) => {
          logger.warn(`        ${serverOf(error)}: ${error.message}; repeating the step (${retriesLeft} retries left)`);
        },
      });
      if (completed.rejected > 0) logger.info(`        ${completed.rejected} document(s) rejected for dangling references`);
      if (completed.repaired > 0) logger.info(`        ${completed.repaired} optional reference(s) set NULL or link(s) dropped instead (logged in _migration.repairs)`);
      if (completed.kept > 0) logger.warn(`        ${completed.kept} reference(s) point at rows that are not in the target and were kept (id columns without a relation, onMissing: keep)`);
      // The source's own reference check, only where the sweep cannot see, or where the run found something.
      const checked = session.sourceReferenceCheck && session.sourceReferenceCheck(await modelsWithFindings(target.pool, runId));
      if (checked && checked.tables.length > 0) logger.info(`        ${source.identity}: foreign_key_check on ${checked.tables.join(', ')}: ${checked.problems.length === 0 ? 'ok' : 'rows without a parent below'}`);
      for (const p of checked?.problems ?? []) logger.warn(`        foreign_key_check: ${p}`);
    }

    lock.assertHeld();
    logger.info('STEP 5  summary');
    const { summary, checkpointFile, rejectedFile } = await finishRun({ config, logger, print: options.print, session, target, state, mirror, runId, plans: allPlans, since: opened.kind === 'completed' ? undefined : opened.fingerprint, refusals, seconds: (performance.now() - started) / 1000, serverOf });
    logger.info(rollbackInstructions(maskUrl(target.url), schema, await loadedTables(target.pool), [...graph.enums.keys()]));
    if (target.embedded) logger.info(`target database (embedded): ${target.url} — start it again with: npm run db:embedded`);
    return { status: 'completed', runId, summary, checkpointFile, rejectedFile, targetUrl: target.url, timings };
  } finally {
    await writer?.close();
    // Released before the target closes: an embedded server stopping would drop it anyway.
    await lock?.release();
    await target?.close();
    await source.close();
  }
}
