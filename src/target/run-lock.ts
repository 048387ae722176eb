import { hostname } from 'node:os';
import pg from 'pg';
import { maskUrl } from '../log/mask.ts';
import { retryTransient } from './retry.ts';

/**
 * One run per target. A run (or `migration:errors --retry-failed`) holds a session-level
 * advisory lock in the target database for as long as it writes; a second process that asks
 * for it is refused before it changes anything.
 *
 * Why a session lock on a connection of its own: the run spans thousands of transactions, so
 * kysely's `pg_advisory_xact_lock` (one transaction) cannot cover it, and the load pool's
 * connections come and go (retries, terminated connections). The server drops a session lock
 * with its connection, so a holder killed with -9 leaves nothing behind to clean up.
 *
 * Who holds it: the lock connection's `application_name` says which command, pid, host and
 * run; a refused process reads it through pg_locks ⋈ pg_stat_activity. Nothing is written to
 * take, name or release the lock: a holder row would need the `_migration` schema (which is
 * created under the lock), and after a kill -9 it would be stale and need checking against
 * pg_locks anyway. The price: application_name holds 63 bytes of printable ASCII, so a long
 * run id is cut (the message marks it with …) and other characters show as '?'.
 *
 * Advisory locks belong to one database, so the key is a constant: in pg_locks it shows as
 * locktype 'advisory', classid 1835624306 ('migr'), objid 1, objsubid 2.
 */
const LOCK_CLASS = 0x6d696772;
const LOCK_OBJECT = 1;
const LOCK_ARGS = `${LOCK_CLASS}, ${LOCK_OBJECT}`;
/** NAMEDATALEN - 1: the server cuts a longer application_name. */
const NAME_BYTES = 63;
/** A holder on this host whose process is gone: how long its backend may take to notice. */
const DEAD_HOLDER_WAIT = '10s';

export type LockCommand = 'migrate' | 'retry-failed' | 'sync';

export interface LockHolder {
  /** The server process of the holder's lock connection. */
  backendPid: number;
  applicationName: string;
  /** Set when the holder is this tool (its application_name parses). */
  command?: string;
  pid?: number;
  host?: string;
  runId?: string;
  /** When the lock connection was opened (null for another role without pg_read_all_stats). */
  since?: Date;
}

export interface RunLock {
  /** Aborted (with an Error) when the lock is gone for good: its connection dropped and it could not be taken back. */
  readonly lost: AbortSignal;
  /** Throws the reason the lock was lost, if it was. */
  assertHeld(): void;
  /** Closes the lock connection, which releases the lock. */
  release(): Promise<void>;
}

export type LockResult = { kind: 'held'; lock: RunLock } | { kind: 'refused'; holder: LockHolder; message: string };

export interface LockOptions {
  /** Where the lock went and came back, for the log. */
  warn?: (message: string) => void;
  /** How often to try to take the lock back after its connection dropped. */
  retry?: { retries: number; minDelayMs: number; maxDelayMs: number };
}

type Queryable = pg.Pool | pg.ClientBase;

/**
 * Takes the target's run lock for `runId`, or says who holds it. Call it before the first
 * statement that changes the target.
 *
 * @example
 *   const taken = await acquireRunLock(url, { command: 'migrate', runId });
 *   if (taken.kind === 'refused') return { status: 'refused', message: taken.message };
 *   try { ... } finally { await taken.lock.release(); }
 */
export async function acquireRunLock(url: string, who: { command: LockCommand; runId: string }, options: LockOptions = {}): Promise<LockResult> {
  const name = holderName(who.command, who.runId);
  let client = await connect(url, name);
  const holder = await take(client, options.warn).catch(async (error: unknown) => {
    await client.end().catch(() => {});
    throw error;
  });
  if (holder) {
    await client.end().catch(() => {});
    return { kind: 'refused', holder, message: refusal(url, holder) };
  }

  const controller = new AbortController();
  let released = false;
  const retry = options.retry ?? { retries: 5, minDelayMs: 200, maxDelayMs: 2000 };
  // The lock connection dropped (server restart, network, pg_terminate_backend): the server
  // released the lock with it. Take it back on a new connection unless someone else got it;
  // only while the server is away (a transient error): anything else will not pass by waiting.
  const retake = async () => {
    if (released || controller.signal.aborted) return;
    options.warn?.('        the run lock connection dropped; taking the lock back');
    try {
      const other = await retryTransient(
        async () => {
          if (released) return undefined;
          const next = await connect(url, name);
          const found = await take(next).catch(async (error: unknown) => {
            await next.end().catch(() => {});
            throw error;
          });
          if (found || released) {
            await next.end().catch(() => {});
            return found;
          }
          client = next;
          watch(next);
          return undefined;
        },
        { retries: retry.retries, minTimeout: retry.minDelayMs, maxTimeout: retry.maxDelayMs },
      );
      if (other) controller.abort(new Error(`lost the run lock of ${maskUrl(url)} and ${describeHolder(other)} took it; stopped`));
      else if (!released) options.warn?.('        run lock taken back');
    } catch (error) {
      controller.abort(new Error(`lost the run lock and could not take it back: ${error instanceof Error ? error.message : String(error)}; stopped`));
    }
  };
  const watch = (c: pg.Client) => c.once('end', () => void retake());
  watch(client);

  return {
    kind: 'held',
    lock: {
      lost: controller.signal,
      assertHeld() {
        if (controller.signal.aborted) throw controller.signal.reason instanceof Error ? controller.signal.reason : new Error('lost the run lock');
      },
      async release() {
        released = true;
        // Ending the session releases a session-level advisory lock; no unlock statement needed.
        // The backend drops its locks before it closes the socket, so once end() resolves the
        // next process can take it (200 take/release cycles in a row: none refused).
        await client.end().catch(() => {});
      },
    },
  };
}

/** Who holds the target's run lock now, if anyone (for commands that only read). */
export async function readRunLockHolder(db: Queryable): Promise<LockHolder | undefined> {
  const { rows } = await db.query<{ pid: number; application_name: string | null; backend_start: Date | null }>(
    `SELECT l.pid, a.application_name, a.backend_start
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ${LOCK_CLASS} AND l.objid = ${LOCK_OBJECT} AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  const row = rows[0];
  if (!row) return undefined;
  const applicationName = row.application_name ?? '';
  const holder: LockHolder = { backendPid: row.pid, applicationName, ...(row.backend_start ? { since: row.backend_start } : {}) };
  const parsed = /^migrator (\S+) (\d+)@(\S*) (.*)$/s.exec(applicationName);
  if (parsed) {
    const cut = Buffer.byteLength(applicationName) >= NAME_BYTES;
    Object.assign(holder, { command: parsed[1], pid: Number(parsed[2]), host: parsed[3], runId: `${parsed[4] ?? ''}${cut ? '…' : ''}` });
  }
  return holder;
}

/** "migrate of run mongo-1a2b3c4d (pid 4242 on host build-1, connected since …)". */
export function describeHolder(holder: LockHolder): string {
  const since = holder.since ? `, connected since ${holder.since.toISOString()}` : '';
  if (holder.command === undefined) return `another session (server pid ${holder.backendPid}, application_name "${holder.applicationName}"${since})`;
  return `${holder.command} of run ${holder.runId} (pid ${holder.pid} on host ${holder.host}${since})`;
}

/** The warning a reading command prints while a run holds the target. */
export function heldWarning(holder: LockHolder): string {
  return `${describeHolder(holder)} holds the target: results may change while it runs`;
}

function refusal(url: string, holder: LockHolder): string {
  return `the target ${maskUrl(url)} is in use: ${describeHolder(holder)} holds its run lock. One run per target: wait for it to finish, or stop it (Ctrl-C pauses a migration), then run this command again. Nothing was changed.`;
}

/**
 * "migrator migrate 4242@build-1 mongo-1a2b3c4d". The server keeps printable ASCII only (it
 * escapes the rest) and 63 bytes: do both here, so what a refused process reads is what we meant.
 */
function holderName(command: LockCommand, runId: string): string {
  return `migrator ${command} ${process.pid}@${hostname()} ${runId}`.replace(/[^\x20-\x7e]/g, '?').slice(0, NAME_BYTES);
}

async function connect(url: string, name: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: name, keepAlive: true });
  // A dropped lock connection is reported through 'end' (see retake); an unhandled 'error' would crash the process.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Takes the lock on `client`, or returns its holder. */
async function take(client: pg.Client, warn?: (message: string) => void): Promise<LockHolder | undefined> {
  let holder: LockHolder | undefined;
  // Released between the two statements: ask again (a few times: someone else may win it).
  for (let attempt = 0; attempt < 3 && !holder; attempt++) {
    const { rows } = await client.query<{ taken: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_ARGS}) AS taken`);
    if (rows[0]?.taken === true) return undefined;
    holder = await readRunLockHolder(client);
  }
  if (!holder) throw new Error('the run lock changed hands three times while asking for it; try again');
  if (!(holder.host === hostname() && holder.pid !== undefined && !processAlive(holder.pid))) return holder;
  // Its process is gone (killed -9 a moment ago): the server releases the lock as soon as its
  // backend notices the closed socket. Wait for that, a bounded time, instead of refusing.
  warn?.(`        ${describeHolder(holder)} holds the run lock but its process is gone; waiting up to ${DEAD_HOLDER_WAIT} for the server to release it`);
  return (await takeWaiting(client)) ? undefined : ((await readRunLockHolder(client)) ?? holder);
}

async function takeWaiting(client: pg.Client): Promise<boolean> {
  await client.query(`SET lock_timeout = '${DEAD_HOLDER_WAIT}'`);
  try {
    await client.query(`SELECT pg_advisory_lock(${LOCK_ARGS})`);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') return false; // lock_not_available
    throw error;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
