import pg from 'pg';

/**
 * The one way this tool writes an identifier into SQL: pg's `escapeIdentifier` (double quotes,
 * embedded quotes doubled). A name is always ONE identifier: `we.ird` is a table called
 * `we.ird`, never table `ird` of schema `we`. Target tables are found through the connection's
 * `search_path` (its `current_schema()`, where Prisma's DDL creates them).
 *
 * @example quoteIdent('we.ird') // '"we.ird"'
 */
export function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}

/** The migrator's own schema. No source or model name can reach it: see TableRef. */
export const STATE_SCHEMA = '_migration';

/** Every table of the state schema (state-schema.ts creates them), a closed list. */
export const STATE_TABLES = ['fields', 'id_identity', 'id_map', 'loaded_tables', 'progress', 'rejected', 'repairs', 'runs', 'sync_progress', 'sync_removals', 'syncs'] as const;
export type StateTableName = (typeof STATE_TABLES)[number];

/**
 * A table the tool writes rows into. Target tables carry their exact name; the tool's own tables
 * are named by a closed list, so a source table called `_migration.id_map` is a target table like
 * any other and can never be written into the state schema.
 */
export type TableRef = { readonly schema: 'target'; readonly name: string } | { readonly schema: 'state'; readonly name: StateTableName };

export const targetTable = (name: string): TableRef => ({ schema: 'target', name });
export const stateTable = (name: StateTableName): TableRef => ({ schema: 'state', name });

/** `"name"` for a target table, `"_migration"."name"` for one of the tool's own. */
export function sqlTable(ref: TableRef): string {
  return ref.schema === 'state' ? `${quoteIdent(STATE_SCHEMA)}.${quoteIdent(ref.name)}` : quoteIdent(ref.name);
}

/** PostgreSQL keeps the first NAMEDATALEN-1 bytes of an identifier and silently drops the rest. */
export const MAX_IDENTIFIER_BYTES = 63;

export function identifierBytes(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

/**
 * The name PostgreSQL actually stores for `name`: its first 63 bytes, cut on a character
 * boundary (as the server's pg_mbcliplen does). Compare catalog names with this, not the original.
 */
export function storedIdentifier(name: string, bytes = MAX_IDENTIFIER_BYTES): string {
  if (identifierBytes(name) <= bytes) return name;
  let out = '';
  for (const ch of name) {
    if (identifierBytes(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}
