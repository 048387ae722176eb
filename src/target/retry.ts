import pRetry, { type Options, type RetryContext } from 'p-retry';
import { classifyError } from './errors.ts';

/**
 * p-retry (7.x, `onAttemptFailure`) rethrows a `TypeError` at once, without asking `shouldRetry`,
 * unless its message is one of the fetch failures it knows ("fetch failed", "terminated", ...);
 * a thrown non-Error becomes such a TypeError too. A TypeError from a driver on a socket that
 * closed mid-operation, or one whose `cause` is the network error, would end the run as a bug
 * although `classifyError` calls it transient. So p-retry only ever sees this wrapper (never a
 * TypeError), our hooks and our caller only ever see what the attempt threw.
 */
class AttemptFailed extends Error {
  override name = 'AttemptFailed';
  constructor(readonly failure: Error) {
    super(failure.message, { cause: failure });
  }
}

function unwrap(error: unknown): unknown {
  return error instanceof AttemptFailed ? error.failure : error;
}

function original(context: RetryContext): RetryContext {
  return { ...context, error: context.error instanceof AttemptFailed ? context.error.failure : context.error };
}

/**
 * p-retry with our policy: a failed attempt is repeated (p-retry's backoff and budget) only when
 * `classifyError` calls its error transient and the caller's `shouldRetry`, if any, agrees;
 * anything else is rethrown as the attempt threw it.
 */
export async function retryTransient<T>(attempt: (attemptNumber: number) => PromiseLike<T> | T, options: Options): Promise<T> {
  const { onFailedAttempt, shouldConsumeRetry, shouldRetry } = options;
  try {
    return await pRetry(
      async (attemptNumber) => {
        try {
          return await attempt(attemptNumber);
        } catch (error) {
          throw new AttemptFailed(error instanceof Error ? error : new Error(`non-error thrown: ${String(error)}`, { cause: error }));
        }
      },
      {
        ...options,
        ...(onFailedAttempt ? { onFailedAttempt: (context: RetryContext) => onFailedAttempt(original(context)) } : {}),
        ...(shouldConsumeRetry ? { shouldConsumeRetry: (context: RetryContext) => shouldConsumeRetry(original(context)) } : {}),
        shouldRetry: async (context) => classifyError(original(context).error) === 'transient' && (shouldRetry ? await shouldRetry(original(context)) : true),
      },
    );
  } catch (error) {
    throw unwrap(error);
  }
}
