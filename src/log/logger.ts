import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import winston from 'winston';
import { maskDeep, maskSecrets } from './mask.ts';

export type Logger = winston.Logger;

/**
 * Runs before every transport: a password in a message or in any field of an event (an error
 * from a driver, a URL) is masked once here, so no call site can forget to.
 */
const maskFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    const value = info[key];
    info[key] = typeof value === 'string' ? maskSecrets(value) : maskDeep(value);
  }
  return info;
});

/**
 * Readable lines on the console (stderr, so stdout stays for tables and --dry-run output)
 * and every event as one JSON object per line in the run's log file.
 */
export function createLogger(options: { verbose?: boolean; file?: string; quiet?: boolean } = {}): Logger {
  const transports: winston.transport[] = [
    new winston.transports.Console({
      level: options.verbose ? 'debug' : 'info',
      silent: options.quiet === true,
      stderrLevels: ['error', 'warn', 'info', 'verbose', 'debug'],
      format: winston.format.combine(
        winston.format.timestamp({ format: 'HH:mm:ss' }),
        winston.format.printf(({ level, message, timestamp }) => `${String(timestamp)} ${level === 'info' ? '' : `${level.toUpperCase()} `}${String(message)}`),
      ),
    }),
  ];
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    transports.push(
      new winston.transports.File({
        filename: options.file,
        level: 'debug',
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      }),
    );
  }
  return winston.createLogger({ format: maskFormat(), transports });
}

/**
 * Waits until the log file has everything: winston writes asynchronously. winston's end() ends
 * its transports while lines may still wait in the logger's own buffer for a file that asked to
 * drain; the next of them is then a "write after end", emitted as an unhandled 'error' that
 * crashed a finished run (winstonjs/winston#2219). So the buffer is let to empty first (the pipe
 * takes it as the file drains), and a transport error at the very end is reported, not thrown.
 */
export async function flushLogger(logger: Logger): Promise<void> {
  const buffered = (logger as unknown as { _readableState?: { length: number } })._readableState;
  while ((buffered?.length ?? 0) > 0) await new Promise<void>((resolveTick) => setImmediate(resolveTick));
  let lost = false;
  const report = (error: Error) => {
    if (lost) return;
    lost = true;
    process.stderr.write(`log file: the last lines could not be written (${error.message})\n`);
  };
  // The logger re-emits its transports' errors (transportEvent): both need a listener.
  logger.on('error', report);
  for (const transport of logger.transports) transport.on('error', report);
  await new Promise<void>((resolveDone) => {
    logger.on('finish', () => resolveDone());
    logger.end();
  });
}
