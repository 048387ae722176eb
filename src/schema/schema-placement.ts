import { ConfigError } from '../config/load-config.ts';
import type { Dmmf } from './dmmf.ts';

/**
 * Every table goes to the target connection's current schema (`public` unless its search_path
 * says otherwise), where Prisma's unqualified DDL creates it and where every query of the tool
 * looks. A model placed elsewhere with `@@schema` would be created in that schema and then not
 * found: refused before anything is changed.
 */
export function refuseOtherSchemas(dmmf: Dmmf): void {
  const placed = dmmf.datamodel.models.filter((m) => m.schema);
  if (placed.length === 0) return;
  const list = placed.map((m) => `${m.name} (@@schema(${JSON.stringify(m.schema ?? '')}))`).join(', ');
  throw new ConfigError(
    `models placed in a schema with @@schema are not supported: ${list}; remove @@schema and the datasource's schemas list, and make that schema the target's current one instead (ALTER DATABASE … SET search_path = …); nothing was changed`,
  );
}
