// `node --cpu-prof` for a process started through NODE_OPTIONS, where Node 20 refuses --cpu-prof:
// loaded with NODE_OPTIONS="--require <this file>", it starts V8's sampling profiler through the
// in-process inspector and writes <BENCH_CPU_PROFILE_DIR>/cpu-<pid>-<thread>.cpuprofile when the process
// (or a worker thread, where the preload runs too) exits (process.exit too: the in-process session answers synchronously, so an 'exit' handler
// can stop it and write). Used by `npm run bench -- --profile` (scripts/bench/profile-run.ts).
'use strict';
const { Session } = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { threadId } = require('node:worker_threads');

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 }); // µs, as --cpu-prof
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error || !result) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `cpu-${process.pid}-${threadId}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
