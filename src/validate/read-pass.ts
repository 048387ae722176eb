import type pg from 'pg';
import type { FieldCounter } from '../accounting/field-accounting.ts';
import { buildRowCheck } from '../check/row-check.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import { createIdMapper } from '../ids/id-mapper.ts';
import { createPreparer, type Preparer } from '../load/prepare.ts';
import type { Logger } from '../log/logger.ts';
import type { ModelPlan } from '../plan/plan.ts';
import { openSession, type Session } from '../run/session.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../target/embedded-postgres.ts';
import { fillIdMap } from '../target/id-identity.ts';
import { heldWarning, readRunLockHolder, type LockHolder } from '../target/run-lock.ts';
import { validationPool } from './pg-readers.ts';
import { createSourceIdTable } from './source-pass.ts';

/** What a command that reads source and target again (validate, baseline) works with. */
export interface ReadPass {
  session: Session;
  client: pg.PoolClient;
  /** The target's URL (the embedded server's when the config names none). */
  url: string;
  /** Who held the run lock as the pass started, if anyone. */
  holder: LockHolder | undefined;
  /** A preparer that transforms a model's documents exactly as the migration did. */
  preparer(plan: ModelPlan, counter?: FieldCounter): Preparer;
  close(): Promise<void>;
}

/**
 * Opens the source (the session) and one reading client on the target, with the session's
 * `validate_source_ids` table made. It takes no run lock and does not wait for one, but warns
 * who holds it, as the results may move under it.
 */
export async function openReadPass(config: MigrationConfig, logger: Logger): Promise<ReadPass> {
  const session = await openSession(config, logger);
  let embedded: EmbeddedServer | undefined;
  let pool: pg.Pool | undefined;
  let client: pg.PoolClient | undefined;
  const close = async () => {
    client?.release();
    await pool?.end();
    await session.source.close();
    await embedded?.stop();
  };
  try {
    if (!config.target.url) embedded = await startEmbeddedPostgres();
    const url = config.target.url ?? embedded?.url ?? '';
    pool = validationPool(url);
    client = await pool.connect();
    const holder = await readRunLockHolder(client);
    if (holder) logger.warn(heldWarning(holder));
    await createSourceIdTable(client);
    // The id map is read whole below: a direct copy's rows that are their own keys are written out first.
    await fillIdMap(pool);
    const ids = createIdMapper(config.ids.strategy, config.ids.namespace);
    const checks = new Map([...session.graph.models.values()].map((m) => [m.name, buildRowCheck(m)]));
    return {
      session,
      client,
      url,
      holder,
      preparer: (plan, counter) => createPreparer(session.graph, plan, ids, checks, session.fieldsFor(plan), counter ?? session.fieldCounter(plan)),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
