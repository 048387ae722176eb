import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { databaseInUrl } from '../sources/mongodb/database-in-url.ts';
import { datasourceProvider, lintSchemaFiles, readMongoDatamodel, type LintFinding, type MongoDatamodel, type SchemaFiles } from './mongo-dmmf.ts';

/** Where the source data lives, as the datasource block wrote it (never the URL itself: it may hold a password). */
export type DatasourceUrl = { kind: 'literal'; database: string | undefined } | { kind: 'env'; variable: string } | { kind: 'none' };

export interface MongoSchemaInput {
  /** The file, or the folder of a multi-file schema, as given. */
  label: string;
  datamodel: MongoDatamodel;
  url: DatasourceUrl;
  /** Datasource properties Prisma 7 no longer reads (`url`, `directUrl`), taken out before parsing. */
  removed: string[];
}

/**
 * Reads a Prisma MongoDB schema (one file, or a folder of `.prisma` files) with Prisma's own
 * parser. Schemas written for Prisma 5 and 6 keep `url = env("DATABASE_URL")` in the datasource,
 * which Prisma 7 refuses: those properties are located by Prisma's linter (its span, not a
 * pattern over the text), taken out, and only the database name of a literal URL is kept.
 * Anything else wrong is bad input (ConfigError, exit 2) with Prisma's message.
 */
export function readMongoSchema(path: string): MongoSchemaInput {
  const files = schemaFiles(path);
  const { files: parsed, removed, url } = withoutLegacyDatasourceProperties(files, path);
  const datamodel = readMongoDatamodel(parsed, path);
  const provider = datasourceProvider(parsed);
  if (provider === undefined) throw new ConfigError(`--prisma-mongo ${path}: no datasource block; expected one with provider = "mongodb"`);
  if (provider !== 'mongodb') {
    throw new ConfigError(`--prisma-mongo ${path}: not a MongoDB schema (datasource provider "${provider}"); it converts a schema with provider = "mongodb" (for SQLite use --sqlite; a PostgreSQL schema needs no conversion)`);
  }
  return { label: path, datamodel, url, removed };
}

function schemaFiles(path: string): SchemaFiles {
  if (!existsSync(path)) throw new ConfigError(`--prisma-mongo ${path}: no such file or folder`);
  if (!statSync(path).isDirectory()) return [[path, readFileSync(path, 'utf8')]];
  const found = prismaFilesUnder(path).sort();
  if (found.length === 0) throw new ConfigError(`--prisma-mongo ${path}: the folder holds no .prisma file`);
  return found.map((f) => [relative(process.cwd(), f) || f, readFileSync(f, 'utf8')] as const);
}

function prismaFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : prismaFilesUnder(full);
    return e.name.endsWith('.prisma') ? [full] : [];
  });
}

/** Prisma's words for a datasource property it no longer reads (Prisma 7 moved URLs to prisma.config.ts). */
const LEGACY_PROPERTY = /^The datasource property `(\w+)` is no longer supported/;

function withoutLegacyDatasourceProperties(files: SchemaFiles, label: string): { files: SchemaFiles; removed: string[]; url: DatasourceUrl } {
  let findings: LintFinding[];
  try {
    findings = lintSchemaFiles(files);
  } catch {
    // The linter failing is not the verdict: get_dmmf gives Prisma's message.
    return { files, removed: [], url: { kind: 'none' } };
  }
  const removed: string[] = [];
  let url: DatasourceUrl = { kind: 'none' };
  const out = files.map(([name, text]) => {
    const spans = findings
      .filter((f) => f.file_name === name && !f.is_warning)
      .flatMap((f) => {
        const property = LEGACY_PROPERTY.exec(f.text)?.[1];
        return property ? [{ property, start: f.start, end: f.end }] : [];
      })
      .sort((a, b) => b.start - a.start);
    let kept = text;
    for (const span of spans) {
      const source = text.slice(span.start, span.end);
      if (!source.trimStart().startsWith(span.property)) {
        throw new ConfigError(`--prisma-mongo ${label}: the datasource property \`${span.property}\` is no longer read by Prisma 7 and could not be taken out here; remove it from ${name} and run again`);
      }
      if (span.property === 'url') url = urlOf(source.slice(source.indexOf('=') + 1).trim());
      removed.push(span.property);
      kept = kept.slice(0, span.start) + kept.slice(span.end);
    }
    return [name, kept] as const;
  });
  return { files: out, removed: removed.reverse(), url };
}

/** The value of `url = …`: a string literal (Prisma's escapes are JSON's) or `env("NAME")`. */
function urlOf(value: string): DatasourceUrl {
  const env = /^env\(\s*("(?:[^"\\]|\\.)*")\s*\)$/.exec(value)?.[1];
  if (env !== undefined) return { kind: 'env', variable: String(JSON.parse(env)) };
  if (value.startsWith('"')) {
    try {
      const text = String(JSON.parse(value));
      // Only the database name is kept: the rest of the URL may hold a password.
      return { kind: 'literal', database: databaseInUrl(text) };
    } catch {
      return { kind: 'none' };
    }
  }
  return { kind: 'none' };
}
