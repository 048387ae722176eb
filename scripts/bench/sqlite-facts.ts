import Database from 'better-sqlite3';

/** What the bench needs to know about a SQLite file: its tables, their columns and rows, its schema text. */
export interface SqliteFacts {
  tables: { name: string; columns: string[]; rows: number }[];
  /** `sqlite_master.sql` of every table and index, by name: two files with equal text have the same schema. */
  schemaSql: string;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function sqliteFacts(file: string): SqliteFacts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    const tables = names.map((name) => ({
      name,
      columns: (db.prepare(`PRAGMA table_info(${quote(name)})`).all() as { name: string }[]).map((c) => c.name),
      rows: (db.prepare(`SELECT count(*) AS n FROM ${quote(name)}`).get() as { n: number }).n,
    }));
    const schemaSql = (db.prepare(`SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name`).all() as { name: string; sql: string }[]).map((r) => `${r.name}: ${r.sql}`).join('\n');
    return { tables, schemaSql };
  } finally {
    db.close();
  }
}
