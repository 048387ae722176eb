import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ExitCode } from './exit-codes.ts';
import { COMPILED, PACKAGE_ROOT } from './package-root.ts';

/** The folders `npm run build` compiles (tsconfig.build.json), and the one it leaves out. */
export const BUILD_SOURCES = ['src', 'scripts'] as const;
const NOT_BUILT = join('src', 'generated');

/**
 * Why the compiled JavaScript in `root`/dist is older than the TypeScript it was made from, or
 * undefined when it is not: a source edited, checked out or added since the build (newer than its
 * `.js`, or without one), or a compiled file whose source is gone. Compared by modification time,
 * file by file (about 400 `stat` calls, a few milliseconds).
 */
export function staleBuild(root: string): string | undefined {
  const dist = join(root, 'dist');
  if (!existsSync(dist)) return 'there is no dist/';
  for (const folder of BUILD_SOURCES) {
    for (const source of files(join(root, folder), '.ts')) {
      if (source.endsWith('.d.ts') || relative(root, source).startsWith(NOT_BUILT)) continue;
      const compiled = join(dist, relative(root, source)).replace(/\.ts$/, '.js');
      if (!existsSync(compiled)) return `${relative(root, source)} is not compiled`;
      if (statSync(source).mtimeMs > statSync(compiled).mtimeMs) return `${relative(root, source)} changed since the build`;
    }
  }
  // A source renamed or deleted leaves its old .js behind, which another stale file may still import.
  for (const compiled of files(dist, '.js')) {
    if (!existsSync(join(root, relative(dist, compiled)).replace(/\.js$/, '.ts'))) return `${relative(root, compiled)} has no source any more`;
  }
  return undefined;
}

function* files(dir: string, extension: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path, extension);
    else if (entry.name.endsWith(extension)) yield path;
  }
}

/**
 * The npm scripts run the compiled JavaScript; a build older than its sources would run code that
 * is not the code in front of the user, in silence. So a compiled entry point refuses to start
 * (exit 2, nothing touched) and names the file; `npm run build` fixes it (`npm ci` and `npm test`
 * build anyway). From the sources (tsx, jest) there is nothing to check. Without src/ next to
 * dist/ (a copy of the build alone) neither.
 */
export function refuseStaleBuild(): void {
  if (!COMPILED || !existsSync(join(PACKAGE_ROOT, 'src'))) return;
  const why = staleBuild(PACKAGE_ROOT);
  if (why === undefined) return;
  process.stderr.write(`the compiled tool in dist/ is out of date (${why}): run \`npm run build\`\n`);
  process.exit(ExitCode.usage);
}
