import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { writeCheckpointFile } from '../../src/run/checkpoint-file.ts';
import type { ProgressRow } from '../../src/run/run-state.ts';
import { checkpointStatus, cursorText } from '../../src/run/status-checkpoint.ts';
import type { ModelStatus } from '../../src/run/status-report.ts';

const run = { runId: 'mongodump-1', configHash: 'abc', source: 'mongodump:/x', target: 'postgresql://h/db', resumeCommand: 'npm run migrate' };
const row = (model: string, status: ProgressRow['status'], offset: number | null, written: number): ProgressRow => ({
  model, collection: model.toLowerCase(), status, cursor: offset === null ? null : { offset }, source_count: 100, read: written, written, rejected: 0, skipped: 0, batches: written / 20, seconds: 1,
});
const target = (p: ProgressRow): ModelStatus => ({
  model: p.model, collection: p.collection, status: p.status, cursor: p.cursor, sourceCount: p.source_count, read: p.read, written: p.written, rejected: 0, skipped: 0, batches: p.batches, seconds: 1, rowsPerSecond: null, etaSeconds: null,
});

test('the same state agrees; older counts while running are behind; newer counts, another status or a foreign file disagree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'status-ckpt-'));
  const now = [row('User', 'loaded', 100, 100), row('Post', 'loading', 40, 40), row('Tag', 'pending', null, 0)];
  writeCheckpointFile(dir, { ...run, status: 'running', phase: 'load' }, now);
  expect(checkpointStatus(dir, run.runId, 'running', now.map(target))).toMatchObject({ kind: 'present', agreement: 'agrees', differences: [] });

  // The target moved one batch on; the file (rewritten at most once a second) has not yet.
  const later = [now[0], row('Post', 'loading', 60, 60), now[2]].flatMap((r) => (r ? [target(r)] : []));
  const behind = checkpointStatus(dir, run.runId, 'running', later);
  expect(behind).toMatchObject({ agreement: 'behind' });
  expect(behind?.differences).toEqual(['Post: file loading at offset=40 (40 written), target loading at offset=60 (60 written)']);
  // Paused, the file is written at the pause: any lag then is a disagreement.
  expect(checkpointStatus(dir, run.runId, 'paused', later)?.agreement).toBe('disagrees');

  // A target restored from an older backup: the file is ahead of it.
  const earlier = [now[0], row('Post', 'loading', 20, 20), now[2]].flatMap((r) => (r ? [target(r)] : []));
  expect(checkpointStatus(dir, run.runId, 'running', earlier)?.agreement).toBe('disagrees');

  writeFileSync(join(dir, `${run.runId}.json`), '{"not": "a checkpoint"}');
  expect(checkpointStatus(dir, run.runId, 'running', now.map(target))).toMatchObject({ agreement: 'disagrees', differences: [expect.stringMatching(/is not a checkpoint of this migrator/)] });
  expect(checkpointStatus(dir, 'another-run', 'running', [])).toBeNull();
});

test('a cursor in the source’s own terms', () => {
  expect(cursorText(null)).toBe('start');
  expect(cursorText({ offset: 120 })).toBe('offset=120');
  expect(cursorText({ afterId: '65a1', kind: 'objectId' })).toBe('afterId=65a1 kind=objectId');
});
