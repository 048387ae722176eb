import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { createLogger, flushLogger } from '../../src/log/logger.ts';

test('the log file never holds a password, whatever the call site passed', async () => {
  const secret = 'Lg7-logger-s3cret';
  const file = join(mkdtempSync(join(tmpdir(), 'logger-')), 'run.jsonl');
  const logger = createLogger({ quiet: true, file });
  logger.error(`connect postgresql://app:${secret}@db/shop failed`);
  logger.warn('retrying', { target: `host=db password=${secret}`, nested: { url: `mongodb://u:${secret}@h/db` } });
  await flushLogger(logger);
  const text = readFileSync(file, 'utf8');
  expect(text).not.toContain(secret);
  const [first, second] = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(first).toMatchObject({ level: 'error', message: 'connect postgresql://app:****@db/shop failed' });
  expect(second).toMatchObject({ level: 'warn', target: 'host=db password=****', nested: { url: 'mongodb://u:****@h/db' } });
});
