import pg from 'pg';
import { parseIsoDate } from '../transform/convert.ts';

/**
 * node-postgres reads `date` and `timestamp without time zone` in the machine's local time
 * zone. Validation must not depend on where it runs: dates stay text, timestamps are UTC.
 */
/** PostgreSQL's ISO output (`2024-01-01 10:00:00.123456+02`, `…Z` added for zone-less) as a date with its microseconds. */
function timestampText(text: string): Date | string {
  const iso = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00').replace(/([+-]\d\d):?(\d\d):\d\d$/, '$1:$2');
  return parseIsoDate(iso) ?? text;
}

export function validationPool(url: string): pg.Pool {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === 1082) return (text: string) => text;
      // Timestamps keep their microseconds (a JavaScript Date alone stops at milliseconds).
      if (oid === 1114) return (text: string) => timestampText(`${text}Z`);
      if (oid === 1184) return (text: string) => timestampText(text);
      return pg.types.getTypeParser(oid, format);
    },
  } as unknown as pg.CustomTypesConfig;
  const pool = new pg.Pool({ connectionString: url, max: 3, types, application_name: 'prisma-pg-migrator validate' });
  pool.on('error', () => {});
  return pool;
}

