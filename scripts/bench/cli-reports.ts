import { readFileSync } from 'node:fs';
import { z } from 'zod';

const count = z.number().int().nonnegative();

/** What the bench reads of `migration:baseline --json` (src/baseline/baseline.ts BaselineReport). */
export const BaselineJson = z.object({
  same: z.boolean(),
  seconds: z.number(),
  models: z.array(
    z.object({
      model: z.string(),
      source: count,
      new: count,
      changed: count,
      deleted: count,
      unchanged: count,
      wasRejected: count,
      nowRejects: count,
      stillRejected: count,
      /** The first few ids per kind: the bench checks the changed ones a baseline after a --since sync names. */
      examples: z.object({ changed: z.array(z.object({ sourceId: z.string() })).optional() }).optional(),
    }),
  ),
  totals: z.object({ source: count, target: count, new: count, changed: count, deleted: count, unchanged: count, wasRejected: count, nowRejects: count }),
});
export type BaselineJson = z.infer<typeof BaselineJson>;

/** What the bench reads of `migration:sync --json`: per model, what it applied. */
export const SyncJson = z.object({
  models: z.array(z.object({ model: z.string(), inserted: count, updated: count, deleted: count, rejected: count })),
});
export type SyncJson = z.infer<typeof SyncJson>;

/** A JSON report a command printed to `file`, checked against `schema`; the problem as text otherwise. */
export function readReport<T>(file: string, schema: z.ZodType<T>): { ok: true; report: T } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { ok: false, problem: `no JSON report in ${file} (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: `the JSON report ${file} is not as expected: ${z.prettifyError(parsed.error).split('\n').slice(0, 3).join(' ')}` };
  return { ok: true, report: parsed.data };
}
