#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { addConnectionOptions, runMain } from './common-options.ts';
import type { ValidateFlags } from './validate-command.ts';

const program = addConnectionOptions(
  new Command().name('validate:migration').description('Prove the target equals the source: counts, foreign keys, id map, content, schema, sequences.'),
)
  .option('--sample <percent>', 'compare the content of a stable sample of documents (default 100)', (v) => {
    const n = Number(v);
    if (!(n > 0 && n <= 100)) throw new InvalidArgumentError('must be a percentage in (0, 100]');
    return n;
  })
  .option('--models <list>', 'only these models, comma-separated', (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--report <file>', 'JSON report file (default logs/validate-<time>.json)')
  .addHelpText('after', '\nUse the same source, target and config flags as the migration. Exit codes: 0 valid, 1 failed, 2 bad usage or config (nothing touched), 3 not valid.');

/** The command's own modules are imported once the flags are known to be good (common-options.ts). */
async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<ValidateFlags>();
  const [{ resolveConfig }, { recordedRunOptions }] = await Promise.all([import('./resolve-config.ts'), import('../run/run-options.ts')]);
  const config = await resolveConfig(flags, { only: flags.models }, recordedRunOptions);
  const { runValidate } = await import('./validate-command.ts');
  return runValidate(flags, config);
}

runMain(main);
