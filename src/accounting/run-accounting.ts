import type pg from 'pg';
import type { Plan } from '../plan/plan.ts';
import type { Source } from '../sources/source.ts';
import { buildAccounting, modelAccounting, type FieldAccounting, type FieldCount, type UnmappedPolicy } from './field-accounting.ts';
import { readFields } from './field-state.ts';

/** A run's accounting from what its committed batches counted, plus the collections no model reads. */
export async function runAccounting(pool: pg.Pool, runId: string, plan: Plan, source: Source, policy: UnmappedPolicy): Promise<FieldAccounting> {
  const counts = await readFields(pool, runId);
  return accountingOf(plan, source, policy, (model) => counts.get(model) ?? []);
}

export async function accountingOf(plan: Plan, source: Source, policy: UnmappedPolicy, countsOf: (model: string) => Iterable<FieldCount>): Promise<FieldAccounting> {
  const models = plan.phases.flat().map((p) => modelAccounting(p.model, p.collection, countsOf(p.model)));
  const unread = [];
  // Counting walks a dump file's length prefixes or asks the server: no document is read.
  for (const collection of plan.unmapped) unread.push({ collection, documents: await source.count(collection) });
  return buildAccounting(policy, models, unread);
}
