import type { Logger } from '../log/logger.ts';
import type { FieldAccounting } from './field-accounting.ts';

/**
 * Every path of the accounting in the log file, one structured event each (debug level: the
 * console already has the summary's section on stdout), then one console line if anything is
 * left behind.
 */
export function logAccounting(a: FieldAccounting, logger: Logger): void {
  for (const m of a.models) {
    for (const f of m.fields) {
      logger.debug(`field ${m.model}: ${m.collection}.${f.path}: ${f.use}${f.detail ? ` (${f.detail})` : ''} in ${f.documents} document(s), e.g. ${f.example ?? '(no id)'}`, {
        event: 'field',
        model: m.model,
        collection: m.collection,
        path: f.path,
        use: f.use,
        detail: f.detail,
        documents: f.documents,
        example: f.example,
      });
    }
  }
  for (const c of a.unreadCollections) logger.debug(`collection ${c.collection}: no model reads it (${c.documents} document(s))`, { event: 'collection-unread', ...c });
  if (a.leftBehind > 0 || a.unreadCollections.length > 0) {
    const what = [a.leftBehind > 0 ? `${a.leftBehind} source field(s)` : '', a.unreadCollections.length > 0 ? `${a.unreadCollections.length} collection(s)` : ''].filter(Boolean).join(' and ');
    const message = `${what} left behind: read by no column, link or transformer (see FIELDS LEFT BEHIND above)`;
    if (a.policy === 'fail' && a.leftBehind > 0) logger.error(`${message}; unmappedFields is fail, so the tool cannot vouch for the result`);
    else logger.warn(message);
  }
}
