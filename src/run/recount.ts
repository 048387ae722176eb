import type { Logger } from '../log/logger.ts';
import type { Source } from '../sources/source.ts';
import type { ProgressRow, RunState } from './run-state.ts';

/**
 * A model's source count is taken when the run starts, and a live source can be written to
 * during the run (or between a pause and its resume). That is not a migrator bug, so at the end
 * the source is counted again and the summary compares what was accounted for (written +
 * rejected + skipped) with the source as it is now:
 * - equal: every document there now is accounted for (a document added ahead of the reader,
 *   or removed before it got there); the new count is kept, with a warning when it moved;
 * - not equal: a document was added where the reader had already passed, or removed after it
 *   was copied. The target does not equal the source: MISMATCH, exit 3; validate:migration
 *   names the documents.
 * A mongodump folder is a file that does not change under a run; it is counted again (a full
 * read of its files) only when its counts already disagree.
 */
export async function recountChangedSources(progress: readonly ProgressRow[], source: Source, state: RunState, logger: Logger): Promise<ProgressRow[]> {
  const out: ProgressRow[] = [];
  for (const row of progress) {
    const accounted = row.written + row.rejected + row.skipped;
    if (source.kind === 'mongodump' && row.source_count === accounted) {
      out.push(row);
      continue;
    }
    const now = await source.count(row.collection);
    if (now === row.source_count) {
      out.push(row);
      continue;
    }
    const changed = `the source changed while it was read (${row.source_count} documents when the run started, ${now} now)`;
    if (now === accounted) {
      logger.warn(`        ${row.model}: ${changed}; every one of the ${now} is accounted for`);
      await state.setSourceCount(row.model, now);
      out.push({ ...row, source_count: now });
    } else {
      logger.error(`        ${row.model}: ${changed}, ${accounted} accounted for: a document was added where the reader had already passed, or removed after it was copied; run validate:migration to see which`);
      out.push({ ...row, source_count: now });
      await state.setSourceCount(row.model, now);
    }
  }
  return out;
}
