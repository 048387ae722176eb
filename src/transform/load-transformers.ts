import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config/config-error.ts';
import { importUserModule } from '../config/import-user-module.ts';
import type { Transformer } from './types.ts';

const transformerShape = z.object({
  model: z.string(),
  derives: z.record(z.string(), z.string()).optional(),
  transform: z.custom<Transformer['transform']>((v) => typeof v === 'function', 'must be a function'),
});

/** The bundled sample app's schema and transformers: used together, and only together, by default. */
export const SAMPLE_SCHEMA = 'prisma/schema.prisma';
export const SAMPLE_TRANSFORMERS = 'transformers/index.ts';

/**
 * Which transformers module a run uses: the one the config names (it must exist), else the
 * bundled one when the schema is the bundled one. A user's own schema does not pick up the
 * sample's transformers just because it also has a model called `User`.
 */
export function transformersModule(configured: string | undefined, schema: string): string | undefined {
  if (configured !== undefined) {
    if (!existsSync(resolve(configured))) throw new ConfigError(`transformers: ${configured} does not exist`);
    return configured;
  }
  return resolve(schema) === resolve(SAMPLE_SCHEMA) && existsSync(resolve(SAMPLE_TRANSFORMERS)) ? SAMPLE_TRANSFORMERS : undefined;
}

/**
 * Imports the project's hand-written transformers: a module exporting an array of them as
 * `default` or `transformers`. Every model a transformer names (its own and those it derives)
 * must be in the schema; no module means every model uses the default transformer.
 */
export async function loadTransformers(modulePath: string | undefined, models: ReadonlySet<string>, schemaFile: string): Promise<Transformer[]> {
  if (modulePath === undefined) return [];
  const mod = (await importUserModule(modulePath)) as { default?: unknown; transformers?: unknown };
  const list = z.array(transformerShape).safeParse(mod.transformers ?? mod.default);
  if (!list.success) throw new ConfigError(`${modulePath} must export an array of transformers: ${list.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const seen = new Set<string>();
  for (const t of list.data) {
    if (seen.has(t.model)) throw new ConfigError(`${modulePath} has two transformers for ${t.model}`);
    seen.add(t.model);
    const unknown = [t.model, ...Object.keys(t.derives ?? {})].filter((m) => !models.has(m));
    if (unknown.length > 0) throw new ConfigError(`${modulePath}: the transformer for ${t.model} names ${unknown.join(', ')}, which ${schemaFile} has no model of`);
  }
  return list.data as Transformer[];
}
