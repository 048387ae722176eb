#!/usr/bin/env node
import { Command } from 'commander';
import { addConnectionOptions, runMain } from './common-options.ts';
import type { StatusFlags } from './status-command.ts';

const program = addConnectionOptions(
  new Command().name('migration:status').description('Show where a migration run stands, read from the target and its checkpoint file; never takes the run lock, safe while a run is going.'),
)
  .option('--json', 'print the status as JSON')
  .addHelpText(
    'after',
    '\nUse the same target and config flags as the migration; the run is the one --run-id names, else the one these flags make, else the latest. Exit codes: 0 a run reported, 1 failed, 2 bad usage or config (nothing touched), 3 no migration state in the target.',
  );

/** The command's own modules are imported once the flags are known to be good (common-options.ts). */
async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<StatusFlags>();
  const { resolveConfig } = await import('./resolve-config.ts');
  const config = await resolveConfig(flags);
  const { runStatus } = await import('./status-command.ts');
  return runStatus(flags, config);
}

runMain(main);
