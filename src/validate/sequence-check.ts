import type pg from 'pg';
import { quoteIdent } from '../target/identifiers.ts';
import type { Findings } from './findings.ts';

/** Identity and serial columns: the next value must be past the highest id already loaded. */
export async function checkSequences(client: pg.PoolClient, tables: readonly string[], findings: Findings): Promise<number> {
  const { rows } = await client.query<{ t: string; c: string; seq: string }>(
    `SELECT c.relname AS t, a.attname AS c, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relname = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
        AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
    [tables],
  );
  for (const r of rows) {
    const { rows: state } = await client.query<{ max: string | null; last: string; called: boolean }>(
      `SELECT (SELECT max(${quoteIdent(r.c)})::text FROM ${quoteIdent(r.t)}) AS max, last_value::text AS last, is_called AS called FROM ${r.seq}`,
    );
    const s = state[0];
    if (!s || s.max === null) continue;
    const next = BigInt(s.last) + (s.called ? 1n : 0n);
    if (next <= BigInt(s.max)) findings.add('sequences', r.t, 'sequence-behind', `${r.t}.${r.c}: the next value ${next} is not past the highest id ${s.max}`, `${r.t}.${r.c}`);
  }
  return rows.length;
}
