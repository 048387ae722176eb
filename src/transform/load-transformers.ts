import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { Transformer } from './types.ts';

const transformerShape = z.object({
  model: z.string(),
  derives: z.record(z.string(), z.string()).optional(),
  transform: z.custom<Transformer['transform']>((v) => typeof v === 'function', 'must be a function'),
});

/**
 * Imports the project's hand-written transformers: a module exporting an array of them as
 * `default` or `transformers`. A missing module means every model uses the default transformer.
 */
export async function loadTransformers(modulePath: string): Promise<Transformer[]> {
  const path = resolve(modulePath);
  if (!existsSync(path)) return [];
  const mod = (await import(pathToFileURL(path).href)) as { default?: unknown; transformers?: unknown };
  const list = z.array(transformerShape).safeParse(mod.transformers ?? mod.default);
  if (!list.success) throw new Error(`${modulePath} must export an array of transformers: ${list.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const seen = new Set<string>();
  for (const t of list.data) {
    if (seen.has(t.model)) throw new Error(`${modulePath} has two transformers for ${t.model}`);
    seen.add(t.model);
  }
  return list.data as Transformer[];
}
