/** The migrator's exit codes; MIGRATION_README.md documents the same table. */
export const ExitCode = {
  /** Done: every source record is in the target or in the error log. */
  ok: 0,
  /** Stopped by an error (a server unreachable after all retries, a bug); the checkpoint is kept. */
  failed: 1,
  /** Bad flags, configuration or input files (ConfigError, commander's errors); nothing was touched. */
  usage: 2,
  /**
   * Finished, but the tool cannot vouch that the target equals the source: more rejected than
   * --max-rejected allows, migrate's counts do not add up even after a fresh count of the source,
   * the source changed under the run, a source field is left behind with `unmappedFields: fail`,
   * validate found differences, or migration:errors has open rejections.
   */
  mismatch: 3,
  /** Paused by Ctrl-C, SIGTERM or SIGHUP; run the same command again to resume. */
  paused: 4,
  /**
   * Refused, nothing changed: another run holds the target (one run per target), or a resume
   * found the config, schema, source or target changed (see --force, --restart).
   */
  refused: 5,
} as const;
