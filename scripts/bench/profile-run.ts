import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/cli/package-root.ts';
import type { BenchContext, RunOutcome } from './bench-mode.ts';
import { readProfile, summariseProfile, type ProfileSummary } from './profile-summary.ts';
import { runTool } from './tool-run.ts';

// A .cjs file the build does not copy: read from the sources, wherever this module runs from.
const PRELOAD = join(PACKAGE_ROOT, 'scripts', 'bench', 'cpu-profile-preload.cjs');

/**
 * The tool's direct mode once more, under V8's CPU profiler, started through NODE_OPTIONS so it
 * follows whatever the package script runs. Node 20 refuses `--cpu-prof` in NODE_OPTIONS, so a
 * preload does what it does (cpu-profile-preload.cjs). Every node process of the tree writes a
 * profile (tsx's launcher too); the largest one is the tool's. Not one of the measured runs:
 * profiling slows it.
 */
export async function profileDirect(ctx: BenchContext): Promise<{ outcome: RunOutcome; summary: ProfileSummary; file: string }> {
  const dir = join(ctx.workDir, 'profile');
  const outcome = await runTool(ctx, {
    script: 'migrate:sqlite-to-postgres',
    mode: 'profile',
    round: 1,
    args: ['--sqlite', ctx.sqliteFile],
    env: { NODE_OPTIONS: [process.env['NODE_OPTIONS'], `--require=${PRELOAD}`].filter(Boolean).join(' '), BENCH_CPU_PROFILE_DIR: dir },
    check: 'sqlite-rows',
    keepDir: true,
  });
  const profiles = (existsSync(dir) ? readdirSync(dir) : [])
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const file = profiles[0];
  if (!file) throw new Error(`--profile: no .cpuprofile was written into ${dir}`);
  const summary = summariseProfile(readProfile(file));
  for (const other of profiles.slice(1)) rmSync(other, { force: true });
  if (!ctx.keep && outcome.failed === undefined) rmSync(outcome.dir, { recursive: true, force: true });
  return { outcome, summary, file };
}
