#!/usr/bin/env node
import { Command } from 'commander';
import { addConnectionOptions, isoTimeOption, runMain } from './common-options.ts';
import type { SyncFlags } from './sync-command.ts';

const program = addConnectionOptions(
  new Command()
    .name('migration:sync')
    .description('Bring a migrated target up to date with its source: insert new documents, replace changed ones, remove deleted ones (the difference migration:baseline reports), resumable batch by batch.'),
)
  .option('--since <time>', "compare content only for documents changed after this ISO time, or 'last' (after the last sync, or the migration, started; 5 minutes' margin); new and deleted still come from every id", isoTimeOption('last'))
  .option('--max-rejected <limit>', 'exit 3 when more records than this stay rejected after the sync: a count or a share of the source (default 1%, as the migration)')
  .option('--restart', 'give up an unfinished sync (one that keeps failing) and start a new one; what it committed stays applied')
  .option('--json', 'print the report as JSON')
  .option('--out <file>', 'also write the JSON report to this file')
  .addHelpText(
    'after',
    '\nUse the same source, target and config flags as the migration, pointed at the source as it is now (the live server, a new dump, a newer copy of the SQLite file). The migration must be completed; it takes the run lock.\nExit codes: 0 synced, 1 failed (what committed stays applied: run it again), 2 bad usage or config, or no completed migration (nothing touched), 3 synced but the counts do not balance or more are rejected than --max-rejected allows, 4 paused (run it again to go on), 5 refused: another run holds the target.',
  );

/** The command's own modules are imported once the flags are known to be good (common-options.ts). */
async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<SyncFlags>();
  const [{ resolveConfig }, { recordedRunOptions }] = await Promise.all([import('./resolve-config.ts'), import('../run/run-options.ts')]);
  const config = await resolveConfig(flags, { maxRejected: flags.maxRejected }, recordedRunOptions);
  const { runSync } = await import('./sync-command.ts');
  return runSync(flags, config);
}

runMain(main);
