import type { MigrationConfig } from '../config/config-schema.ts';
import { openMongoSource } from './mongodb/mongodb-source.ts';
import { openMongodumpSource } from './mongodump/mongodump-source.ts';
import type { Source } from './source.ts';
import { openSqliteSource } from './sqlite/sqlite-source.ts';

export async function openSource(config: MigrationConfig['source']): Promise<Source> {
  switch (config.kind) {
    case 'mongodb':
      return openMongoSource(config.url, config.database);
    case 'mongodump':
      return openMongodumpSource(config.path);
    case 'sqlite':
      return openSqliteSource(config.path, { force: config.force, integrityCheck: config.integrityCheck });
  }
}
