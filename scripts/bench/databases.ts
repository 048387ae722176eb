import pg from 'pg';
import { quoteIdent } from '../../src/target/identifiers.ts';

/**
 * The bench's databases on one server: each run gets a fresh one (`<prefix>_<mode>_<n>`), dropped
 * after it is counted unless `--keep`. Everything goes through one admin connection string.
 */
export class BenchDatabases {
  private readonly made = new Set<string>();

  constructor(
    private readonly adminUrl: string,
    private readonly prefix: string,
  ) {}

  /** The same server, another prefix (a part of the bench whose databases are named apart). */
  sibling(prefix: string): BenchDatabases {
    return new BenchDatabases(this.adminUrl, prefix);
  }

  url(name: string): string {
    const u = new URL(this.adminUrl);
    u.pathname = `/${name}`;
    return u.toString();
  }

  name(...parts: (string | number)[]): string {
    return [this.prefix, ...parts].join('_').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  }

  async fresh(name: string): Promise<string> {
    await this.admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${quoteIdent(name)}`);
    });
    this.made.add(name);
    return this.url(name);
  }

  /** A new database `name` made as a copy of `template` (which must have no connections): cheap, and every copy starts alike. */
  async copy(template: string, name: string): Promise<string> {
    await this.admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
    });
    this.made.add(name);
    return this.url(name);
  }

  async drop(name: string): Promise<void> {
    await this.admin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    this.made.delete(name);
  }

  /** Drops every database this bench made and still holds (after a failure, too). */
  async dropAll(): Promise<void> {
    for (const name of [...this.made]) await this.drop(name);
  }

  async serverVersion(): Promise<string> {
    return this.admin(async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?');
  }

  private async admin<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      return await f(client);
    } finally {
      await client.end();
    }
  }
}

/** Rows per table of schema `public` (exact counts: the bench must prove every row arrived). */
export async function countTargetRows(url: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    const counts = new Map<string, number>();
    for (const { name } of tables) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM public.${quoteIdent(name)}`);
      counts.set(name, Number(rows[0]?.n ?? 0));
    }
    return counts;
  } finally {
    await client.end();
  }
}

/** The tool's run record: what its summary says it read and wrote (`_migration.runs`). */
export interface RunTotals {
  source: number;
  written: number;
  rejected: number;
  skipped: number;
  balanced: boolean;
}

export async function toolRunTotals(url: string): Promise<RunTotals | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ summary: { totals?: Omit<RunTotals, 'balanced'>; balanced?: boolean } | null }>(
      `SELECT summary FROM _migration.runs WHERE summary IS NOT NULL ORDER BY started_at DESC LIMIT 1`,
    );
    const s = rows[0]?.summary;
    if (!s?.totals) return undefined;
    return { ...s.totals, balanced: s.balanced === true };
  } catch {
    return undefined; // no _migration schema: the tool never got that far
  } finally {
    await client.end();
  }
}
