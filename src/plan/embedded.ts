import { ConfigError } from '../config/config-error.ts';
import type { MigrationConfig } from '../config/config-schema.ts';
import type { ModelGraph, ModelSpec, RelationSpec } from '../schema/model-graph.ts';
import type { Transformer } from '../transform/types.ts';

/**
 * A model whose rows come out of another model's documents by config
 * (`models.Address.embeddedIn: User.addresses`), made by the parent's default transformer and
 * declared as its `derives`, so that they load, live and die with their owner like the rows a
 * hand-written transformer derives.
 */
export interface EmbeddedChild {
  /** The child model (`Address`). */
  model: string;
  /** The model whose documents hold it (`User`). */
  parent: string;
  /** Where in the parent's document: `addresses`, `profile.addresses`. */
  path: string;
  /** The child's field holding the parent's UUID: the foreign key of its one required relation to the parent (`userId`). */
  ownerField: string;
  /** The Int column (`position`, `index` or `ordinal`) that takes the array index when the element does not hold it. */
  positionField?: string;
  /**
   * The child's single key column, set to `ctx.derivedId(path/index)`. Absent when the key is read
   * like the other columns: a composite key (`@@id([orderId, position])`), or the owner field itself.
   */
  idField?: string;
  /** At most one row per parent (the owner field is the key or unique): an array of more elements is refused. */
  oneToOne: boolean;
}

/** Column names that keep an array's order, preferred first. */
const POSITION_NAMES = ['position', 'index', 'ordinal'];

/**
 * Reads `models.<Child>.embeddedIn` against the schema and the hand-written transformers, before
 * anything is touched: every problem is a ConfigError naming the key (exit 2). A child with a
 * collection named in config too is refused; one the source merely has a collection for (named
 * like its table) is read from its parent, and that collection is reported as read by no model.
 */
export function planEmbedded(
  graph: ModelGraph,
  models: MigrationConfig['models'],
  transformers: readonly Transformer[],
  context: { sourceKind: string; transformersFile?: string | undefined },
): EmbeddedChild[] {
  const entries = Object.entries(models).flatMap(([model, m]) => (m.embeddedIn === undefined ? [] : [{ model, embeddedIn: m.embeddedIn, collection: m.collection }]));
  const embeddedIn = new Map(entries.map((e) => [e.model, e.embeddedIn.split('.')[0] ?? '']));
  const byModel = new Map(transformers.map((t) => [t.model, t]));
  const file = context.transformersFile ?? 'the transformers module';
  const problems: string[] = [];
  const out: EmbeddedChild[] = [];
  for (const { model: childName, embeddedIn: value, collection } of entries) {
    const [parentName = '', ...rest] = value.split('.');
    const path = rest.join('.');
    const fail = (reason: string) => problems.push(`models.${childName}.embeddedIn (${value}): ${reason}`);
    const child = graph.models.get(childName);
    const parent = graph.models.get(parentName);
    if (context.sourceKind === 'sqlite') fail('a SQLite source has no embedded documents to read rows from');
    else if (!child) fail(`the Prisma schema has no model ${childName}`);
    else if (!parent) fail(`the Prisma schema has no model ${parentName}`);
    else if (parent === child) fail('a model cannot be embedded in itself');
    else if (collection !== undefined) fail(`models.${childName}.collection is set too: a model's rows come from its own collection or from its parent's documents, not both; remove one`);
    else if (byModel.has(childName)) fail(`${childName} has a hand-written transformer in ${file}, but an embedded model has no documents of its own to transform; remove one`);
    else if (byModel.has(parentName)) {
      fail(`${parentName} has a hand-written transformer in ${file}, and that transformer decides which rows its documents make: derive ${childName} there (derives: { ${childName}: '…' }), or remove it so the default transformer reads ${path}`);
    } else if (embeddedIn.has(parentName)) fail(`${parentName} is itself embedded (in ${models[parentName]?.embeddedIn}); an embedded model holds no embedded models of its own: write a transformer for ${embeddedIn.get(parentName)}`);
    else {
      const deriving = transformers.find((t) => Object.keys(t.derives ?? {}).includes(childName));
      if (deriving) fail(`the transformer for ${deriving.model} in ${file} already derives ${childName}; remove one`);
      else {
        const planned = childOf(child, parent, path);
        if (typeof planned === 'string') fail(planned);
        else out.push(planned);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return out;
}

/** The child's owner field, id and position, or why the schema does not allow them. */
function childOf(child: ModelSpec, parent: ModelSpec, path: string): EmbeddedChild | string {
  if (parent.key.length !== 1) return `${parent.name} has a composite key, so its documents have no UUID for ${child.name} to point at`;
  const owner = ownerRelation(child, parent);
  if (typeof owner === 'string') return owner;
  const ownerField = owner.fromFields[0] ?? '';
  const ownerColumn = owner.fromColumns[0] ?? '';
  let idField: string | undefined;
  if (child.key.length === 1 && child.id.field !== ownerField) {
    if (child.id.type !== 'String') {
      return `${child.name}.${child.id.field} is ${child.id.type}, but an embedded row's id is a UUID made from its owner and position: make it String @db.Uuid, or key the model with @@id([${ownerField}, position])`;
    }
    idField = child.id.field;
  }
  const position = POSITION_NAMES.map((n) => child.columns.find((c) => c.field.toLowerCase() === n && c.type === 'Int' && !c.isList && !c.enumName)).find((c) => c !== undefined);
  const oneToOne = (child.key.length === 1 && child.id.field === ownerField) || child.uniques.some((u) => u.length === 1 && u[0] === ownerColumn);
  return {
    model: child.name,
    parent: parent.name,
    path,
    ownerField,
    ...(position ? { positionField: position.field } : {}),
    ...(idField ? { idField } : {}),
    oneToOne,
  };
}

/** The one required single-column relation from the child to the parent's id, or what is wrong with the ones there are. */
function ownerRelation(child: ModelSpec, parent: ModelSpec): RelationSpec | string {
  const toParent = child.relations.filter((r) => r.target === parent.name);
  const required = toParent.filter((r) => r.required);
  if (required.length > 1) return `${child.name} has ${required.length} required relations to ${parent.name} (${required.map((r) => r.field).join(', ')}), so which one is the owner cannot be told`;
  const [owner] = required;
  if (!owner) {
    const [optional] = toParent;
    if (optional) return `${child.name}.${optional.field} → ${parent.name} is optional, but an embedded row always has its owner: make ${optional.fromFields.join(', ')} required`;
    const field = `${parent.name.charAt(0).toLowerCase()}${parent.name.slice(1)}`;
    return `${child.name} has no relation to ${parent.name}, but an embedded row points at its owner: add \`${field}Id String @db.Uuid\` and \`${field} ${parent.name} @relation(fields: [${field}Id], references: [${parent.id.field}])\``;
  }
  if (owner.fromFields.length !== 1) return `${child.name}.${owner.field} → ${parent.name} has a composite foreign key; the owner must be one column holding ${parent.name}'s id`;
  if (owner.toColumns[0] !== parent.id.field) return `${child.name}.${owner.field} references ${parent.name}.${owner.toColumns.join(', ')}, not its id ${parent.id.field}`;
  return owner;
}
