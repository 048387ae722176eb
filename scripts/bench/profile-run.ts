import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/cli/package-root.ts';
import type { BenchContext, RunOutcome } from './bench-mode.ts';
import { readProfile, summariseThreads, type ProfileSummary } from './profile-summary.ts';
import { runTool } from './tool-run.ts';

// A .cjs file the build does not copy: read from the sources, wherever this module runs from.
const PRELOAD = join(PACKAGE_ROOT, 'scripts', 'bench', 'cpu-profile-preload.cjs');

/**
 * The tool's direct mode once more, under V8's CPU profiler, started through NODE_OPTIONS so it
 * follows whatever the package script runs. Node 20 refuses `--cpu-prof` in NODE_OPTIONS, so a
 * preload does what it does (cpu-profile-preload.cjs). Every node process of the tree writes a
 * profile per thread (tsx's launcher too); the process whose profiles are largest is the tool's, and its
 * threads (the main thread, the worker threads) are added up by stage. Not one of the measured runs:
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
  // cpu-<pid>-<thread>.cpuprofile: the tool is the process whose threads wrote the most; its main thread (0) first.
  const byPid = new Map<string, string[]>();
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    const m = /^cpu-(\d+)-(\d+)\.cpuprofile$/.exec(f);
    if (m) byPid.set(m[1] as string, [...(byPid.get(m[1] as string) ?? []), join(dir, f)]);
  }
  const size = (files: readonly string[]) => files.reduce((a, f) => a + statSync(f).size, 0);
  const groups = [...byPid.values()].sort((a, b) => size(b) - size(a));
  const threads = (groups[0] ?? []).sort((a, b) => threadOf(a) - threadOf(b));
  const file = threads[0];
  if (!file) throw new Error(`--profile: no .cpuprofile was written into ${dir}`);
  const summary = summariseThreads(threads.map(readProfile));
  for (const other of groups.slice(1).flat()) rmSync(other, { force: true });
  if (!ctx.keep && outcome.failed === undefined) rmSync(outcome.dir, { recursive: true, force: true });
  return { outcome, summary, file };
}

function threadOf(file: string): number {
  return Number(/-(\d+)\.cpuprofile$/.exec(file)?.[1] ?? 0);
}
