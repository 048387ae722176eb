import { relative } from 'node:path';
import type { MigrationConfig } from '../config/config-schema.ts';
import { hasPassword, maskUrl, withoutPassword } from '../log/mask.ts';
import { shellQuote } from '../run/shell-quote.ts';

/** What the command line of this process was, as the resume command needs it. */
export interface Invocation {
  /** process.argv */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  config: MigrationConfig;
}

/** The flags that only apply to the run that was given them. */
const ONCE = new Set(['--restart', '--yes', '-y', '--force']);

/** A connection flag, the environment variable that stands in for it, and the URL it resolved to. */
interface Connection {
  flag: '--target-url' | '--mongo-url';
  variable: 'DATABASE_URL' | 'MONGO_URL';
  url: string | undefined;
}

/**
 * The command that resumes this run, runnable as printed (migrate.ts appends `--resume <file>`):
 * `npm run <script> -- …` when started by a migrate npm script, else `node <cli> …` (`npx tsx
 * <cli> …` for the TypeScript CLI), every word shell-quoted, without the flags that apply
 * once. A password never appears in it: a URL that has one is left out, and the command first
 * checks that its environment variable is set (the resume reads it from there), naming the URL
 * without its password:
 *
 *     : "${DATABASE_URL:?set DATABASE_URL to postgresql://app@db:5432/shop with its password}" && node dist/src/cli/migrate-cli.js --dump d
 *
 * A URL without a password that came from the environment is written out as its flag, so the
 * resume does not depend on the shell it runs in.
 */
export function resumeCommand(invocation: Invocation): string {
  const { argv, env, config } = invocation;
  const script = env['npm_lifecycle_event'];
  const npm = script !== undefined && script.startsWith('migrate:');
  const given = argv.slice(2);
  // The npm script itself supplies `--from <kind>`.
  const own = npm && given[0] === '--from' ? given.slice(2) : given;
  // A --mongo-url that --dump overrode is still stripped of its password; it just resolves to nothing.
  const connections: Connection[] = [
    { flag: '--target-url', variable: 'DATABASE_URL', url: config.target.url },
    { flag: '--mongo-url', variable: 'MONGO_URL', url: config.source.kind === 'mongodb' ? config.source.url : undefined },
  ];

  const args: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < own.length; i++) {
    const arg = own[i] ?? '';
    const { name, inline } = splitFlag(arg);
    if (name === '--resume') {
      if (inline === undefined) i++;
      continue;
    }
    if (ONCE.has(arg)) continue;
    const connection = connections.find((c) => c.flag === name);
    if (connection) {
      const value = inline ?? own[++i] ?? '';
      seen.add(connection.flag);
      if (!hasPassword(value)) args.push(connection.flag, value);
      continue;
    }
    args.push(arg);
  }

  const guards: string[] = [];
  for (const c of connections) {
    if (c.url === undefined) continue;
    const fromEnv = !seen.has(c.flag) && env[c.variable] === c.url;
    if (hasPassword(c.url) && (seen.has(c.flag) || fromEnv)) {
      const hint = `set ${c.variable} to ${withoutPassword(maskUrl(c.url))} with its password`.replace(/["$`\\}]/g, '\\$&');
      guards.push(`: "\${${c.variable}:?${hint}}" && `);
    } else if (fromEnv) {
      args.push(c.flag, c.url);
    }
  }
  const database = env['MONGO_DB'];
  if (config.source.kind === 'mongodb' && database !== undefined && config.source.database === database && !own.some((a) => a === '--mongo-db' || a.startsWith('--mongo-db='))) {
    args.push('--mongo-db', database);
  }

  const entry = relative(invocation.cwd, argv[1] ?? 'dist/src/cli/migrate-cli.js');
  // Run as it was started: the compiled CLI by node, the TypeScript one (development) by tsx.
  const cli = npm ? ['npm', 'run', script, '--'] : /\.[cm]?ts$/.test(entry) ? ['npx', 'tsx', entry] : ['node', entry];
  return `${guards.join('')}${[...cli, ...args].map(shellQuote).join(' ')}`;
}

/** `--name=value` → name and inline value; anything else is its own name (commander takes both spellings). */
function splitFlag(arg: string): { name: string; inline: string | undefined } {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? { name: arg.slice(0, eq), inline: arg.slice(eq + 1) } : { name: arg, inline: undefined };
}
