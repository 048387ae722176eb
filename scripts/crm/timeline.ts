import type { Timeline } from '../sample/ids.ts';
import type { CrmCollection } from './counts.ts';

const DAY_S = 86_400;
/** The CRM went live on 2019-01-01 and the dump was taken in mid-2025. */
export const CRM_EPOCH_S = Date.UTC(2019, 0, 1) / 1000;
export const CRM_END_S = Date.UTC(2025, 5, 1) / 1000;
const HISTORY_S = CRM_END_S - CRM_EPOCH_S - 60 * DAY_S;
// Stages and tags were set up in the first month, before any deal used them.
const SETUP_S = 30 * DAY_S;

export const CRM_TIMELINE: Timeline<CrmCollection> = {
  epochSeconds: CRM_EPOCH_S,
  span: (collection) => (collection === 'dealStages' || collection === 'tags' ? SETUP_S : HISTORY_S),
};
