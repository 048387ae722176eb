import type { MigrationConfig } from '../config/config-schema.ts';
import { ConfigError } from '../config/config-error.ts';
import { loadConfig, readConfigLayer, type ConfigLayer } from '../config/load-config.ts';
import { databaseInUrl } from '../sources/mongodb/database-in-url.ts';
import { SAMPLE_DUMP, type ConnectionFlags } from './common-options.ts';

/** The options of the run recorded in a target, when the user names only the target (validate). */
export type RecordedOptions = (targetUrl: string, runId: string | undefined) => Promise<ConfigLayer | undefined>;

/**
 * Resolves the configuration: built-in defaults, then the config file, then the environment,
 * then flags; each flag overrides only the setting it names. With `recorded`, a command given
 * no source at all (no flag, no MONGO_URL, no `source:` in the config file) reads the source
 * and mapping options of the run recorded in the target, in place of the built-in sample.
 * Throws ConfigError with every problem named, contradictory flags included.
 */
export async function resolveConfig(flags: ConnectionFlags, extra: ConfigLayer = {}, recorded?: RecordedOptions): Promise<MigrationConfig> {
  const env = process.env;
  const kind = sourceKindOf(flags);
  const mongoUrl = flags.mongoUrl ?? (kind === 'mongo' ? env['MONGO_URL'] : undefined);
  const sqliteLayer = { kind: 'sqlite', path: flags.sqlite, mode: flags.mode, timeZone: flags.timeZone, emitPrisma: flags.emitPrisma, emitZero: flags.emitZero, force: flags.forceRead, integrityCheck: flags.integrityCheck };
  const sqliteNamed = Object.entries(sqliteLayer).some(([key, value]) => key !== 'kind' && value !== undefined);
  const sourceLayer: ConfigLayer =
    kind === 'sqlite'
      ? flags.from !== undefined || sqliteNamed
        ? { source: sqliteLayer }
        : {}
      : flags.dump
        ? { source: { kind: 'mongodump', path: flags.dump } }
        : mongoUrl
          ? { source: { kind: 'mongodb', url: mongoUrl, database: flags.mongoDb ?? env['MONGO_DB'] ?? databaseInUrl(mongoUrl) } }
          : {};
  const defaults: ConfigLayer = kind === 'sqlite' ? {} : { source: { kind: 'mongodump', path: SAMPLE_DUMP } };
  const flagLayer: ConfigLayer = { target: { url: flags.targetUrl ?? env['DATABASE_URL'] }, runId: flags.runId, schema: flags.schema, ...extra };
  const overrides = [sourceLayer, flagLayer];
  const config = await loadConfig(flags.config, { defaults, overrides });
  if (!recorded || config.target.url === undefined) return config;
  const sourceNamed = flags.from !== undefined || Object.keys(sourceLayer).length > 0 || (flags.config !== undefined && 'source' in (await readConfigLayer(flags.config)));
  if (sourceNamed) return config;
  const options = await recorded(config.target.url, config.runId);
  return options ? loadConfig(flags.config, { defaults: options, overrides }) : config;
}

/**
 * The source kind the flags name: `--from`, else `sqlite` when a SQLite-only flag is given (so
 * `--sqlite FILE` alone never reads the bundled MongoDB sample), else `mongo`. Flags naming two
 * sources at once are refused: whichever one won, the other would be ignored in silence.
 */
function sourceKindOf(flags: ConnectionFlags): 'mongo' | 'sqlite' {
  const sqliteFlags = [
    ['--sqlite', flags.sqlite],
    ['--mode', flags.mode],
    ['--time-zone', flags.timeZone],
    ['--integrity-check', flags.integrityCheck],
    ['--emit-prisma', flags.emitPrisma],
    ['--emit-zero', flags.emitZero],
  ].flatMap(([name, value]) => (value === undefined ? [] : [name]));
  const mongoFlags = [
    ['--dump', flags.dump],
    ['--mongo-url', flags.mongoUrl],
    ['--mongo-db', flags.mongoDb],
  ].flatMap(([name, value]) => (value === undefined ? [] : [name]));
  const kind = flags.from ?? (sqliteFlags.length > 0 ? 'sqlite' : 'mongo');
  if (kind === 'mongo' && sqliteFlags.length > 0) throw new ConfigError(`${sqliteFlags.join(', ')} ${sqliteFlags.length > 1 ? 'are' : 'is'} for a SQLite source, but --from mongo was given`);
  if (kind === 'sqlite' && mongoFlags.length > 0) {
    throw new ConfigError(`${mongoFlags.join(', ')} name${mongoFlags.length > 1 ? '' : 's'} a MongoDB source, but ${flags.from === undefined ? sqliteFlags.join(', ') : '--from sqlite'} names a SQLite one: give one source`);
  }
  if (flags.dump !== undefined && flags.mongoUrl !== undefined) throw new ConfigError('--dump and --mongo-url name two sources: give one');
  return kind;
}

export { ConfigError };
