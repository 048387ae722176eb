import { resolve } from 'node:path';
import type { MigrationConfig } from '../config/config-schema.ts';
import { maskUrl } from '../log/mask.ts';
import { databaseInUrl } from '../sources/mongodb/database-in-url.ts';
import { databaseFolder } from '../sources/mongodump/mongodump-source.ts';
import { defaultRunId } from './run-identity.ts';

/**
 * The run id `migrate` would use with this config and target, without opening the source: the
 * source's identity is rebuilt the way each source names itself (mongodump-source.ts,
 * sqlite-source.ts, mongodb-source.ts; the driver's default database is `test`). Undefined
 * when it cannot be told (a mongodump folder that is not there): the caller then takes the latest run.
 */
export function flagsRunId(config: MigrationConfig, targetUrl: string): string | undefined {
  const source = config.source;
  try {
    const identity =
      source.kind === 'mongodump'
        ? `mongodump:${databaseFolder(resolve(source.path))}`
        : source.kind === 'sqlite'
          ? `sqlite:${source.path}`
          : `${maskUrl(source.url)} db=${source.database ?? databaseInUrl(source.url) ?? 'test'}`;
    return defaultRunId(config, { identity }, targetUrl);
  } catch {
    return undefined;
  }
}
