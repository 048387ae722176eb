import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Variables that name a server or a place the tool writes to by default. A child never inherits
 * them from the developer's shell: a test that wants a server passes its own test database, so
 * no test can write into the database a developer's DATABASE_URL names (issue 8, item 9).
 */
const SERVER_VARIABLES = /^(DATABASE_URL|MONGO_URL|MONGO_DB|EMBEDDED_PG_DIR|EMBEDDED_PG_PORT|PG[A-Z]+)$/;

/** The environment a child gets: this process's without the server variables, then `env` (undefined removes). */
export function childEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVER_VARIABLES.test(name)));
  const merged: NodeJS.ProcessEnv = { ...base, ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

/** Runs a command from the repository root, as a user would, and collects its output. */
export function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): Promise<CliResult> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', rejectRun);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The compiled CLIs `npm run build` makes (global setup builds them when the sources are newer):
 * the tests run what ships.
 */
export const CLI = {
  migrate: 'dist/src/cli/migrate-cli.js',
  validate: 'dist/src/cli/validate-cli.js',
  errors: 'dist/src/cli/errors-cli.js',
  init: 'dist/src/cli/init-cli.js',
  status: 'dist/src/cli/status-cli.js',
  baseline: 'dist/src/cli/baseline-cli.js',
  sync: 'dist/src/cli/sync-cli.js',
} as const;
export type CliName = keyof typeof CLI;

/** node's arguments for a compiled CLI, the way the npm scripts start it. */
export function cliArgs(name: CliName, args: readonly string[] = []): string[] {
  return ['--enable-source-maps', CLI[name], ...args];
}

/** A compiled CLI, run as its npm script runs it (`npm run validate:migration -- …`). */
export function runCli(name: CliName, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCommand(process.execPath, cliArgs(name, args), env);
}

/** The migrate CLI, as `npm run migrate:mongo-to-postgres` runs it. */
export function runMigrateCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli('migrate', args, env);
}
