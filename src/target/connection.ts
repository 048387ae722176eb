import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres.ts';

export interface Target {
  url: string;
  pool: pg.Pool;
  embedded?: EmbeddedServer;
  close(): Promise<void>;
}

/** Connections to the target: one per model loading in parallel (or per index build in STEP 4), plus one for bookkeeping. */
export const TARGET_POOL_SIZE = 4;

/**
 * Connects to `url`, or with no URL starts the embedded server. The pool is small on
 * purpose: one connection per model loading in parallel, plus one for bookkeeping.
 */
export async function connectTarget(url: string | undefined, poolSize = TARGET_POOL_SIZE): Promise<Target> {
  const embedded = url ? undefined : await startEmbeddedPostgres();
  const connectionString = url ?? embedded?.url ?? '';
  // synchronous_commit off: a commit returns before its WAL is flushed. A server crash can then
  // lose the last few batches, but each batch carries its own checkpoint in the same
  // transaction, so they are lost together and the resume loads them again. Nothing is torn.
  const pool = new pg.Pool({ connectionString, max: poolSize, application_name: 'prisma-pg-migrator', options: '-c synchronous_commit=off' });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // A checked-out client has no pool listener: a server that terminates it between two
  // statements would otherwise crash the process. The pending query still gets the error.
  pool.on('connect', (client) => client.on('error', () => {}));
  await pool.query('SELECT 1');
  const target: Target = {
    url: connectionString,
    pool,
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
  if (embedded) target.embedded = embedded;
  return target;
}
