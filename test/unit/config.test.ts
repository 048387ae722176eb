import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function file(text: string, ext = 'yaml'): string {
  const path = join(dir, `config-${++counter}.${ext}`);
  writeFileSync(path, text);
  return path;
}

async function configError(path: string | undefined, overrides?: Record<string, unknown>[]): Promise<string> {
  const error = await loadConfig(path, overrides ? { overrides } : {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

const mongodump = 'source:\n  kind: mongodump\n  path: ./dump\n';

describe('YAML errors name the file, line and key', () => {
  test('a bad top-level value', async () => {
    const path = file(`${mongodump}writer: copy\nbatchSize: 0\n`);
    expect(await configError(path)).toMatch(new RegExp(`${literal(path)}:5: batchSize: `));
  });

  test('a bad nested value', async () => {
    const path = file(`${mongodump}retry:\n  retries: 3\n  minDelayMs: -1\n`);
    expect(await configError(path)).toMatch(new RegExp(`${literal(path)}:6: retry\\.minDelayMs: `));
  });

  test('a bad enum value and a missing source are both reported', async () => {
    const path = file('# comment\nwriter: bulk\n');
    const message = await configError(path);
    expect(message).toMatch(new RegExp(`${literal(path)}:2: writer: `));
    expect(message).toMatch(/source: /);
  });

  test('unknown keys are named, at the top and nested', async () => {
    const path = file(`${mongodump}colour: red\nids:\n  strategy: v5\n  salt: x\n`);
    const message = await configError(path);
    expect(message).toContain('colour');
    expect(message).toMatch(/ids: .*salt/);
  });

  test('models.<Model>.embeddedIn must be Parent.path, a dotted path allowed', async () => {
    const path = file(`${mongodump}models:\n  Address:\n    embeddedIn: addresses\n`);
    expect(await configError(path)).toMatch(new RegExp(`${literal(path)}:6: models\\.Address\\.embeddedIn: expected Parent\\.path`));
    const nested = await loadConfig(file(`${mongodump}models:\n  Address: { embeddedIn: User.profile.addresses }\n`));
    expect(nested.models['Address']?.embeddedIn).toBe('User.profile.addresses');
  });

  test('a YAML syntax error names its line', async () => {
    const path = file(`${mongodump}batchSize: [1, 2\n`);
    expect(await configError(path)).toMatch(new RegExp(`^${literal(path)}:\\d+: `));
  });
});

test('defaults are filled in', async () => {
  const config = await loadConfig(file(mongodump));
  expect(config.source).toEqual({ kind: 'mongodump', path: './dump', emptyStrings: 'null' });
  expect(config.batchSize).toBe(1000);
  expect(config.writer).toBe('copy');
  expect(config.parallelism).toBe(2);
  expect(config.ids).toEqual({ strategy: 'v7-objectid' });
  expect(config.retry).toEqual({ retries: 8, minDelayMs: 500, maxDelayMs: 15_000 });
  expect(config.schema).toBe('prisma/schema.prisma');
  expect(config.models).toEqual({});
});

describe('layers', () => {
  const path = file('source:\n  kind: mongodb\n  url: mongodb://file-host/app\n  database: fromfile\nwriter: prisma\nbatchSize: 500\nretry:\n  retries: 2\n');

  test('overrides win over the file, later overrides over earlier ones, and nested keys merge', async () => {
    const config = await loadConfig(path, { overrides: [{ batchSize: 50, retry: { maxDelayMs: 100 } }, { batchSize: 20 }] });
    expect(config.batchSize).toBe(20);
    expect(config.writer).toBe('prisma');
    expect(config.retry).toEqual({ retries: 2, minDelayMs: 500, maxDelayMs: 100 });
  });

  test('an undefined override (a flag not given) leaves the file value', async () => {
    expect((await loadConfig(path, { overrides: [{ batchSize: undefined }] })).batchSize).toBe(500);
  });

  test('the file wins over the defaults layer', async () => {
    const config = await loadConfig(path, { defaults: { batchSize: 7, parallelism: 3 } });
    expect(config.batchSize).toBe(500);
    expect(config.parallelism).toBe(3);
  });

  test('a source override of another kind replaces the file`s source entirely', async () => {
    const sqlite = await loadConfig(path, { overrides: [{ source: { kind: 'sqlite', path: 'app.db' } }] });
    expect(sqlite.source).toMatchObject({ kind: 'sqlite', path: 'app.db', mode: 'direct' });
    expect(sqlite.source).not.toHaveProperty('url');
    expect(sqlite.source).not.toHaveProperty('database');
  });

  test('a source override of the same kind overrides only the keys it names (issue 10, item 6)', async () => {
    const mongo = await loadConfig(path, { overrides: [{ source: { kind: 'mongodb', url: 'mongodb://flag-host/app', database: undefined } }] });
    expect(mongo.source).toEqual({ kind: 'mongodb', url: 'mongodb://flag-host/app', database: 'fromfile', emptyStrings: 'null' });
    const sqliteFile = file('source:\n  kind: sqlite\n  path: a.db\n  mode: schema\n  timeZone: Europe/Paris\n  castRules:\n    - { column: t.d, as: date-keep-day }\n');
    const sqlite = await loadConfig(sqliteFile, { overrides: [{ source: { kind: 'sqlite', path: 'other.db', mode: undefined } }] });
    expect(sqlite.source).toMatchObject({ kind: 'sqlite', path: 'other.db', mode: 'schema', timeZone: 'Europe/Paris', castRules: [{ column: 't.d', as: 'date-keep-day' }] });
  });

  test('a bad override is reported by key', async () => {
    expect(await configError(path, [{ writer: 'bulk' }])).toMatch(/writer: /);
  });
});

describe('JSON and missing files', () => {
  test('a JSON file works', async () => {
    const config = await loadConfig(file(JSON.stringify({ source: { kind: 'sqlite', path: 'app.db' }, batchSize: 250 }), 'json'));
    expect(config.source).toMatchObject({ kind: 'sqlite', path: 'app.db', timeZone: 'UTC', emptyStrings: 'null' });
    expect(config.batchSize).toBe(250);
    expect(config.writer).toBe('copy');
  });

  test('a JSON file with a bad value names file and key', async () => {
    const path = file(JSON.stringify({ source: { kind: 'sqlite', path: 'app.db' }, parallelism: 99 }), 'json');
    expect(await configError(path)).toContain(`${path}: parallelism: `);
  });

  test('malformed JSON names the file', async () => {
    const path = file('{ "source": ', 'json');
    expect(await configError(path)).toContain(path);
  });

  test('a missing file is an error', async () => {
    expect(await configError(join(dir, 'nope.yaml'))).toMatch(/nope\.yaml does not exist/);
  });

  test('no file at all still needs a source', async () => {
    expect(await configError(undefined)).toMatch(/source: /);
    const config = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: 'd' } }] });
    expect(config.batchSize).toBe(1000);
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('TypeScript config files and derived settings', () => {
  test('a TypeScript config module is read and validated like YAML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-ts-'));
    const path = join(dir, 'migration.config.ts');
    writeFileSync(path, `export default { source: { kind: 'sqlite', path: 'app.db', timeZone: 'Europe/Paris' }, batchSize: 500 };\n`);
    const config = await loadConfig(path);
    expect(config.source).toMatchObject({ kind: 'sqlite', timeZone: 'Europe/Paris' });
    expect(config.batchSize).toBe(500);
    writeFileSync(join(dir, 'bad.config.ts'), `export default { source: { kind: 'sqlite', path: 'app.db' }, batchSize: 'many' };\n`);
    await expect(loadConfig(join(dir, 'bad.config.ts'))).rejects.toThrow(/batchSize/);
  });

  test('a direct SQLite copy keeps its keys and loads whole tables; MongoDB commits per batch', async () => {
    const direct = await loadConfig(undefined, { overrides: [{ source: { kind: 'sqlite', path: 'app.db' } }] });
    expect(direct.ids.strategy).toBe('keep');
    expect(direct.transactions).toBe('table');
    const mongo = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: 'dump' } }] });
    expect(mongo.ids.strategy).toBe('v7-objectid');
    expect(mongo.transactions).toBe('batch');
    await expect(loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: 'dump' }, ids: { strategy: 'keep' } }] })).rejects.toThrow(/ids\.strategy/);
  });
});
