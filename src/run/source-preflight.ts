import { ConfigError } from '../config/load-config.ts';
import type { Plan } from '../plan/plan.ts';
import type { Source } from '../sources/source.ts';
import { classifyError } from '../target/errors.ts';

/**
 * Refuses a source that cannot be what the user meant, before any database is touched: one
 * with no collection at all (a misspelled database name reads as an empty one), or one of
 * which no model of the schema reads anything (the wrong schema, or the wrong source).
 * Without this, both "succeed" with zero records and a target full of empty tables.
 */
export async function refuseUnrelatedSource(source: Source, plan: Plan, collections: readonly string[], schemaFile: string, tableOf: (model: string) => string): Promise<void> {
  if (collections.length === 0) {
    throw new ConfigError(`${source.identity} has no collections or tables: is the database name or path right? Nothing was changed.`);
  }
  const sourced = plan.phases.flat();
  if (sourced.length === 0) {
    const wanted = plan.unsourced.slice(0, 12).map((m) => `${tableOf(m)} (${m})`).join(', ');
    throw new ConfigError(
      `no model of ${schemaFile} reads a collection of ${source.identity}: the models look for ${wanted}${plan.unsourced.length > 12 ? ', …' : ''}; ` +
        `the source has ${collections.slice(0, 12).join(', ')}${collections.length > 12 ? ', …' : ''}. ` +
        `Name a model's collection with models.<Model>.collection in the config, or check --schema and the source. Nothing was changed.`,
    );
  }
}

/**
 * Counts every planned collection before the target is touched. Counting walks a dump file's
 * length prefixes, so a truncated or corrupt file is found here, not after the tables exist.
 */
export async function countSource(source: Source, plan: Plan): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const p of plan.phases.flat()) {
    if (counts.has(p.collection)) continue;
    try {
      counts.set(p.collection, await source.count(p.collection));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigError(`${source.identity}: ${p.collection} cannot be read: ${reason}. Nothing was changed in the target; fix the source and run the same command again.`);
    }
  }
  return counts;
}

/**
 * Planning reads a little of the source (which arrays fill which junction). A file that cannot
 * be read there is the same bad input as in the count below: exit 2, nothing changed. A server
 * that went away is not, and stays an error to retry.
 */
export async function unreadableAsBadInput<T>(source: Source, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ConfigError || classifyError(error) === 'transient') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${source.identity} cannot be read: ${reason}. Nothing was changed in the target; fix the source and run the same command again.`);
  }
}
