import Database from 'better-sqlite3';
import { quoteIdent } from '../target/identifiers.ts';
import { openSqliteSource } from '../sources/sqlite/sqlite-source.ts';
import { prismaSchemaFromSqlite } from '../sources/sqlite/prisma-from-sqlite.ts';
import { emptyConfig, printConfig } from './draft-config.ts';
import type { InitDraft, InitOutput } from './init-draft.ts';
import { formatPrisma } from './print-schema.ts';
import { sampleCount, type SampleSize } from './sample-size.ts';

/**
 * `init --sqlite`: the schema the direct copy makes (the same one `--emit-prisma` writes), the
 * config that runs it, and a report of every table and column with the storage classes a sample
 * of its rows holds: SQLite's types are declarations, not guarantees.
 */
export async function draftFromSqlite(file: string, output: InitOutput, options: { sample: SampleSize }): Promise<InitDraft> {
  // The run does the integrity check; init only reads the catalog and a sample.
  const source = openSqliteSource(file, { integrityCheck: 'off' });
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const generated = prismaSchemaFromSqlite(source.tables);
    const md: string[] = [`# Tables of ${file}`, '', 'Storage classes counted over the first rows of each table (SQLite\'s own `typeof`); the run converts each value by the column\'s declared type (MIGRATION_README section 8).', ''];
    const json: unknown[] = [];
    for (const t of source.tables) {
      const names = generated.models.get(t.name);
      const total = Number((db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(t.name)}`).get() as { n: number }).n);
      const read = sampleCount(options.sample, total);
      md.push(`## ${t.name} → model ${names?.model ?? '?'}`, '', `${total.toLocaleString('en-US')} row(s), ${read.toLocaleString('en-US')} sampled (the first rows).`, '', '| column | declared | field | storage classes seen | null |', '|---|---|---|---|---|');
      const columns = [];
      for (const c of t.columns) {
        const rows = db.prepare(`SELECT typeof(v) AS t, count(*) AS n FROM (SELECT ${quoteIdent(c.name)} AS v FROM ${quoteIdent(t.name)} LIMIT ?) GROUP BY 1 ORDER BY 2 DESC`).all(read) as { t: string; n: number }[];
        const nulls = rows.find((r) => r.t === 'null')?.n ?? 0;
        const classes = rows.filter((r) => r.t !== 'null').map((r) => `${r.t} ${r.n}`).join(', ') || '—';
        md.push(`| \`${c.name}\` | ${c.declared || '(none)'} | ${names?.fields.get(c.name) ?? c.name} | ${classes} | ${nulls} |`);
        columns.push({ column: c.name, declared: c.declared, field: names?.fields.get(c.name) ?? c.name, storageClasses: rows });
      }
      md.push('');
      json.push({ table: t.name, model: names?.model, rows: total, sampled: read, columns });
    }
    const objects = source.objects;
    const notCopied = [...source.notCopied.map((t) => `${t.name}: not copied: ${t.reason}`)];
    const objectLines = [
      ...objects.views.map((v) => `view ${v.name}`),
      ...objects.triggers.map((v) => `trigger ${v.name} on ${v.table}`),
      ...objects.indexes.map((v) => `index ${v.name} on ${v.table} (expression or partial)`),
      ...objects.generated.map((v) => `generated column ${v.table}.${v.column}`),
      ...objects.checks.map((v) => `CHECK on ${v.table}${v.name ? ` (${v.name})` : ''}`),
    ];
    if (objectLines.length + notCopied.length + generated.warnings.length > 0) {
      md.push('## Not in the Prisma schema', '', 'The run translates these schema objects to PostgreSQL or names each one it cannot, in its summary (section 8):', '', ...objectLines.map((l) => `- ${l}`), ...notCopied.map((l) => `- ${l}`), ...generated.warnings.map((w) => `- ${w}`), '');
    }
    const config = emptyConfig(output.schemaPath, { kind: 'sqlite', path: file, mode: 'direct' });
    config.header = [
      `Drafted by migration:init from ${file}: ${source.tables.length} table(s).`,
      'mode: direct copies the tables as they are (keys kept); the schema is made again from the file at every run,',
      `so ${output.schemaPath} is for the application (prisma generate), not read by the run.`,
      'mode: schema loads onto a Prisma schema of yours with UUID ids instead: set mode: schema and point schema: at it.',
    ];
    config.sourceComment = ['timeZone: UTC reads zone-less date-time text as UTC (set the zone the app wrote them in).'];
    config.todos = [...generated.warnings, ...notCopied];
    return {
      schema: formatPrisma(generated.schema),
      config: printConfig(config),
      files: { 'fields.md': md.join('\n'), 'fields.json': `${JSON.stringify({ source: file, tables: json, notInSchema: [...objectLines, ...notCopied, ...generated.warnings] }, null, 2)}\n` },
      summary: [`read ${source.tables.length} table(s) of ${file}`, ...(config.todos.length > 0 ? [`${config.todos.length} note(s) in migration.yaml:`, ...config.todos.map((t) => `  - ${t}`)] : [])],
    };
  } finally {
    db.close();
    await source.close();
  }
}
