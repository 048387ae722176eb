import { hasPassword, withoutPassword } from '../log/mask.ts';

/**
 * What a person runs to take the migration back out of the target: only what the tool created
 * or loaded. The connection string goes in without its password (psql asks for it, or reads
 * PGPASSWORD / ~/.pgpass): a masked `****` in it would only fail to log in.
 */
export function rollbackInstructions(target: string, tables: readonly string[], enums: readonly string[]): string {
  const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
  const types = enums.length > 0 ? ` DROP TYPE ${enums.map(quote).join(', ')};` : '';
  const url = withoutPassword(target).replace(/'/g, `'\\''`);
  return [
    'to roll this migration back (the tool made nothing else in the target):',
    `    psql '${url}' -c 'DROP TABLE ${tables.map(quote).join(', ')} CASCADE;${types} DROP SCHEMA _migration CASCADE;'`,
    ...(hasPassword(target) ? ['  (psql asks for the password, or set PGPASSWORD)'] : []),
    '  (or start over in place: the same command with --restart)',
  ].join('\n');
}
