// Library entry point: tests build samples here without going through the CLI.
export { COLLECTIONS } from './collection-names.ts';
export { IdSpace } from './ids.ts';
export type { Timeline } from './ids.ts';
export type { CollectionName } from './collection-names.ts';
export type { UniqueIndex } from './collections/index.ts';
export type { DirtKind, DirtRecord } from './dirt.ts';
export { MALFORMED_DATE } from './dirt.ts';
export { writeCollections, writeDump } from './dump-writer.ts';
export type { DumpableSample, DumpResult } from './dump-writer.ts';
export { centsToString } from './money.ts';
export type { MoneyMode } from './money.ts';
export { writeMongo } from './mongo-writer.ts';
export type { IndexFailure, MongoWritableSample, MongoWriteResult } from './mongo-writer.ts';
export { generateSample } from './sample.ts';
export type { GenerateOptions, Sample } from './sample.ts';
export { manifestOf, writeSidecars } from './sidecars.ts';
export type { Manifest } from './sidecars.ts';
