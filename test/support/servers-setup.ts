import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { staleBuild } from '../../src/cli/fresh-build.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/target/embedded-postgres.ts';
import { freePort } from './free-port.ts';
import { buildFerretDB, startFerretDB, type FerretServer } from './ferretdb.ts';
import { REPO_ROOT } from './run-cli.ts';

/**
 * The real servers every integration test runs against: PostgreSQL from DATABASE_URL or the
 * embedded binaries, and a MongoDB-wire server from MONGO_URL or a FerretDB built from Go
 * source. A server that cannot be had fails the run: no test is skipped for it.
 */
export default async function globalSetup(): Promise<void> {
  // The tests that start a CLI start the compiled one, as the npm scripts do. `npm test` has just
  // built it; a run of chosen test files builds it here when the sources are newer.
  const stale = staleBuild(REPO_ROOT);
  if (stale !== undefined) {
    process.stderr.write(`\nbuilding dist/ (${stale})\n`);
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }

  const started: { postgres?: EmbeddedServer; ferret?: FerretServer } = {};
  (globalThis as { __servers?: typeof started }).__servers = started;

  if (process.env['DATABASE_URL']) {
    process.env['TEST_DATABASE_URL'] = process.env['DATABASE_URL'];
  } else {
    // A port and folder of its own, so two test runs on one machine do not meet.
    const port = await freePort();
    started.postgres = await startEmbeddedPostgres({ dataDir: join('.cache', 'pg-test', String(port)), port, persistent: false });
    process.env['TEST_DATABASE_URL'] = started.postgres.url;
  }

  if (process.env['MONGO_URL']) {
    process.env['TEST_MONGO_URL'] = process.env['MONGO_URL'];
  } else {
    try {
      await buildFerretDB();
      started.ferret = await startFerretDB();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `\n${'!'.repeat(78)}\nNO MONGODB-WIRE SERVER: the live-MongoDB tests cannot run.\nSet MONGO_URL, or install Go so FerretDB can be built.\n${message}\n${'!'.repeat(78)}\n`,
      );
      throw error;
    }
    process.env['TEST_MONGO_URL'] = started.ferret.url;
  }
  process.stderr.write(`\ntest servers: postgres ${process.env['TEST_DATABASE_URL']?.replace(/:[^:@/]*@/, ':****@')}, mongo ${process.env['TEST_MONGO_URL']}\n`);
}
