import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
} from '@prisma/driver-adapter-utils';

/**
 * The schema engine's `diff` from `empty` to a datamodel never reads a database, but it
 * opens a connection first and asks one question: does schema `public` exist (yes: else it
 * would try to create it), and which
 * server version is this. This adapter answers that probe and refuses everything else, so
 * Prisma's DDL can be rendered for `--dry-run` and before any target exists.
 */
export function ddlRenderingAdapter(serverVersionNum = 160000): SqlMigrationAwareDriverAdapterFactory {
  const refuse = (what: string) => (): never => {
    throw new Error(`the offline DDL renderer does not ${what}; it only answers the schema engine's version probe`);
  };
  const connection: SqlDriverAdapter = {
    provider: 'postgres',
    adapterName: 'migrator-offline-ddl',
    getConnectionInfo: () => ({ supportsRelationJoins: true }),
    async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
      if (!/version\(\)/.test(query.sql)) refuse(`run queries (${query.sql.slice(0, 60)})`)();
      return {
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        rows: [[true, `PostgreSQL ${Math.floor(serverVersionNum / 10000)}.0`, serverVersionNum]],
      };
    },
    executeRaw: refuse('execute statements'),
    executeScript: refuse('execute scripts'),
    startTransaction: refuse('open transactions'),
    dispose: async () => {},
  };
  return {
    provider: 'postgres',
    adapterName: 'migrator-offline-ddl',
    connect: async () => connection,
    connectToShadowDb: refuse('open a shadow database'),
  };
}
