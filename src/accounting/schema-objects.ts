import type pg from 'pg';
import { z } from 'zod';

/**
 * One accounting of a source file's schema objects against what PostgreSQL has: every table,
 * column, key, index, view, trigger, CHECK and generated column is either found in the target's
 * catalog or listed with the reason it is not there. Migrate prints it and stores it in the run
 * report (`_migration.runs.summary.schemaObjects`); validate rebuilds it from the source file and
 * the catalog, and reads the reasons PostgreSQL gave from that report.
 */
export const OBJECT_KINDS = ['table', 'column', 'primary-key', 'foreign-key', 'index', 'generated-column', 'check', 'view', 'trigger'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** How an object is recognised in the target's catalog (current_schema()), by its PostgreSQL names. */
export type CatalogProbe =
  | { kind: 'table'; table: string }
  | { kind: 'column'; table: string; column: string; generated: boolean }
  | { kind: 'primary-key'; table: string }
  | { kind: 'foreign-key'; table: string; columns: string[] }
  | { kind: 'index'; table: string; columns: string[]; unique: boolean }
  | { kind: 'named-index'; table: string; name: string }
  | { kind: 'constraint'; table: string; name: string }
  | { kind: 'view'; name: string }
  | { kind: 'none' };

export interface SourceObject {
  kind: ObjectKind;
  /** As the source names it: `users`, `users.email`, `users_email_lower`, … */
  name: string;
  /** The statement the source holds, shown for what is not created. */
  sourceSql?: string;
  probe: CatalogProbe;
  /** The statement that creates it after the load (STEP 4); absent when Prisma's DDL creates it, or nothing can. */
  create?: string;
  /** Why it cannot be created, known before anything runs. */
  reason?: string;
  /** How the PostgreSQL form differs, when it is created (`VIRTUAL in SQLite; STORED here`). */
  note?: string;
  /** Keys validate's schema check reads this object under (`table.column`, `table: index`): expected extras, not differences. */
  schemaKey?: string;
}

const notCreated = z.object({
  kind: z.enum(OBJECT_KINDS),
  name: z.string(),
  reason: z.string(),
  sql: z.string().optional(),
  /** PostgreSQL refused the statement: a reason later runs and validate may repeat. */
  refused: z.boolean().optional(),
});
export type NotCreated = z.infer<typeof notCreated>;
export const schemaObjectAccount = z.object({
  /** Per kind: how many the source has, how many PostgreSQL has. */
  kinds: z.array(z.object({ kind: z.enum(OBJECT_KINDS), source: z.number(), created: z.number() })),
  notCreated: z.array(notCreated),
  notes: z.array(z.object({ kind: z.enum(OBJECT_KINDS), name: z.string(), note: z.string() })),
});
export type SchemaObjectAccount = z.infer<typeof schemaObjectAccount>;

/** Which of `objects` the target's catalog has, by position. */
export async function presentObjects(db: pg.Pool | pg.PoolClient, objects: readonly SourceObject[]): Promise<boolean[]> {
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await db.query<T>(sql)).rows;
  const relations = await q<{ name: string; kind: string }>(`SELECT c.relname AS name, c.relkind::text AS kind FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace`);
  const columns = await q<{ t: string; c: string; generated: boolean }>(
    `SELECT c.relname AS t, a.attname AS c, a.attgenerated <> '' AS generated FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  const constraints = await q<{ t: string; name: string; type: string; columns: string[] }>(
    `SELECT c.relname AS t, k.conname AS name, k.contype::text AS type,
            ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o) AS columns
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = current_schema()::regnamespace`,
  );
  // An expression's position (attnum 0) reads as NULL: such an index never equals a list of columns.
  const indexes = await q<{ t: string; name: string; unique: boolean; columns: (string | null)[] }>(
    `SELECT t.relname AS t, i.relname AS name, x.indisunique AS unique,
            ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY u(n, o) LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.n ORDER BY u.o) AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid WHERE t.relnamespace = current_schema()::regnamespace`,
  );
  // Keyed once: a file with thousands of tables has tens of thousands of objects to look up.
  const key = (...parts: readonly (string | null)[]) => JSON.stringify(parts);
  const relationKeys = new Set(relations.map((r) => key(r.name, r.kind)));
  const columnKeys = new Set(columns.map((c) => key(c.t, c.c, String(c.generated))));
  const constraintKeys = new Set(constraints.flatMap((c) => [key(c.t, c.type), key(c.t, c.type, ...c.columns), key(c.t, 'name', c.name)]));
  const indexKeys = new Set(indexes.flatMap((i) => [key(i.t, String(i.unique), ...i.columns), key(i.t, 'name', i.name)]));
  return objects.map(({ probe: p }) => {
    switch (p.kind) {
      case 'table':
        return relationKeys.has(key(p.table, 'r')) || relationKeys.has(key(p.table, 'p'));
      case 'view':
        return relationKeys.has(key(p.name, 'v')) || relationKeys.has(key(p.name, 'm'));
      case 'column':
        return columnKeys.has(key(p.table, p.column, String(p.generated)));
      case 'primary-key':
        return constraintKeys.has(key(p.table, 'p'));
      case 'foreign-key':
        return constraintKeys.has(key(p.table, 'f', ...p.columns));
      case 'constraint':
        return constraintKeys.has(key(p.table, 'name', p.name));
      case 'index':
        return indexKeys.has(key(p.table, String(p.unique), ...p.columns));
      case 'named-index':
        return indexKeys.has(key(p.table, 'name', p.name));
      case 'none':
        return false;
    }
  });
}

/**
 * The account: each object absent from the catalog gets, in order, the reason known before the
 * run, PostgreSQL's refusal (`refusals`, by name), or a generic one.
 */
export function accountObjects(objects: readonly SourceObject[], present: readonly boolean[], refusals: ReadonlyMap<string, string>): SchemaObjectAccount {
  const kinds = OBJECT_KINDS.map((kind) => ({ kind, source: 0, created: 0 }));
  const account: SchemaObjectAccount = { kinds, notCreated: [], notes: [] };
  objects.forEach((o, i) => {
    const counts = kinds.find((k) => k.kind === o.kind);
    if (counts) counts.source++;
    if (present[i]) {
      if (counts) counts.created++;
      if (o.note) account.notes.push({ kind: o.kind, name: o.name, note: o.note });
      return;
    }
    const refusal = o.reason === undefined ? refusals.get(refusalKey(o)) : undefined;
    const reason = o.reason ?? refusal ?? 'not in PostgreSQL, and no run recorded why (dropped since?)';
    account.notCreated.push({ kind: o.kind, name: o.name, reason, ...(o.sourceSql ? { sql: o.sourceSql } : {}), ...(refusal ? { refused: true } : {}) });
  });
  account.kinds = kinds.filter((k) => k.source > 0);
  return account;
}

export function refusalKey(o: { kind: ObjectKind; name: string }): string {
  return `${o.kind}\u0000${o.name}`;
}

/** The refusals the last completed run recorded, for objects PostgreSQL would not create. */
export async function recordedRefusals(db: pg.Pool | pg.PoolClient): Promise<Map<string, string>> {
  const { rows } = await db.query<{ summary: unknown }>(
    `SELECT summary FROM _migration.runs WHERE status = 'completed' AND summary ? 'schemaObjects' ORDER BY finished_at DESC NULLS LAST LIMIT 1`,
  );
  const parsed = z.object({ schemaObjects: schemaObjectAccount }).safeParse(rows[0]?.summary);
  // Only PostgreSQL's refusals: "no run recorded why" must not become a recorded reason on the next run.
  return new Map(parsed.success ? parsed.data.schemaObjects.notCreated.filter((n) => n.refused === true).map((n) => [refusalKey(n), n.reason]) : []);
}

/** The summary's section: counts per kind, then every object not created with its reason (and a trigger's SQL). */
export function formatObjects(account: SchemaObjectAccount): string[] {
  const lines = ['schema objects (source → PostgreSQL):', ...account.kinds.map((k) => `  ${k.kind.padEnd(17)} ${String(k.created).padStart(6)} of ${k.source}`)];
  for (const n of account.notes) lines.push(`  ${n.kind} ${n.name}: ${n.note}`);
  if (account.notCreated.length > 0) {
    lines.push(`NOT CREATED in PostgreSQL (${account.notCreated.length}):`);
    for (const n of account.notCreated) {
      lines.push(`  ${n.kind} ${n.name}: ${n.reason}`);
      if (n.kind === 'trigger' && n.sql) lines.push(...n.sql.split('\n').map((l) => `      ${l}`));
    }
  }
  return lines;
}
