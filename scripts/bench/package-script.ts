import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The command an `npm run <name> -- args` runs, without npm: `sh -c '<script> "$@"' sh args…`
 * with `node_modules/.bin` first on PATH, which is what npm itself does. The script is read from
 * package.json at run time, so the bench measures whatever the script is today (tsx on the
 * sources, or node on compiled JS), and npm's own process (and its memory) is not in the tree.
 * `fallback` is the command when package.json has no such script (yet).
 */
export function packageScript(root: string, name: string, args: readonly string[], fallback?: string): { argv: string[]; env: NodeJS.ProcessEnv; script: string } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.[name] ?? fallback;
  if (script === undefined) throw new Error(`package.json has no script ${name}`);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: [join(root, 'node_modules', '.bin'), process.env['PATH'] ?? ''].join(delimiter) };
  // The bench names source and target with flags; the environment must not add a second one.
  delete env['DATABASE_URL'];
  delete env['MONGO_URL'];
  delete env['MONGO_DB'];
  return { argv: ['sh', '-c', `${script} "$@"`, 'sh', ...args], env, script };
}
