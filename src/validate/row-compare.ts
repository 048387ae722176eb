import type { Row } from '../check/row-check.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { canonicalValue } from './canonical.ts';

/** Columns whose values differ between the expected row (Prisma field names) and the target row (column names). */
export function differingColumns(model: ModelSpec, expected: Row, actual: Record<string, unknown>): { column: string; expected: string; actual: string }[] {
  const out: { column: string; expected: string; actual: string }[] = [];
  for (const column of model.columns) {
    const want = canonicalValue(column, expected[column.field] ?? null);
    const got = canonicalValue(column, actual[column.column] ?? null);
    if (want !== got) out.push({ column: column.column, expected: want, actual: got });
  }
  return out;
}

export function describeDifferences(diffs: readonly { column: string; expected: string; actual: string }[]): string {
  const shorten = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
  return diffs.map((d) => `${d.column}: expected ${shorten(d.expected)}, found ${shorten(d.actual)}`).join('; ');
}
