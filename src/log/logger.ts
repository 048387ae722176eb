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

/** Waits until the log file has everything: winston writes asynchronously. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolveDone) => {
    logger.on('finish', () => resolveDone());
    logger.end();
  });
}
