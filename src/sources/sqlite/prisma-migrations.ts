import type { SkippedTable, SqliteTable } from './sqlite-schema.ts';

/**
 * Prisma Migrate's own history table, as `prisma migrate` creates it in a SQLite database.
 * It is not application data: its rows record SQLite migrations (their SQL and checksums)
 * that do not apply to PostgreSQL, and Prisma keeps the table out of the schemas it renders,
 * so copying it would write rows Prisma would read as migrations applied to this database.
 * The team re-baselines instead (MIGRATION_README.md, "A Prisma app's SQLite file").
 */
export const PRISMA_MIGRATIONS = '_prisma_migrations';

const PRISMA_COLUMNS = ['id', 'checksum', 'migration_name', 'finished_at', 'started_at', 'applied_steps_count'];

export function isPrismaMigrations(table: SqliteTable): boolean {
  const names = new Set(table.columns.map((c) => c.name));
  return table.name === PRISMA_MIGRATIONS && PRISMA_COLUMNS.every((c) => names.has(c));
}

export function skipPrismaMigrations(tables: readonly SqliteTable[], rows: (table: string) => number): { kept: SqliteTable[]; skipped: SkippedTable[] } {
  const skipped = tables.filter(isPrismaMigrations).map((t) => ({
    name: t.name,
    reason: `Prisma Migrate's history of the SQLite migrations (${rows(t.name)} row(s)): their SQL does not apply to PostgreSQL; re-baseline with prisma migrate diff and prisma migrate resolve (MIGRATION_README.md)`,
  }));
  return { kept: tables.filter((t) => !isPrismaMigrations(t)), skipped };
}
