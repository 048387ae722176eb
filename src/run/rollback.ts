/** What a person runs to take the migration back out of the target: only what the tool created or loaded. */
export function rollbackInstructions(target: string, tables: readonly string[], enums: readonly string[]): string {
  const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
  const types = enums.length > 0 ? ` DROP TYPE ${enums.map(quote).join(', ')};` : '';
  return [
    'to roll this migration back (the tool made nothing else in the target):',
    `    psql '${target}' -c 'DROP TABLE ${tables.map(quote).join(', ')} CASCADE;${types} DROP SCHEMA _migration CASCADE;'`,
    '  (or start over in place: the same command with --restart)',
  ].join('\n');
}
