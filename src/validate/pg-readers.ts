import pg from 'pg';
import type { MigrationConfig } from '../config/config-schema.ts';
import type { Logger } from '../log/logger.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../target/embedded-postgres.ts';
import { heldWarning, readRunLockHolder, type LockHolder } from '../target/run-lock.ts';
import { parseIsoDate } from '../transform/convert.ts';

/**
 * node-postgres reads `date` and `timestamp without time zone` in the machine's local time
 * zone. Validation must not depend on where it runs: dates stay text, timestamps are UTC.
 */
/** PostgreSQL's ISO output (`2024-01-01 10:00:00.123456+02`, `…Z` added for zone-less) as a date with its microseconds. */
function timestampText(text: string): Date | string {
  const iso = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00').replace(/([+-]\d\d):?(\d\d):\d\d$/, '$1:$2');
  return parseIsoDate(iso) ?? text;
}

export function validationPool(url: string): pg.Pool {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === 1082) return (text: string) => text;
      // Timestamps keep their microseconds (a JavaScript Date alone stops at milliseconds).
      if (oid === 1114) return (text: string) => timestampText(`${text}Z`);
      if (oid === 1184) return (text: string) => timestampText(text);
      return pg.types.getTypeParser(oid, format);
    },
  } as unknown as pg.CustomTypesConfig;
  const pool = new pg.Pool({ connectionString: url, max: 3, types, application_name: 'prisma-pg-migrator validate' });
  pool.on('error', () => {});
  return pool;
}

/** A reading session on the target: one client, who holds the run lock (if anyone), and how to let go. */
export interface ReadTarget {
  client: pg.PoolClient;
  /** The target's URL (the embedded server's when the config names none). */
  url: string;
  holder: LockHolder | undefined;
  close(): Promise<void>;
}

/**
 * Connects to the target for a command that only reads (validate, baseline): it takes no run
 * lock and does not wait for one, but warns who holds it, as the results may move under it.
 */
export async function openReadTarget(config: MigrationConfig, logger: Logger): Promise<ReadTarget> {
  const embedded: EmbeddedServer | undefined = config.target.url ? undefined : await startEmbeddedPostgres();
  const url = config.target.url ?? embedded?.url ?? '';
  const pool = validationPool(url);
  const close = async (client?: pg.PoolClient) => {
    client?.release();
    await pool.end();
    await embedded?.stop();
  };
  let client: pg.PoolClient | undefined;
  try {
    client = await pool.connect();
    const holder = await readRunLockHolder(client);
    if (holder) logger.warn(heldWarning(holder));
    const connected = client;
    return { client, url, holder, close: () => close(connected) };
  } catch (error) {
    await close(client);
    throw error;
  }
}
