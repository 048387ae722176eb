import type pg from 'pg';
import type { ForeignKeyDdl } from '../schema/ddl.ts';
import { quoteIdent, storedIdentifier } from '../target/identifiers.ts';
import { targetLockKey, type BuildTask } from './build-queue.ts';

/**
 * The schema's foreign keys as build tasks, in two statements each: `ADD … NOT VALID` (catalog
 * only, instant, but it locks both tables against every other build: SHARE ROW EXCLUSIVE), then
 * `VALIDATE CONSTRAINT`, which reads the rows under weaker locks (SHARE UPDATE EXCLUSIVE on the
 * child, ROW SHARE on the parent) so that keys of different child tables validate at once, even
 * towards one parent. The result is what `ADD FOREIGN KEY` gives: a validated constraint.
 *
 * Idempotent: a key that exists is not added again, and one left NOT VALID by a run stopped
 * between the two statements is validated now. A key in `keepNotValid` (a dangling id kept on
 * purpose) stays NOT VALID: new rows are still checked.
 *
 * @param sizes bytes per target table, to start the biggest validations first.
 */
export async function foreignKeyTasks(
  client: pg.Pool | pg.PoolClient,
  foreignKeys: readonly ForeignKeyDdl[],
  keepNotValid: (fk: ForeignKeyDdl) => boolean,
  sizes: ReadonlyMap<string, number>,
): Promise<BuildTask[]> {
  // Only the target schema's foreign keys, by table and the name the server stored (63 bytes at most).
  const { rows } = await client.query<{ t: string; conname: string; convalidated: boolean }>(
    `SELECT r.relname AS t, c.conname, c.convalidated FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE c.contype = 'f' AND n.nspname = current_schema()`,
  );
  const existing = new Map(rows.map((r) => [`${r.t}\u0000${r.conname}`, r.convalidated]));
  const tasks: BuildTask[] = [];
  for (const fk of foreignKeys) {
    const validated = existing.get(`${storedIdentifier(fk.table)}\u0000${storedIdentifier(fk.constraint)}`);
    const parent = /REFERENCES (?:"[^"]+"\.)?"([^"]+)"/.exec(fk.sql)?.[1];
    if (parent === undefined) throw new Error(`cannot read the referenced table of: ${fk.sql}`);
    const child = targetLockKey(fk.table);
    const add: BuildTask | undefined =
      validated === undefined
        ? {
            label: `foreign key ${fk.constraint} (added NOT VALID)`,
            sql: `${fk.sql.replace(/;\s*$/, '')} NOT VALID`,
            locks: [
              { table: child, mode: 'SHARE ROW EXCLUSIVE' },
              { table: targetLockKey(parent), mode: 'SHARE ROW EXCLUSIVE' },
            ],
            // Instant, and what the validation waits for: first whenever its tables are free.
            weight: Number.MAX_SAFE_INTEGER,
          }
        : undefined;
    if (add) tasks.push(add);
    if (validated === true || keepNotValid(fk)) continue;
    tasks.push({
      label: `foreign key ${fk.constraint}`,
      sql: `ALTER TABLE ${quoteIdent(fk.table)} VALIDATE CONSTRAINT ${quoteIdent(fk.constraint)}`,
      locks: [
        { table: child, mode: 'SHARE UPDATE EXCLUSIVE' },
        { table: targetLockKey(parent), mode: 'ROW SHARE' },
      ],
      weight: (sizes.get(fk.table) ?? 0) + (sizes.get(parent) ?? 0),
      ...(add ? { after: add } : {}),
    });
  }
  return tasks;
}
