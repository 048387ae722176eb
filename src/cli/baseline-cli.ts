#!/usr/bin/env node
import { Command } from 'commander';
import { addConnectionOptions, isoTimeOption, runMain } from './common-options.ts';
import type { BaselineFlags } from './baseline-command.ts';

const program = addConnectionOptions(
  new Command()
    .name('migration:baseline')
    .description('Read-only: per model, the source documents that are new, changed, deleted or unchanged against the target, with example ids and the time taken.'),
)
  .option('--since <time>', 'compare content only for documents changed after this ISO time (a model\'s @updatedAt, else a source field updatedAt/updated_at/modifiedAt); new and deleted still come from every id', isoTimeOption())
  .option('--models <list>', 'only these models, comma-separated', (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--json', 'print the report as JSON')
  .option('--out <file>', 'also write the JSON report to this file')
  .addHelpText(
    'after',
    '\nUse the same source, target and config flags as the migration. Writes nothing to the target (a TEMP table of its own session only) and takes no run lock.\nExit codes: 0 no differences (the target holds what the source gives now), 1 failed, 2 bad usage or config (nothing touched), 3 differences found (like validate:migration\'s NOT VALID).',
  );

/** The command's own modules are imported once the flags are known to be good (common-options.ts). */
async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<BaselineFlags>();
  const [{ resolveConfig }, { recordedRunOptions }] = await Promise.all([import('./resolve-config.ts'), import('../run/run-options.ts')]);
  const config = await resolveConfig(flags, { only: flags.models }, recordedRunOptions);
  const { runBaseline } = await import('./baseline-command.ts');
  return runBaseline(flags, config);
}

runMain(main);
