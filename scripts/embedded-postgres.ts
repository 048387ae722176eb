import { refuseStaleBuild } from '../src/cli/fresh-build.ts';
import { startEmbeddedPostgres } from '../src/target/embedded-postgres.ts';

refuseStaleBuild();

// Starts the embedded PostgreSQL that a run without DATABASE_URL used, so its result can be
// inspected with psql or Prisma Studio; Ctrl-C stops it. The data folder is kept.
const server = await startEmbeddedPostgres();
process.stdout.write(`embedded PostgreSQL is running: ${server.url}\n(data in ${server.dataDir}; Ctrl-C to stop)\n`);
const stop = () => {
  void server.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
