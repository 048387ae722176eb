import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './bench-mode.ts';
import { measure, type Measured } from './measure.ts';
import { packageScript } from './package-script.ts';

export interface CommandRun {
  /** The package.json script, e.g. `migration:baseline`. */
  script: string;
  /** The command when package.json has no such script (yet): `node dist/src/cli/….js`. */
  fallback: string;
  /** Names the run folder and its files. */
  name: string;
  /** Source flags; `--target-url`, `--config` and `--json` are added. */
  args: readonly string[];
}

export interface CommandOutcome {
  measured: Measured;
  /** What the command printed on stdout: its `--json` report. */
  stdoutFile: string;
  logFile: string;
}

/**
 * One measured run of one of the tool's commands against an existing database, as the user runs
 * it (`npm run <script> -- … --json`), its stdout (the JSON report) kept apart from its log. The
 * run's config keeps checkpoints and logs in the run folder `dir`.
 */
export async function runCommand(ctx: BenchContext, run: CommandRun, database: string, dir: string): Promise<CommandOutcome> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, `${run.name}.config.json`);
  writeFileSync(config, JSON.stringify({ checkpointDir: join(dir, 'checkpoints'), logDir: join(dir, 'logs') }, null, 2));
  // --batch-size and --writer are migrate's flags: not passed on.
  const args = [...run.args, '--target-url', ctx.databases.url(database), '--config', config, '--json'];
  const { argv, env } = packageScript(ctx.root, run.script, args, run.fallback);
  const logFile = join(dir, `${run.name}.log`);
  const stdoutFile = join(dir, `${run.name}.json`);
  const measured = await measure(argv, { cwd: ctx.root, env, logFile, stdoutFile, database, timeoutMs: ctx.timeoutMs });
  return { measured, stdoutFile, logFile };
}
