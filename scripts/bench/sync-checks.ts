import type { DumpChanges } from './change-dump.ts';
import type { BaselineJson, SyncJson } from './cli-reports.ts';

/** Per model, what the target has to take in: copies are new, mapped updates changed, deletes deleted; unmapped updates are no change. */
export interface ModelExpectation {
  new: number;
  changed: number;
  deleted: number;
}

/**
 * Per model, what the target has to take in. `since`: what a --since between the changed dump's
 * stamps sees, the silent updates (old stamp) left out; new and deleted come from every id all the same.
 */
export function expectedByModel(changes: DumpChanges, since = false): Map<string, ModelExpectation> {
  return new Map(changes.collections.map((c) => [c.model, { new: c.inserted, changed: c.mapped - (since ? c.silent : 0), deleted: c.deleted }]));
}

/** Per model, what --since misses by design: the silent updates, as changed. */
export function missedBySince(changes: DumpChanges): Map<string, ModelExpectation> {
  return new Map(changes.collections.map((c) => [c.model, { new: 0, changed: c.silent, deleted: 0 }]));
}

/** The records a sync writes: new + changed + deleted (unmapped updates leave the target as it is). */
export const changedRecords = (changes: DumpChanges): number => changes.totals.inserted + changes.totals.mapped + changes.totals.deleted;

/**
 * Why a baseline of the changed dump against the before-target is wrong, or nothing: per model
 * and in total exactly the changes made, and nothing that was, or now is, rejected.
 */
export function baselineProblems(report: BaselineJson, changes: DumpChanges, since = false): string[] {
  return differenceProblems(report, expectedByModel(changes, since));
}

/** Where a baseline's new, changed and deleted differ from `expected`, per model and in total, and any rejection change. */
export function differenceProblems(report: BaselineJson, expected: ReadonlyMap<string, ModelExpectation>): string[] {
  const problems: string[] = [];
  for (const m of report.models) {
    const want = expected.get(m.model) ?? { new: 0, changed: 0, deleted: 0 };
    for (const k of ['new', 'changed', 'deleted'] as const) if (m[k] !== want[k]) problems.push(`${m.model} ${k} ${m[k]}, made ${want[k]}`);
    if (m.wasRejected + m.nowRejects > 0) problems.push(`${m.model}: ${m.wasRejected} was-rejected, ${m.nowRejects} now-rejects`);
  }
  for (const model of expected.keys()) if (!report.models.some((m) => m.model === model)) problems.push(`${model}: not in the report`);
  const t = report.totals;
  const total = (k: keyof ModelExpectation) => [...expected.values()].reduce((a, e) => a + e[k], 0);
  for (const k of ['new', 'changed', 'deleted'] as const) if (t[k] !== total(k)) problems.push(`total ${k} ${t[k]}, made ${total(k)}`);
  if (report.same !== (total('new') + total('changed') + total('deleted') === 0)) problems.push(`it says same: ${report.same}`);
  return problems;
}

/** Where the sync's own counts differ from the changes made (inserted, updated, deleted; nothing rejected). */
export function syncCountProblems(report: SyncJson, changes: DumpChanges, since = false): string[] {
  const expected = expectedByModel(changes, since);
  const problems: string[] = [];
  for (const m of report.models) {
    const want = expected.get(m.model) ?? { new: 0, changed: 0, deleted: 0 };
    if (m.inserted !== want.new) problems.push(`${m.model} inserted ${m.inserted}, made ${want.new}`);
    if (m.updated !== want.changed) problems.push(`${m.model} updated ${m.updated}, made ${want.changed}`);
    if (m.deleted !== want.deleted) problems.push(`${m.model} deleted ${m.deleted}, made ${want.deleted}`);
    if (m.rejected !== 0) problems.push(`${m.model} rejected ${m.rejected}`);
  }
  return problems;
}
