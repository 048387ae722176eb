import type pg from 'pg';
import { presentObjects, refusalKey, type ObjectKind, type SourceObject } from '../accounting/schema-objects.ts';
import type { Logger } from '../log/logger.ts';
import { withTransaction } from '../target/transaction.ts';

/** Rows first, then what they must satisfy, then what reads them: a view may use a generated column. */
const ORDER: readonly ObjectKind[] = ['generated-column', 'check', 'index', 'view'];

/**
 * STEP 4, after the load: runs each translated object's statement, each in its own savepoint,
 * so that PostgreSQL itself decides whether the translation holds (a function it lacks, a CHECK
 * the rows break, a view on a column it cannot type). A refusal rolls back that one object and
 * is kept, with PostgreSQL's message, for the summary and the run report. Objects already in the
 * catalog are skipped: a resumed or repeated STEP 4 creates nothing twice. Views are retried
 * while any new one succeeds, since a view may read another created after it.
 *
 * @returns PostgreSQL's refusals, by `refusalKey`.
 */
export async function createSchemaObjects(pool: pg.Pool, objects: readonly SourceObject[], logger: Logger): Promise<Map<string, string>> {
  const refusals = new Map<string, string>();
  await withTransaction(pool, async (client) => {
    const present = await presentObjects(client, objects);
    const todo = ORDER.flatMap((kind) => objects.filter((o, i) => o.kind === kind && o.create !== undefined && !present[i]));
    let pending = todo;
    for (let progress = true; pending.length > 0 && progress; ) {
      progress = false;
      const failed: SourceObject[] = [];
      for (const o of pending) {
        const message = await attempt(client, o.create ?? '');
        if (message === undefined) {
          refusals.delete(refusalKey(o));
          progress ||= o.kind === 'view';
          logger.info(`        created ${o.kind} ${o.name}`);
        } else {
          refusals.set(refusalKey(o), `PostgreSQL refused it: ${message}`);
          failed.push(o);
        }
      }
      // Only a view can start working because another object now exists.
      pending = failed.filter((o) => o.kind === 'view');
    }
  });
  for (const o of objects) {
    const why = refusals.get(refusalKey(o));
    if (why) logger.warn(`        ${o.kind} ${o.name} NOT created: ${why}`);
  }
  return refusals;
}

async function attempt(client: pg.PoolClient, sql: string): Promise<string | undefined> {
  await client.query('SAVEPOINT schema_object');
  try {
    await client.query(sql);
    await client.query('RELEASE SAVEPOINT schema_object');
    return undefined;
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT schema_object');
    return error instanceof Error ? error.message : String(error);
  }
}
