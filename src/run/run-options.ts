import { resolve } from 'node:path';
import pg from 'pg';
import type { MigrationConfig } from '../config/config-schema.ts';
import { ConfigError, type ConfigLayer } from '../config/load-config.ts';
import { MASK, maskDeep } from '../log/mask.ts';

/**
 * What a later command needs to read the source the way the run did, stored in
 * `_migration.runs.options`: the source (paths made absolute; file outputs, --force and the
 * integrity check left out, they are the run's own business), the schema and the mapping rules.
 * Passwords are masked: a URL with `****` in it is refused on the way back, never tried.
 */
export function runOptionsOf(config: MigrationConfig): ConfigLayer {
  const source: ConfigLayer =
    config.source.kind === 'sqlite'
      ? (({ emitPrisma: _p, emitZero: _z, force: _f, integrityCheck: _i, ...rest }) => ({ ...rest, path: resolve(rest.path) }))(config.source)
      : config.source.kind === 'mongodump'
        ? { ...config.source, path: resolve(config.source.path) }
        : { ...config.source };
  return maskDeep({
    source,
    schema: resolve(config.schema),
    ...(config.transformers === undefined ? {} : { transformers: resolve(config.transformers) }),
    models: config.models,
    junctions: config.junctions,
    references: config.references,
    unmappedFields: config.unmappedFields,
    // `keep` follows from a direct copy; stored, it would contradict a `--mode schema` override.
    ...(config.ids.strategy === 'keep' ? {} : { ids: config.ids }),
  }) as ConfigLayer;
}

/**
 * The options of the run recorded in the target: the one named by `runId`, else the only one
 * (or several with the same options). Undefined when the target has no recorded run, or only
 * runs made before options were recorded.
 */
export async function recordedRunOptions(url: string, runId: string | undefined): Promise<ConfigLayer | undefined> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const { rows: present } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = '_migration' AND table_name = 'runs' AND column_name = 'options'`,
    );
    if ((present[0]?.n ?? 0) === 0) return undefined;
    const { rows } = await pool.query<{ run_id: string; options: string }>(
      `SELECT run_id, options::text AS options FROM _migration.runs WHERE options IS NOT NULL AND ($1::text IS NULL OR run_id = $1) ORDER BY updated_at DESC`,
      [runId ?? null],
    );
    if (rows.length === 0) return undefined;
    const distinct = new Set(rows.map((r) => r.options));
    if (distinct.size > 1) {
      throw new ConfigError(`the target holds ${rows.length} runs with different sources (${rows.map((r) => r.run_id).join(', ')}): name one with --run-id, or name the source`);
    }
    const options = JSON.parse(rows[0]?.options ?? '{}') as ConfigLayer;
    const source = options['source'];
    if (typeof source === 'object' && source !== null && 'url' in source && String(source.url).includes(MASK)) {
      throw new ConfigError(`the run ${rows[0]?.run_id ?? ''} read a source whose password is not stored: name the source again (--mongo-url, or MONGO_URL)`);
    }
    return options;
  } finally {
    await pool.end();
  }
}
