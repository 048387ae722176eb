/**
 * Sorts database errors three ways:
 *  - `row`: this data is refused (SQLSTATE classes 22 data exception and 23 integrity
 *    violation, or Prisma's equivalents); the batch is split to find the rows.
 *  - `transient`: the connection or server went away (class 08, admin shutdown 57P01-03,
 *    serialization 40001/40P01, too many connections 53300, socket errors, MongoDB network
 *    errors and shutdown/step-down codes), whatever the error wrapping it (a TypeError whose
 *    cause is one, an AggregateError holding one); the batch is retried from the last
 *    committed checkpoint.
 *  - `fatal`: anything else stops the run with the checkpoint intact.
 */
export type ErrorClass = 'row' | 'transient' | 'fatal';

const transientSqlStates = new Set(['57P01', '57P02', '57P03', '40001', '40P01', '53300', '55P03']);
// Socket errors from node (ERR_SOCKET_CLOSED: a write to a socket the peer already closed).
const transientNodeCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ERR_SOCKET_CLOSED']);
const prismaRowCodes = new Set(['P2000', 'P2002', 'P2003', 'P2004', 'P2005', 'P2006', 'P2007', 'P2011', 'P2012', 'P2019', 'P2020']);
const prismaTransientCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/**
 * MongoDB server codes (numeric, on MongoServerError) for a server or its network going away:
 * HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown,
 * SocketException, NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange,
 * NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary: the driver's own retryable-read set.
 */
const transientMongoCodes = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);
/**
 * The driver's network errors by name. PoolClearedOnNetworkError (a MongoNetworkError, pending
 * operations get it when the monitor lost the server) has no `cause` and no Mongo prefix.
 */
const transientMongoNames = /^(Mongo(Network|ServerSelection|NetworkTimeout|PoolCleared)Error|PoolClearedOnNetworkError)$/;

export function classifyError(error: unknown): ErrorClass {
  // A transformer's own exception repeats on every attempt, whatever its message says.
  if (error instanceof Error && error.name === 'TransformerBug') return 'fatal';
  for (const e of causes(error)) {
    const code = stringProp(e, 'code') ?? stringProp(e, 'originalCode');
    if (code) {
      if (/^2[23]/.test(code) && code.length === 5) return 'row';
      if (code.startsWith('08') || transientSqlStates.has(code) || transientNodeCodes.has(code)) return 'transient';
      if (prismaRowCodes.has(code)) return 'row';
      if (prismaTransientCodes.has(code)) return 'transient';
    }
    const name = stringProp(e, 'name') ?? '';
    if (transientMongoNames.test(name)) return 'transient';
    if (name.startsWith('Mongo') && e && typeof e === 'object' && 'code' in e && typeof e.code === 'number' && transientMongoCodes.has(e.code)) return 'transient';
    const message = e instanceof Error ? e.message : '';
    if (/Connection terminated|terminating connection|server closed the connection|Client has encountered a connection error|connection closed|socket hang up/i.test(message)) return 'transient';
  }
  return 'fatal';
}

/** The error and everything it wraps (`cause`, an AggregateError's `errors`, Prisma's `meta.driverAdapterError`). */
function* causes(error: unknown, depth = 0): Generator<unknown> {
  if (error === null || error === undefined || depth > 5) return;
  yield error;
  if (typeof error !== 'object') return;
  if ('cause' in error) yield* causes(error.cause, depth + 1);
  // Node's connect with autoSelectFamily (the default) fails with one error per address tried.
  if (error instanceof AggregateError) for (const e of error.errors) yield* causes(e, depth + 1);
  const meta = (error as { meta?: { driverAdapterError?: unknown } }).meta;
  if (meta?.driverAdapterError) yield* causes(meta.driverAdapterError, depth + 1);
}

function stringProp(value: unknown, key: string): string | undefined {
  if (value && typeof value === 'object' && key in value) {
    const v = (value as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/** A database error as one line for the error log: message, detail and constraint. */
export function describeDbError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { detail?: string; constraint?: string; code?: string };
  const lines = e.message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  // Prisma opens with "Invalid `prisma.x.createMany()` invocation:" and ends with the cause.
  const headline = lines[0]?.startsWith('Invalid `') ? lines[lines.length - 1] : lines[0];
  const parts = [headline ?? e.message];
  if (e.detail) parts.push(e.detail);
  if (e.code && /^\d/.test(e.code)) parts.push(`SQLSTATE ${e.code}`);
  return parts.join(' — ');
}

/**
 * A foreign-key violation (23503) told the way the orphan sweep tells it: which reference,
 * and the source id it names when the UUID was made from an ObjectId.
 */
export function describeForeignKeyViolation(error: unknown, sourceIdOf: (uuid: string) => string | undefined): string | undefined {
  for (const e of causes(error)) {
    if (stringProp(e, 'code') !== '23503' && stringProp(e, 'originalCode') !== '23503') continue;
    const table = stringProp(e, 'table');
    const detail = stringProp(e, 'detail') ?? (e instanceof Error ? e.message : '');
    const m = /Key \(([^)]+)\)=\(([^)]+)\) is not present in table "([^"]+)"/.exec(detail);
    if (!m) return undefined;
    const [, column, uuid = '', parent] = m;
    return `dangling reference: ${table ?? '?'}.${column} → ${parent} ${sourceIdOf(uuid) ?? uuid}: not in the target`;
  }
  return undefined;
}
