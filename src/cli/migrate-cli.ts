#!/usr/bin/env node
import { Command } from 'commander';
import { addConnectionOptions, Option, positiveInt, runMain } from './common-options.ts';
import type { MigrateFlags } from './migrate-command.ts';

const program = addConnectionOptions(
  new Command().name('migrate').description('Migrate MongoDB (live or a mongodump folder) or SQLite into PostgreSQL, driven by the Prisma schema.'),
)
  .option('--dry-run', 'print the plan and the DDL; touch nothing')
  .option('--models <list>', 'only these models, comma-separated', (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--batch-size <n>', 'documents per batch and transaction (default 1000)', positiveInt)
  .option('--parallelism <n>', 'models loading at once inside a phase, and index builds at once after the load (default 2)', positiveInt)
  .addOption(new Option('--writer <name>', 'how rows are written (default copy)').choices(['copy', 'prisma']))
  .option('--resume <file>', 'resume the run of this checkpoint file (runs are also found automatically)')
  .addOption(new Option('--restart', 'empty what the migrator loaded and start over (asks first)').conflicts('resume'))
  .option('-y, --yes', 'answer yes to --restart confirmation (for scripts)')
  .option('--max-rejected <n|percent>', 'above this many rejected records (50) or share of the source (1%, the default) the run ends with exit 3')
  .option('--force', 'resume even if the config, schema, source or target changed; read a SQLite file another process is writing')
  .addHelpText(
    'after',
    `
Environment: DATABASE_URL, MONGO_URL, MONGO_DB (flags win over the environment, the environment over the config file).
Exit codes: 0 done, 1 failed (checkpoint kept), 2 bad usage or config (nothing touched),
  3 finished but not vouched for (more rejected than --max-rejected, counts do not add up, the source
  changed under the run, or a field is left behind with unmappedFields: fail), 4 paused,
  5 refused (another run holds the target, or the run or its source changed since it started: see --force).
Ctrl-C, SIGTERM or SIGHUP finishes the batch in flight and pauses (a second Ctrl-C, a second later, exits
at once); run the same command again to resume.`,
  );

/** The command's own modules are imported once the flags are known to be good (common-options.ts). */
async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<MigrateFlags>();
  if (flags.force) flags.forceRead = true;
  const { resolveConfig } = await import('./resolve-config.ts');
  // Bad input throws ConfigError here (runMain exits 2) before a log file or the target exists.
  const config = await resolveConfig(flags, { batchSize: flags.batchSize, parallelism: flags.parallelism, writer: flags.writer, only: flags.models, maxRejected: flags.maxRejected });
  const { runMigrate } = await import('./migrate-command.ts');
  return runMigrate(flags, config);
}

runMain(main);
