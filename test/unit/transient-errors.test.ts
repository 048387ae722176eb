import { describe, expect, test } from '@jest/globals';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import pRetry from 'p-retry';
import { classifyError } from '../../src/target/errors.ts';
import { retryTransient } from '../../src/target/retry.ts';

/** What node's socket layer throws when the peer goes away. */
function socketError(code: string): Error {
  return Object.assign(new Error(`read ${code}`), { code, syscall: 'read' });
}

/** A TypeError a driver could raise on a socket closed mid-operation, carrying the network error. */
function typeErrorOnClosedSocket(): TypeError {
  return new TypeError("Cannot read properties of null (reading 'write')", { cause: socketError('ECONNRESET') });
}

/** The driver's PoolClearedOnNetworkError (not exported): a MongoNetworkError without a cause. */
class PoolClearedOnNetworkError extends MongoNetworkError {
  override get name(): string {
    return 'PoolClearedOnNetworkError';
  }
}

describe('classifyError: a server connection going away is transient, whatever wraps it', () => {
  test.each([
    ['a TypeError whose cause is a socket error', typeErrorOnClosedSocket()],
    ['a TypeError whose cause is a MongoNetworkError', new TypeError('x is not a function', { cause: new MongoNetworkError('connection 4 to 127.0.0.1:27017 closed') })],
    ['an AggregateError of refused connections (autoSelectFamily)', new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')], '')],
    ['the driver PoolClearedOnNetworkError', new PoolClearedOnNetworkError('Connection to 127.0.0.1:27017 interrupted due to server monitor timeout')],
    ['a MongoServerError ShutdownInProgress (91)', new MongoServerError({ code: 91, errmsg: 'The server is in quiesce mode and will shut down' })],
    ['a MongoServerError InterruptedAtShutdown (11600)', new MongoServerError({ code: 11600, errmsg: 'interrupted at shutdown' })],
    ['pg losing its socket', new Error('Connection terminated unexpectedly')],
  ])('%s', (_what, error) => {
    expect(classifyError(error)).toBe('transient');
  });

  test.each([
    ['a plain TypeError (a bug)', new TypeError("Cannot read properties of undefined (reading 'length')")],
    ['a TypeError whose cause is no network error', new TypeError('bad', { cause: new RangeError('out of range') })],
    ['a MongoServerError that is no shutdown (DuplicateKey)', new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key' })],
  ])('%s stops the run', (_what, error) => {
    expect(classifyError(error)).toBe('fatal');
  });
});

describe('retryTransient: our classification decides, never p-retry', () => {
  const fast = { retries: 3, minTimeout: 0, maxTimeout: 0 };

  test('p-retry alone rethrows a TypeError at once, before shouldRetry (why retryTransient exists)', async () => {
    const asked: unknown[] = [];
    let attempts = 0;
    const failure = await pRetry(
      () => {
        attempts++;
        throw typeErrorOnClosedSocket();
      },
      { ...fast, shouldRetry: ({ error }) => (asked.push(error), true) },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TypeError);
    expect(attempts).toBe(1);
    expect(asked).toEqual([]);
  });

  test('a TypeError with a network cause is retried, and the hooks see it as thrown', async () => {
    const thrown = typeErrorOnClosedSocket();
    const seen: unknown[] = [];
    let attempts = 0;
    const result = await retryTransient(
      (n) => {
        attempts = n;
        if (n === 1) throw thrown;
        return 'loaded';
      },
      { ...fast, onFailedAttempt: ({ error }) => void seen.push(error), shouldRetry: ({ error }) => (seen.push(error), true) },
    );
    expect(result).toBe('loaded');
    expect(attempts).toBe(2);
    expect(seen).toEqual([thrown, thrown]);
    expect(seen[0]).toBe(thrown);
  });

  test('a plain TypeError is not retried and comes out as thrown', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'length')");
    let attempts = 0;
    const failure = await retryTransient(() => {
      attempts++;
      throw bug;
    }, fast).catch((e: unknown) => e);
    expect(failure).toBe(bug);
    expect(attempts).toBe(1);
  });

  test('a plain TypeError is not retried even when the failure consumes no retry', async () => {
    // p-retry repeats a non-consuming TypeError without asking shouldRetry; a bug must still stop.
    const bug = new TypeError('x is not a function');
    let attempts = 0;
    const failure = await retryTransient(() => {
      attempts++;
      throw bug;
    }, { ...fast, shouldConsumeRetry: () => false }).catch((e: unknown) => e);
    expect(failure).toBe(bug);
    expect(attempts).toBe(1);
  });

  test('a transient error that outlasts the budget comes out as thrown, after every retry', async () => {
    const gone = new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017', { cause: socketError('ECONNREFUSED') });
    let attempts = 0;
    const failure = await retryTransient(() => {
      attempts++;
      throw gone;
    }, fast).catch((e: unknown) => e);
    expect(failure).toBe(gone);
    expect(attempts).toBe(4);
  });

  test("the caller's shouldRetry can only narrow the classification", async () => {
    let attempts = 0;
    const failure = await retryTransient(() => {
      attempts++;
      throw typeErrorOnClosedSocket();
    }, { ...fast, shouldRetry: () => false }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TypeError);
    expect(attempts).toBe(1);
  });
});
