#!/usr/bin/env node
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { createLogger, flushLogger } from '../log/logger.ts';
import { formatValidation } from '../validate/format-report.ts';
import { validate } from '../validate/validate.ts';
import { recordedRunOptions } from '../run/run-options.ts';
import { ensureWritableDir } from '../run/writable-dir.ts';
import { addConnectionOptions, reportFailure, resolveConfig, runMain, type ConnectionFlags } from './common-options.ts';
import { ExitCode } from './exit-codes.ts';

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

interface Flags extends ConnectionFlags {
  sample?: number;
  models?: string[];
  report?: string;
}

async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<Flags>();
  const config = await resolveConfig(flags, { only: flags.models }, recordedRunOptions);
  const reportFile = flags.report ?? join(config.logDir, `validate-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  // Found now, not after the whole comparison ran.
  ensureWritableDir(dirname(reportFile), 'report folder');
  const logger = createLogger({ verbose: flags.verbose === true });
  try {
    const report = await validate({ config, logger, samplePercent: flags.sample ?? 100, reportFile });
    process.stdout.write(`${formatValidation(report)}\n`);
    logger.info(`report: ${reportFile}`);
    if (report.heldBy) logger.warn(report.heldBy);
    return report.ok ? ExitCode.ok : ExitCode.mismatch;
  } catch (error) {
    return reportFailure(error, logger, flags.verbose === true);
  } finally {
    await flushLogger(logger);
  }
}

runMain(main);
