import cliProgress from 'cli-progress';
import type { Logger } from '../log/logger.ts';

export interface ProgressDisplay {
  start(model: string, total: number, done: number): void;
  advance(model: string, done: number): void;
  finish(model: string): void;
  stop(): void;
}

/**
 * Bars on a terminal; on anything else (CI, a log file) a line per model at most every
 * five seconds, so logs stay readable.
 */
export function createProgressDisplay(logger: Logger, interactive = process.stderr.isTTY === true): ProgressDisplay {
  if (interactive) {
    const multi = new cliProgress.MultiBar(
      { format: ' {model} [{bar}] {percentage}% {value}/{total} {rate} rows/s eta {eta_formatted}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    const bars = new Map<string, { bar: cliProgress.SingleBar; started: number; base: number }>();
    return {
      start(model, total, done) {
        bars.set(model, { bar: multi.create(Math.max(total, 1), done, { model: model.padEnd(12), rate: 0 }), started: performance.now(), base: done });
      },
      advance(model, done) {
        const b = bars.get(model);
        if (!b) return;
        const secs = (performance.now() - b.started) / 1000;
        b.bar.update(done, { rate: secs > 0 ? Math.round((done - b.base) / secs) : 0 });
      },
      finish(model) {
        bars.get(model)?.bar.stop();
      },
      stop: () => multi.stop(),
    };
  }
  const last = new Map<string, { at: number; total: number }>();
  return {
    start(model, total, done) {
      last.set(model, { at: performance.now(), total });
      logger.info(`  ${model}: ${done}/${total} to start`);
    },
    advance(model, done) {
      const l = last.get(model);
      if (!l || performance.now() - l.at < 5000) return;
      l.at = performance.now();
      logger.info(`  ${model}: ${done}/${l.total}`);
    },
    finish(model) {
      logger.debug(`  ${model}: loaded`);
    },
    stop: () => {},
  };
}
