import type { MigrationConfig } from '../config/config-schema.ts';
import type { Source } from './source.ts';

/**
 * Opens the configured source. Each kind's module is imported here, when it is opened, so a run
 * loads one driver: a SQLite copy never loads the MongoDB driver, a dump never loads either.
 */
export async function openSource(config: MigrationConfig['source']): Promise<Source> {
  switch (config.kind) {
    case 'mongodb': {
      const { openMongoSource } = await import('./mongodb/mongodb-source.ts');
      return openMongoSource(config.url, config.database);
    }
    case 'mongodump': {
      const { openMongodumpSource } = await import('./mongodump/mongodump-source.ts');
      return openMongodumpSource(config.path);
    }
    case 'sqlite': {
      const { openSqliteSource } = await import('./sqlite/sqlite-source.ts');
      return openSqliteSource(config.path, { force: config.force, integrityCheck: config.integrityCheck });
    }
  }
}
