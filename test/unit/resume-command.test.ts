import { describe, expect, test } from '@jest/globals';
import { resumeCommand } from '../../src/cli/resume-command.ts';
import { configSchema, type ConfigInput } from '../../src/config/config-schema.ts';

const SECRET = 'Qx9-resume-s3cret';
const CWD = '/home/me/project';
const CLI = `${CWD}/src/cli/migrate-cli.ts`;

function command(args: string[], env: NodeJS.ProcessEnv, config: ConfigInput): string {
  return resumeCommand({ argv: ['/usr/bin/node', CLI, ...args], env, cwd: CWD, config: configSchema.parse(config) });
}

const dump: ConfigInput = { source: { kind: 'mongodump', path: 'd' } };

describe('the resume command runs as printed', () => {
  test('started directly: npx tsx and the CLI path from the working directory', () => {
    expect(command(['--dump', 'd', '--batch-size', '50'], {}, dump)).toBe('npx tsx src/cli/migrate-cli.ts --dump d --batch-size 50');
  });

  test('the compiled CLI started directly: node and its path, not tsx', () => {
    const argv = ['/usr/bin/node', `${CWD}/dist/src/cli/migrate-cli.js`, '--dump', 'd'];
    expect(resumeCommand({ argv, env: {}, cwd: CWD, config: configSchema.parse(dump) })).toBe('node dist/src/cli/migrate-cli.js --dump d');
  });

  test('started by the npm script: npm run <script> --, without the --from the script supplies', () => {
    expect(command(['--from', 'mongo', '--dump', 'd'], { npm_lifecycle_event: 'migrate:mongo-to-postgres' }, dump)).toBe('npm run migrate:mongo-to-postgres -- --dump d');
    expect(command(['--from', 'sqlite', '--sqlite', 'a.db'], { npm_lifecycle_event: 'migrate:sqlite-to-postgres' }, { source: { kind: 'sqlite', path: 'a.db' } })).toBe('npm run migrate:sqlite-to-postgres -- --sqlite a.db');
  });

  test('an unrelated npm script (jest under `npm test`) is not taken for the migrate script', () => {
    expect(command(['--dump', 'd'], { npm_lifecycle_event: 'test' }, dump)).toBe('npx tsx src/cli/migrate-cli.ts --dump d');
  });

  test('words are shell-quoted; the flags that apply once are left out', () => {
    expect(command(['--dump', 'my dump', '-c', "it's.yaml", '--restart', '--yes', '--force', '--resume', 'old.json', '--resume=old.json'], {}, dump)).toBe(
      "npx tsx src/cli/migrate-cli.ts --dump 'my dump' -c 'it'\\''s.yaml'",
    );
  });
});

describe('a password never appears; the command says where it comes from', () => {
  const target = `postgres://app:${SECRET}@db:5432/shop`;
  const mongo = `mongodb://u:${SECRET}@127.0.0.1:27017/shop`;
  const live: ConfigInput = { source: { kind: 'mongodb', url: mongo }, target: { url: target } };

  test.each([
    ['--target-url X', ['--dump', 'd', '--target-url', target]],
    ['--target-url=X', ['--dump', 'd', `--target-url=${target}`]],
  ])('%s: left out, DATABASE_URL required', (_name, args) => {
    const line = command(args, {}, { ...dump, target: { url: target } });
    expect(line).toBe(': "${DATABASE_URL:?set DATABASE_URL to postgres://app@db:5432/shop with its password}" && npx tsx src/cli/migrate-cli.ts --dump d');
    expect(line).not.toContain(SECRET);
  });

  test.each([
    ['--mongo-url X', ['--mongo-url', mongo, '--target-url', target]],
    ['--mongo-url=X', [`--mongo-url=${mongo}`, `--target-url=${target}`]],
  ])('%s: both left out, both variables required', (_name, args) => {
    const line = command(args, {}, live);
    expect(line).toContain(': "${DATABASE_URL:?set DATABASE_URL to postgres://app@db:5432/shop with its password}" && ');
    expect(line).toContain(': "${MONGO_URL:?set MONGO_URL to mongodb://u@127.0.0.1:27017/shop with its password}" && ');
    expect(line.endsWith('npx tsx src/cli/migrate-cli.ts')).toBe(true);
    expect(line).not.toContain(SECRET);
  });

  test('a ?password= or libpq password counts as a password too', () => {
    const query = `postgres://app@db/shop?password=${SECRET}`;
    expect(command(['--dump', 'd', '--target-url', query], {}, { ...dump, target: { url: query } })).not.toContain(SECRET);
    const keywords = `host=db password=${SECRET} dbname=shop`;
    const line = command(['--dump', 'd', '--target-url', keywords], {}, { ...dump, target: { url: keywords } });
    expect(line).toBe(': "${DATABASE_URL:?set DATABASE_URL to host=db dbname=shop with its password}" && npx tsx src/cli/migrate-cli.ts --dump d');
  });

  test('from the environment with a password: still required from there', () => {
    const line = command(['--dump', 'd'], { DATABASE_URL: target }, { ...dump, target: { url: target } });
    expect(line).toBe(': "${DATABASE_URL:?set DATABASE_URL to postgres://app@db:5432/shop with its password}" && npx tsx src/cli/migrate-cli.ts --dump d');
  });

  test('from the environment without a password: written out as flags, so the resume needs no environment', () => {
    const plain: ConfigInput = { source: { kind: 'mongodb', url: 'mongodb://127.0.0.1:27017', database: 'shop' }, target: { url: 'postgres://app@db/shop' } };
    expect(command([], { DATABASE_URL: 'postgres://app@db/shop', MONGO_URL: 'mongodb://127.0.0.1:27017', MONGO_DB: 'shop' }, plain)).toBe(
      'npx tsx src/cli/migrate-cli.ts --target-url postgres://app@db/shop --mongo-url mongodb://127.0.0.1:27017 --mongo-db shop',
    );
  });

  test('a URL given without a password stays as given', () => {
    expect(command(['--dump', 'd', '--target-url=postgres://app@db/shop'], {}, { ...dump, target: { url: 'postgres://app@db/shop' } })).toBe('npx tsx src/cli/migrate-cli.ts --dump d --target-url postgres://app@db/shop');
  });

  test('a --mongo-url that --dump overrode is dropped with its password', () => {
    expect(command(['--dump', 'd', '--mongo-url', mongo], {}, dump)).toBe('npx tsx src/cli/migrate-cli.ts --dump d');
  });
});
