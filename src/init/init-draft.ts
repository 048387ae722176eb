/**
 * What one way of starting (`--dump`/`--mongo-url`, `--prisma-mongo`, `--sqlite`) hands back
 * for `migration:init` to write into the output folder.
 */
export interface InitDraft {
  /** `schema.prisma`: validated by Prisma's own validator. */
  schema: string;
  /** `migration.yaml`: validated against the run's own config schema. */
  config: string;
  /** Further files by name (`fields.md`, `fields.json`, `conversion.md`). */
  files: Record<string, string>;
  /** Lines printed at the end: what was read, what was decided, what is left to decide. */
  summary: string[];
}

/** Where the files go, and the names the config uses to point at them (relative to where the tool runs). */
export interface InitOutput {
  dir: string;
  schemaPath: string;
  configPath: string;
}
