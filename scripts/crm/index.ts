// Library entry point of the CRM sample: tests build it here without going through the CLI.
export { CRM_COLLECTIONS, crmCountsFor } from './counts.ts';
export type { CrmCollection } from './counts.ts';
export { generateCrm } from './crm-sample.ts';
export type { CrmOptions, CrmSample } from './crm-sample.ts';
export type { CrmDirtKind, CrmDirtRecord, CrmExpected } from './dirt.ts';
export type { QuirkRecord } from './records.ts';
export { crmManifestOf, writeCrmDump, writeCrmSidecars } from './sidecars.ts';
export type { CrmManifest } from './sidecars.ts';
export { writeMongo } from '../sample/mongo-writer.ts';
