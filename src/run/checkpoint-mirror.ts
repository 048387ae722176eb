import type { FieldAccounting } from '../accounting/field-accounting.ts';
import { writeCheckpointFile } from './checkpoint-file.ts';
import type { ProgressRow, RunPhase, RunStatus } from './run-state.ts';

const MIRROR_INTERVAL_MS = 1000;

/**
 * The checkpoint file, kept in memory between batches and rewritten after each commit. It
 * starts from the database's progress rows and is rebuilt from them at every phase change.
 */
export class CheckpointMirror {
  private progress: ProgressRow[];
  private status: RunStatus = 'running';
  private phase: RunPhase = 'load';
  private fields: FieldAccounting | undefined;
  constructor(
    private readonly dir: string,
    private readonly run: { runId: string; configHash: string; source: string; target: string; resumeCommand: string },
    progress: ProgressRow[],
  ) {
    this.progress = progress;
  }
  model(name: string): ProgressRow | undefined {
    return this.progress.find((p) => p.model === name);
  }
  update(name: string, patch: Partial<ProgressRow>): void {
    this.progress = this.progress.map((p) => (p.model === name ? { ...p, ...patch } : p));
  }
  /** The run's field accounting, written into the file from now on (the archived copy keeps it). */
  setFields(fields: FieldAccounting): void {
    this.fields = fields;
  }
  private lastWrite = 0;
  /**
   * After a batch: the file is rewritten at most once per second (a rewrite and its backup link
   * cost milliseconds on a slow disk, a batch can take less). The target holds the authoritative
   * checkpoint of every batch; the file only mirrors it, so a second behind loses nothing.
   * Every status or phase change still writes at once.
   */
  writeSoon(): void {
    if (performance.now() - this.lastWrite >= MIRROR_INTERVAL_MS) this.write();
  }
  write(status: RunStatus = this.status, phase: RunPhase = this.phase, fresh?: ProgressRow[]): string {
    this.lastWrite = performance.now();
    if (fresh) this.progress = fresh;
    this.status = status;
    this.phase = phase;
    return writeCheckpointFile(this.dir, { ...this.run, status, phase }, this.progress, this.fields);
  }
}
