import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { FieldAccounting } from '../accounting/field-accounting.ts';
import { maskSecrets } from '../log/mask.ts';
import { ConfigError } from '../config/load-config.ts';
import type { ProgressRow, RunPhase, RunStatus } from './run-state.ts';

export const CHECKPOINT_FORMAT = 1;

const checkpointSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  runId: z.string(),
  configHash: z.string(),
  source: z.string(),
  target: z.string(),
  status: z.enum(['running', 'paused', 'failed', 'completed']),
  phase: z.enum(['prepare', 'load', 'complete', 'done']),
  updatedAt: z.string(),
  resumeCommand: z.string(),
  models: z.record(
    z.string(),
    z.object({
      collection: z.string(),
      status: z.string(),
      cursor: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
      sourceCount: z.number(),
      read: z.number(),
      written: z.number(),
      rejected: z.number(),
      skipped: z.number(),
    }),
  ),
  /** The field accounting of a completed run (for people reading the archive; a resume recounts from the target). */
  fields: z
    .object({
      policy: z.enum(['warn', 'fail']),
      leftBehind: z.number(),
      models: z.array(z.object({ model: z.string(), collection: z.string(), fields: z.array(z.object({ path: z.string(), use: z.string(), detail: z.string(), documents: z.number(), example: z.string().nullable() })) })),
      unreadCollections: z.array(z.object({ collection: z.string(), documents: z.number() })),
    })
    .optional(),
});

export type CheckpointFile = z.infer<typeof checkpointSchema>;

export function checkpointPath(dir: string, runId: string): string {
  return join(dir, `${runId}.json`);
}

/**
 * Writes the human-readable mirror of the run state: to a temp file, then renamed over the
 * old one, whose previous content is kept as `.bak`. A crash mid-write leaves a whole file.
 */
export function writeCheckpointFile(
  dir: string,
  run: { runId: string; configHash: string; source: string; target: string; status: RunStatus; phase: RunPhase; resumeCommand: string },
  progress: readonly ProgressRow[],
  fields?: FieldAccounting,
): string {
  mkdirSync(dir, { recursive: true });
  const path = checkpointPath(dir, run.runId);
  const file: CheckpointFile = {
    format: CHECKPOINT_FORMAT,
    ...run,
    // Masked here too, whatever the caller passed: this file is copied to .bak and to the archive.
    source: maskSecrets(run.source),
    target: maskSecrets(run.target),
    resumeCommand: maskSecrets(run.resumeCommand),
    updatedAt: new Date().toISOString(),
    models: Object.fromEntries(
      progress.map((p) => [
        p.model,
        { collection: p.collection, status: p.status, cursor: p.cursor, sourceCount: p.source_count, read: p.read, written: p.written, rejected: p.rejected, skipped: p.skipped },
      ]),
    ),
    ...(fields ? { fields } : {}),
  };
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
  // The previous file becomes the backup by a hard link (no copy), then the new one replaces it.
  if (existsSync(path)) {
    rmSync(`${path}.bak`, { force: true });
    linkSync(path, `${path}.bak`);
  }
  renameSync(tmp, path);
  return path;
}

/**
 * The file named with --resume. One that is missing, not JSON or not a checkpoint is bad input
 * (ConfigError, exit 2), named in the message; its `.bak` (the state one commit earlier) is
 * offered when there is one.
 */
export function readCheckpointFile(path: string): CheckpointFile {
  const refuse = (why: string) => {
    const backup = existsSync(`${path}.bak`) ? `; the previous version is ${path}.bak` : '';
    return new ConfigError(`checkpoint file ${path} ${why}${backup} (or leave out --resume: the run is found in the target)`);
  };
  if (!existsSync(path)) throw refuse('does not exist');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw refuse(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = checkpointSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw refuse(`is not a checkpoint of this migrator (${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unexpected content'})`);
  }
  return parsed.data;
}

/**
 * A finished run's checkpoint moves to `archive/<run>-<time>.json` (with its backup), so the
 * record of what happened stays but the next run does not mistake it for one to resume.
 */
export function archiveCheckpoint(dir: string, runId: string): string {
  const path = checkpointPath(dir, runId);
  const archive = join(dir, 'archive');
  mkdirSync(archive, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = join(archive, `${basename(path, '.json')}-${stamp}.json`);
  renameSync(path, target);
  if (existsSync(`${path}.bak`)) renameSync(`${path}.bak`, `${target}.bak`);
  return target;
}
