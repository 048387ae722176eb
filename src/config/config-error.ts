/**
 * Bad input: flags, configuration or input files. The CLIs exit 2 for it, wherever the library
 * threw it. A file of its own so that a CLI can tell it apart before the config loader (yaml,
 * zod) is imported.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
