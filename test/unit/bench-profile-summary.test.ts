import { expect, test } from '@jest/globals';
import { formatProfile, summariseProfile, summariseThreads, type CpuProfile } from '../../scripts/bench/profile-summary.ts';

const frame = (functionName: string, url = '') => ({ functionName, url });

// A profile as node writes it: a call tree, the node each sample landed on, and the gaps between samples.
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5, 7, 8] },
    { id: 2, callFrame: frame('(garbage collector)') },
    { id: 3, callFrame: frame('(idle)') },
    { id: 4, callFrame: frame('toDoc', 'file:///repo/src/sources/sqlite/sqlite-source.ts'), children: [6] },
    { id: 5, callFrame: frame('encodeRow', 'file:///repo/src/target/copy-text.ts') },
    // A builtin under the SQLite reader: no category of its own, so it takes its caller's.
    { id: 6, callFrame: frame('from', 'node:buffer') },
    // A socket write from a libuv callback: nothing on the stack above it.
    { id: 7, callFrame: frame('writeBuffer') },
    { id: 8, callFrame: frame('(program)') },
  ],
  samples: [4, 6, 5, 2, 3, 7, 8, 4],
  // Each sample lasts until the next one (as DevTools counts): sample i gets timeDeltas[i + 1].
  timeDeltas: [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000],
  startTime: 0,
  endTime: 28000,
};

test('self time goes to each stage; a frame with no stage takes its caller’s; idle is left out of the shares', () => {
  const s = summariseProfile(profile);
  const ms = Object.fromEntries(s.byCategory.map((c) => [c.category, c.ms]));
  expect(ms['sqlite read']).toBe(3); // toDoc 1 ms + Buffer.from under it 2 ms
  expect(ms['COPY encode']).toBe(3);
  expect(ms['GC']).toBe(4);
  expect(ms['pg driver']).toBe(6);
  expect(ms['other']).toBe(7);
  expect(ms['transform/convert']).toBe(0);
  expect(s.idleMs).toBe(5);
  expect(s.busyMs).toBe(23);
  expect(s.byCategory.reduce((a, c) => a + c.share, 0)).toBeCloseTo(1, 10);
  expect(s.topFunctions[0]).toMatchObject({ name: '(program)', category: 'other', ms: 7 });
  expect(s.topFunctions.find((f) => f.name.startsWith('from'))).toMatchObject({ category: 'sqlite read', ms: 2 });
  expect(s.topFunctions.some((f) => f.name === '(idle)')).toBe(false);
});

test('the threads of a run add up by stage and function, each thread’s busy and idle time kept', () => {
  // A worker thread's profile: the SQLite reader 10 ms, GC 2 ms, idle 3 ms.
  const worker: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
      { id: 2, callFrame: frame('toDoc', 'file:///repo/src/sources/sqlite/sqlite-source.ts') },
      { id: 3, callFrame: frame('(garbage collector)') },
      { id: 4, callFrame: frame('(idle)') },
    ],
    samples: [2, 3, 4, 2],
    timeDeltas: [0, 4000, 2000, 3000, 6000],
    startTime: 0,
    endTime: 15000,
  };
  const s = summariseThreads([profile, worker]);
  const ms = Object.fromEntries(s.byCategory.map((c) => [c.category, c.ms]));
  expect(s.threads).toEqual([
    { busyMs: 23, idleMs: 5 },
    { busyMs: 12, idleMs: 3 },
  ]);
  expect(s.busyMs).toBe(35);
  expect(s.idleMs).toBe(8);
  expect(ms['sqlite read']).toBe(13);
  expect(ms['GC']).toBe(6);
  expect(s.byCategory.reduce((a, c) => a + c.share, 0)).toBeCloseTo(1, 10);
  expect(s.topFunctions.find((f) => f.name.startsWith('toDoc'))).toMatchObject({ ms: 11 });
  expect(formatProfile(s)).toContain('sampled on 2 threads, added up (main 23 busy, 5 idle; worker 1 12 busy, 3 idle;');
});
