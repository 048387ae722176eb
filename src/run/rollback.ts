import { hasPassword, withoutPassword } from '../log/mask.ts';
import { quoteIdent, STATE_SCHEMA } from '../target/identifiers.ts';
import { shellQuote } from './shell-quote.ts';

/**
 * What a person runs to take the migration back out of the target: only what the tool created
 * or loaded, each table named in the target schema (so a loaded table called
 * `_migration.loaded_tables` is that table, not the tool's bookkeeping), and the SQL quoted for
 * a POSIX shell (a table name may hold a single quote). The connection string goes in without
 * its password (psql asks for it, or reads PGPASSWORD / ~/.pgpass): `****` would only fail to log in.
 */
export function rollbackInstructions(target: string, schema: string, tables: readonly string[], enums: readonly string[]): string {
  const inSchema = (n: string) => `${quoteIdent(schema)}.${quoteIdent(n)}`;
  // An empty list would print `DROP TABLE  CASCADE`, which psql refuses: nothing to drop, no statement.
  tables = tables.filter((t) => t !== '');
  enums = enums.filter((e) => e !== '');
  const statements = [
    ...(tables.length > 0 ? [`DROP TABLE ${tables.map(inSchema).join(', ')} CASCADE;`] : []),
    ...(enums.length > 0 ? [`DROP TYPE ${enums.map(inSchema).join(', ')};`] : []),
    `DROP SCHEMA ${quoteIdent(STATE_SCHEMA)} CASCADE;`,
  ];
  return [
    'to roll this migration back (the tool made nothing else in the target):',
    `    psql ${shellQuote(withoutPassword(target))} -c ${shellQuote(statements.join(' '))}`,
    ...(hasPassword(target) ? ['  (psql asks for the password, or set PGPASSWORD)'] : []),
    '  (or start over in place: the same command with --restart)',
  ].join('\n');
}
