#!/usr/bin/env node
import { Command } from 'commander';
import { addConnectionOptions, runMain } from './common-options.ts';
import type { ErrorsFlags } from './errors-command.ts';

const program = addConnectionOptions(
  new Command().name('migration:errors').description('Summarise the error log of a migration; --retry-failed re-processes only the rejected records.'),
)
  .option('--model <name>', 'only this model')
  .option('--ids', 'list every failed source id (default: the first 20 per model)')
  .option('--json', 'print the report as JSON')
  .option('--retry-failed', 'read the rejected records again from the source and migrate them with the current transformers')
  .addHelpText('after', '\nUse the same source, target and config flags as the migration. Exit codes: 0 no open rejections, 1 failed, 2 bad usage or config (nothing touched), 3 rejections remain, 5 --retry-failed refused: another run holds the target.');

/** The command's own modules are imported once the flags are known to be good (common-options.ts). */
async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<ErrorsFlags>();
  const { resolveConfig } = await import('./resolve-config.ts');
  const config = await resolveConfig(flags);
  const { runErrors } = await import('./errors-command.ts');
  return runErrors(flags, config);
}

runMain(main);
