import type { MigrationConfig } from '../config/config-schema.ts';
import { createSqliteConverter, type Coercion } from './sqlite/sqlite-convert.ts';
import { createBsonConverter, type BsonCoercion } from '../transform/convert.ts';
import type { ValueConverter } from '../transform/types.ts';

/**
 * The source's value converter, made from its config: here (the one place that knows which
 * kind of source converts values which way) for the session and for a worker thread alike.
 */
export function sourceConverter(source: MigrationConfig['source'], onCoercion: { sqlite: (c: Coercion) => void; bson: (c: BsonCoercion) => void }): ValueConverter {
  return source.kind === 'sqlite'
    ? createSqliteConverter({ timeZone: source.timeZone, emptyStrings: source.emptyStrings, rules: source.castRules, onCoercion: onCoercion.sqlite })
    : createBsonConverter({ emptyStrings: source.emptyStrings, onCoercion: onCoercion.bson });
}
