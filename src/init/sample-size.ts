import { ConfigError } from '../config/config-error.ts';

/** How many documents of each collection init reads: a count, or a share of the collection. */
export type SampleSize = { kind: 'count'; count: number } | { kind: 'share'; percent: number };

export function parseSampleSize(text: string): SampleSize {
  const share = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (share) {
    const percent = Number(share[1]);
    if (percent > 0 && percent <= 100) return { kind: 'share', percent };
  } else if (/^\d+$/.test(text.trim()) && Number(text) >= 1) {
    return { kind: 'count', count: Number(text) };
  }
  throw new ConfigError(`--sample ${text}: expected a count of documents (1000) or a share of each collection (5%)`);
}

/** The number of documents to read from a collection of `total`. */
export function sampleCount(size: SampleSize, total: number): number {
  return Math.min(total, size.kind === 'count' ? size.count : Math.max(1, Math.ceil((total * size.percent) / 100)));
}

/** "1,000 of 24,310 documents (4.1%)". */
export function describeSample(read: number, total: number): string {
  const share = total === 0 ? '' : ` (${((100 * read) / total).toFixed(read === total ? 0 : 1)}%)`;
  return `${read.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} document(s)${share}`;
}
