import type { Logger } from '../log/logger.ts';
import type { Source } from '../sources/source.ts';
import type { ProgressRow, RunState } from './run-state.ts';

/**
 * A model's source count is taken when the run starts. A live source written to during the
 * run (or between a pause and its resume) then disagrees with what was read, which is not a
 * migrator bug. So a model whose counts do not add up is counted again: when the new count
 * equals written + rejected + skipped, every document there is now was accounted for, and the
 * new count is kept (with a warning). Otherwise a document was added where the reader had
 * already passed (or removed after it was copied): the target does not equal the source, the
 * summary says MISMATCH and the run exits 3; validate:migration names the documents. A removal
 * after the copy with counts that still add up is not seen here: validate:migration finds it.
 */
export async function recountChangedSources(progress: readonly ProgressRow[], source: Source, state: RunState, logger: Logger): Promise<ProgressRow[]> {
  const out: ProgressRow[] = [];
  for (const row of progress) {
    const accounted = row.written + row.rejected + row.skipped;
    if (row.source_count === accounted) {
      out.push(row);
      continue;
    }
    const now = await source.count(row.collection);
    if (now === accounted) {
      logger.warn(`        ${row.model}: the source changed during the run (${row.source_count} documents when it started, ${now} now); every one of the ${now} is accounted for`);
      await state.setSourceCount(row.model, now);
      out.push({ ...row, source_count: now });
    } else {
      logger.error(`        ${row.model}: ${row.source_count} documents when the run started, ${now} now, ${accounted} accounted for: the source changed while it was read (a document added where the reader had already passed, or removed after it was copied); run validate:migration to see which`);
      out.push(row);
    }
  }
  return out;
}
