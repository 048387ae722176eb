import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointPath, readCheckpointFile, type CheckpointFile } from './checkpoint-file.ts';
import type { CheckpointStatus, ModelStatus } from './status-report.ts';

/**
 * The checkpoint file of `runId` against the target's progress rows (the authoritative copy).
 * The live file while the run is unfinished, else the newest archived copy. It agrees when its
 * status and every model's status, cursor and counts are the target's; it is behind when only
 * counts and cursors lag while the run is running (the mirror rewrites it at most once a second,
 * checkpoint-mirror.ts); anything else disagrees (a restored or restarted target, an edited
 * file) and each difference is named. Null when there is no file.
 */
export function checkpointStatus(dir: string, runId: string, status: string, models: readonly ModelStatus[]): CheckpointStatus | null {
  const live = checkpointPath(dir, runId);
  const path = existsSync(live) ? live : newestArchived(dir, runId);
  if (!path) return null;
  const kind = path === live ? 'present' : 'archived';
  let file: CheckpointFile;
  try {
    file = readCheckpointFile(path);
  } catch (error) {
    return { path, kind, agreement: 'disagrees', updatedAt: '', differences: [error instanceof Error ? error.message : String(error)] };
  }
  const differences: string[] = [];
  let lagOnly = status === 'running' && file.status === 'running';
  if (file.runId !== runId) differences.push(`run id ${file.runId} ≠ ${runId}`);
  if (file.status !== status) differences.push(`status ${file.status} ≠ ${status}`);
  for (const m of models) {
    const f = file.models[m.model];
    if (!f) {
      differences.push(`${m.model}: not in the file`);
      lagOnly = false;
      continue;
    }
    const sameCursor = JSON.stringify(f.cursor) === JSON.stringify(m.cursor);
    const counts = (['read', 'written', 'rejected', 'skipped'] as const).filter((k) => f[k] !== m[k]);
    if (sameCursor && counts.length === 0 && f.status === m.status) continue;
    differences.push(`${m.model}: file ${f.status} at ${cursorText(f.cursor)} (${f.written} written), target ${m.status} at ${cursorText(m.cursor)} (${m.written} written)`);
    if (counts.some((k) => f[k] > m[k])) lagOnly = false;
  }
  const agreement = differences.length === 0 ? 'agrees' : lagOnly && file.runId === runId ? 'behind' : 'disagrees';
  return { path, kind, agreement, updatedAt: file.updatedAt, differences };
}

/** "offset=120", "afterId=65a1…", "start" for none. */
export function cursorText(cursor: Readonly<Record<string, string | number>> | null): string {
  if (!cursor || Object.keys(cursor).length === 0) return 'start';
  return Object.entries(cursor)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : String(v)}`)
    .join(' ');
}

/** archive/<run>-<time>.json, newest first by its ISO stamp (archiveCheckpoint). */
function newestArchived(dir: string, runId: string): string | undefined {
  const archive = join(dir, 'archive');
  if (!existsSync(archive)) return undefined;
  const prefix = `${runId}-`;
  const names = readdirSync(archive)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.json') && /^\d{4}-\d\d-\d\dT/.test(n.slice(prefix.length)))
    .sort();
  const newest = names.at(-1);
  return newest === undefined ? undefined : join(archive, newest);
}
