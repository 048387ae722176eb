import type { Row } from '../check/row-check.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { canonicalValue } from './canonical.ts';

/** A column whose canonical value differs: what the source gives now, what the target holds. */
export interface ColumnDifference {
  column: string;
  expected: string;
  actual: string;
}

/** Columns whose values differ between the expected row (Prisma field names) and the target row (column names). */
export function differingColumns(model: ModelSpec, expected: Row, actual: Record<string, unknown>): ColumnDifference[] {
  const out: ColumnDifference[] = [];
  for (const column of model.columns) {
    const want = canonicalValue(column, expected[column.field] ?? null);
    const got = canonicalValue(column, actual[column.column] ?? null);
    if (want !== got) out.push({ column: column.column, expected: want, actual: got });
  }
  return out;
}

export function describeDifferences(diffs: readonly ColumnDifference[]): string {
  const shorten = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
  return diffs.map((d) => `${d.column}: expected ${shorten(d.expected)}, found ${shorten(d.actual)}`).join('; ');
}
