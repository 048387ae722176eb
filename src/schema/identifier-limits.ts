import { ConfigError } from '../config/load-config.ts';
import { identifierBytes, MAX_IDENTIFIER_BYTES } from '../target/identifiers.ts';
import type { ModelGraph } from './model-graph.ts';

/**
 * Refuses a schema whose table, column, many-to-many table or enum name is longer than
 * PostgreSQL keeps (63 bytes), or whose table or column name holds a double quote. The server would silently truncate it: the first run works, and
 * every later run finds neither the table nor the column it expects. Prisma itself refuses
 * over-long constraint and index names given with `map:`, and shortens its default ones, but lets
 * these through. Run before the target is touched, so a refusal changes nothing.
 */
export function checkIdentifierLengths(graph: ModelGraph, enumDbNames: ReadonlyMap<string, string> = new Map()): void {
  const problems: string[] = [];
  const tooLong = (name: string) => identifierBytes(name) > MAX_IDENTIFIER_BYTES;
  const bytes = (name: string) => `${identifierBytes(name)} bytes`;
  // Prisma writes names into its DDL between double quotes without doubling one inside.
  const quoted = (name: string) => name.includes('"');
  for (const model of graph.models.values()) {
    if (tooLong(model.table)) problems.push(`model ${model.name}: table name ${JSON.stringify(model.table)} is ${bytes(model.table)}; give it a shorter @@map("...")`);
    if (quoted(model.table)) problems.push(`model ${model.name}: table name ${model.table} holds a double quote, which Prisma's DDL cannot carry; @@map it to another name`);
    for (const column of model.columns) {
      if (tooLong(column.column)) problems.push(`field ${model.name}.${column.field}: column name ${JSON.stringify(column.column)} is ${bytes(column.column)}; give it a shorter @map("...")`);
      if (quoted(column.column)) problems.push(`field ${model.name}.${column.field}: column name ${column.column} holds a double quote, which Prisma's DDL cannot carry; @map it to another name`);
    }
  }
  for (const junction of graph.junctions) {
    if (tooLong(junction.table)) problems.push(`many-to-many ${junction.a.model}.${junction.a.field} ↔ ${junction.b.model}.${junction.b.field}: table name ${JSON.stringify(junction.table)} is ${bytes(junction.table)}; give the relation a shorter name (@relation("..."))`);
  }
  for (const name of graph.enums.keys()) {
    const dbName = enumDbNames.get(name) ?? name;
    if (tooLong(dbName)) problems.push(`enum ${name}: type name ${JSON.stringify(dbName)} is ${bytes(dbName)}; give it a shorter @@map("...")`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`names the target cannot keep as written (PostgreSQL keeps only the first ${MAX_IDENTIFIER_BYTES} bytes of a name, so a longer one is not found again after the first run); nothing was changed:\n  ${problems.join('\n  ')}`);
  }
}
