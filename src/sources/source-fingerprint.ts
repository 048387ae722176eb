import { z } from 'zod';

/** One measure of a part of a source: a count, a size, a time, a short hash, an encoded id. */
export type Measure = string | number | null;

/**
 * What a source looked like when a run read it, cheap to take: sizes, times, counts, the
 * highest key and hashes of file heads and tails, never a whole file or collection. Each
 * part (a file, a table, a collection) has named measures, so a difference names both.
 *
 * @example { takenAt: '2026-12-01T20:00:00.000Z', parts: { 'collection users': { documents: 120, 'max _id': '{"$oid":"…"}' } } }
 */
export interface SourceFingerprint {
  /** When it was taken (ISO); shown to people, never compared. */
  takenAt: string;
  parts: Record<string, Record<string, Measure>>;
}

/** The shape stored in `_migration.runs.source_fingerprint`, checked when read back. */
export const sourceFingerprintSchema = z.object({
  takenAt: z.string(),
  parts: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
});

/**
 * The differences between two fingerprints of a source, one line per changed measure, in the
 * order the parts were first seen: `table "Track": rows 3503 → 3504`. Empty when nothing changed.
 */
export function compareFingerprints(before: SourceFingerprint, after: SourceFingerprint): string[] {
  const differences: string[] = [];
  const parts = [...new Set([...Object.keys(before.parts), ...Object.keys(after.parts)])];
  for (const part of parts) {
    const was = before.parts[part];
    const now = after.parts[part];
    if (!was) {
      differences.push(`${part}: new`);
      continue;
    }
    if (!now) {
      differences.push(`${part}: gone`);
      continue;
    }
    for (const measure of new Set([...Object.keys(was), ...Object.keys(now)])) {
      const a = was[measure] ?? null;
      const b = now[measure] ?? null;
      if (a !== b) differences.push(`${part}: ${measure} ${show(a)} → ${show(b)}`);
    }
  }
  return differences;
}

function show(value: Measure): string {
  if (value === null) return 'none';
  return typeof value === 'number' ? value.toLocaleString('en-US') : value;
}
