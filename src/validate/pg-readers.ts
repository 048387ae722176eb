import pg from 'pg';

/**
 * node-postgres reads `date` and `timestamp without time zone` in the machine's local time
 * zone. Validation must not depend on where it runs: dates stay text, timestamps are UTC.
 */
export function validationPool(url: string): pg.Pool {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === 1082) return (text: string) => text;
      if (oid === 1114) return (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
      return pg.types.getTypeParser(oid, format);
    },
  } as unknown as pg.CustomTypesConfig;
  const pool = new pg.Pool({ connectionString: url, max: 3, types, application_name: 'prisma-pg-migrator validate' });
  pool.on('error', () => {});
  return pool;
}
