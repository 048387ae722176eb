/** The migrator's exit codes; MIGRATION_README.md documents the same table. */
export const ExitCode = {
  /** Done: every source record is in the target or in the error log. */
  ok: 0,
  /** Stopped by an error (a server unreachable after all retries, a bug); the checkpoint is kept. */
  failed: 1,
  /** Bad flags or configuration; nothing was touched. */
  usage: 2,
  /**
   * Finished, but the tool cannot vouch for the result: more rejected than --max-rejected allows,
   * some model's counts do not add up, or the source changed under the run.
   */
  mismatch: 3,
  /** Paused by Ctrl-C or SIGTERM; run the same command again to resume. */
  paused: 4,
  /**
   * Refused, nothing changed: another run holds the target (one run per target), or a resume
   * found the config, schema, source or target changed (see --force, --restart).
   */
  refused: 5,
} as const;
