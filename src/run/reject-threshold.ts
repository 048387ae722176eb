/** How many rejections a run may have and still be vouched for (config maxRejected, --max-rejected). */
export interface RejectedLimit {
  /** As given: `1%` or `50`. */
  limit: string;
  rejected: number;
  source: number;
  exceeded: boolean;
  /** `rejected 5,171 of 5,422 (95%) > --max-rejected 1%`, or the same with `≤`. */
  message: string;
}

/**
 * Compares the run's rejections with the limit. A count limits the records, a percentage the
 * share of the source records; equal is within. Above it the run is complete (every record is
 * in the target or the error log) but the tool cannot vouch for the result: exit 3.
 */
export function checkRejectedLimit(maxRejected: number | string, rejected: number, source: number): RejectedLimit {
  const text = String(maxRejected);
  const percent = text.endsWith('%') ? Number(text.slice(0, -1)) : undefined;
  const exceeded = percent === undefined ? rejected > Number(text) : source > 0 && (rejected * 100) / source > percent;
  const share = source > 0 ? (rejected * 100) / source : 0;
  // Whole percents from 10% up; below, two decimals (0.21%, 1.03%), so a share just over the limit shows it.
  const shown = share >= 10 ? `${Math.round(share)}%` : `${Number(share.toFixed(2))}%`;
  return {
    limit: text,
    rejected,
    source,
    exceeded,
    message: `rejected ${fmt(rejected)} of ${fmt(source)} (${shown}) ${exceeded ? '>' : '≤'} --max-rejected ${text}`,
  };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
