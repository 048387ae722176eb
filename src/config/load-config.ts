import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type MigrationConfig } from './config-schema.ts';
import { ConfigError } from './config-error.ts';
import { importUserModule } from './import-user-module.ts';

export { ConfigError };

/** A plain object of settings (from a file, the environment or flags), deep-merged in that order. */
export type ConfigLayer = Record<string, unknown>;

/**
 * Reads a YAML, JSON or TypeScript config file over `defaults`, merges the `overrides`
 * (environment, then flags) over it, and validates the result. Errors name the key and, for
 * YAML, its line.
 */
export async function loadConfig(file: string | undefined, layers: { defaults?: ConfigLayer; overrides?: ConfigLayer[] } = {}): Promise<MigrationConfig> {
  const { data, locate } = file ? await readConfigFile(file) : { data: {}, locate: () => undefined };
  const merged = [data, ...(layers.overrides ?? [])].reduce<ConfigLayer>((acc, layer) => deepMerge(acc, layer), layers.defaults ?? {});
  const result = configSchema.safeParse(merged);
  if (result.success) return result.data;
  throw new ConfigError(formatIssues(result.error.issues, file, locate));
}

/** The settings a config file holds, before defaults and validation: which keys it sets. */
export async function readConfigLayer(file: string): Promise<ConfigLayer> {
  return (await readConfigFile(file)).data;
}

async function readConfigFile(file: string): Promise<{ data: ConfigLayer; locate: (path: PropertyKey[]) => number | undefined }> {
  const path = resolve(file);
  if (!existsSync(path)) throw new ConfigError(`config file ${file} does not exist`);
  const ext = extname(path);
  if (ext === '.ts' || ext === '.js' || ext === '.mjs') {
    const mod = await importUserModule(path);
    const data = (mod as { default?: unknown }).default;
    if (!isRecord(data)) throw new ConfigError(`${file} must export default a config object`);
    return { data, locate: () => undefined };
  }
  const text = readFileSync(path, 'utf8');
  if (ext === '.json') {
    try {
      const data: unknown = JSON.parse(text);
      if (!isRecord(data)) throw new ConfigError(`${file} must hold a JSON object`);
      return { data, locate: () => undefined };
    } catch (error) {
      throw new ConfigError(`${file}: ${(error as Error).message}`);
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new ConfigError(`${file}:${first?.linePos?.[0]?.line ?? '?'}: ${first?.message ?? 'invalid YAML'}`);
  }
  const data: unknown = doc.toJS();
  if (data !== null && data !== undefined && !isRecord(data)) throw new ConfigError(`${file} must hold a mapping of settings`);
  const locate = (path: PropertyKey[]): number | undefined => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n).map(String), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { data: (data as ConfigLayer | null) ?? {}, locate };
}

function formatIssues(issues: readonly z.core.$ZodIssue[], file: string | undefined, locate: (path: PropertyKey[]) => number | undefined): string {
  const lines = issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    const line = file ? locate(issue.path) : undefined;
    const where = file ? `${file}${line ? `:${line}` : ''}: ` : '';
    const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return `${where}${key}: ${issue.message}${unknownKeys}`;
  });
  return `invalid configuration:\n  ${lines.join('\n  ')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Later layers win key by key, so a flag overrides only what it names (`--sqlite other.db` keeps
 * the file's `mode`, cast rules and time zone). A `source` of another kind replaces the whole
 * section: a SQLite path next to a MongoDB url would be nonsense, not a merge.
 */
function deepMerge(base: ConfigLayer, over: ConfigLayer): ConfigLayer {
  const out: ConfigLayer = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    const merge = isRecord(current) && isRecord(value) && (key !== 'source' || current['kind'] === value['kind']);
    out[key] = merge ? deepMerge(current, value) : value;
  }
  return out;
}
