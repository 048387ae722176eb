import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from '@jest/globals';

/**
 * Identifiers reach SQL through one helper (src/target/identifiers.ts, pg's escapeIdentifier).
 * An inline `"${name}"` or `replace(/"/g, '""')` is how names with quotes or dots broke before
 * (issue 8, item 5), so any new one fails here.
 */
const ALLOWED: Record<string, string> = {
  // An element of a PostgreSQL array literal inside COPY text, escaped with backslashes: a value, not an identifier.
  'src/target/copy-text.ts': 'array element',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** A line that builds SQL: an upper-case keyword the SQL in src/ is written with. Prose and messages are lower case. */
const SQL_LINE = /\b(SELECT|INSERT|UPDATE|DELETE|ALTER|CREATE|DROP|TRUNCATE|COPY|FROM|JOIN|INTO|TABLE|INDEX|CONSTRAINT|REFERENCES)\b/;

test('no inline identifier quoting in src/', () => {
  const offenders = sourceFiles('src').flatMap((file) => {
    const name = relative('.', file);
    if (ALLOWED[name]) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => ((/"\$\{/.test(line) && SQL_LINE.test(line)) || /replace\(\/"\/g, '""'\)/.test(line) ? [`${name}:${i + 1}: ${line.trim()}`] : []));
  });
  expect(offenders).toEqual([]);
});
