import { docSourceId, sourceIdKey } from '../ids/source-id.ts';
import type { EmbeddedChild } from '../plan/embedded.ts';
import type { ModelPlan } from '../plan/plan.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { defaultReads, flattenedCandidates, type ReadBy } from '../transform/default-transformer.ts';
import { isSubDocument } from '../transform/bson-values.ts';
import type { SourceDoc } from '../transform/types.ts';

/**
 * How one source field of a model was used: read (by the id, a column, a many-to-many link or
 * a hand-written transformer), ignored on purpose (config, or the built-in Mongoose rule for
 * `__v`), partly read (a sub-document some of whose children are read), or left behind.
 */
export type FieldUse = ReadBy | 'transformer' | 'ignored' | 'version-key' | 'partly-read' | 'left-behind';

/** One path of one model, counted over the documents that hold it. */
export interface FieldCount {
  path: string;
  use: FieldUse;
  /** The column, relation or config entry behind `use`, when there is one. */
  detail: string;
  documents: number;
  /** The source id of the first document seen holding it. */
  example: string | null;
}

/** A batch's (or a pass's) counts, keyed by `use` and path; summed into `_migration.fields` per batch. */
export type FieldTally = Map<string, FieldCount>;

export type UnmappedPolicy = 'warn' | 'fail';

/** Adds `from`'s counts into `into` (the first example seen stays). */
export function mergeTally(into: FieldTally, from: FieldTally | undefined): void {
  for (const [key, count] of from ?? []) {
    const had = into.get(key);
    if (had) {
      had.documents += count.documents;
      had.example ??= count.example;
    } else into.set(key, { ...count });
  }
}

export interface ModelAccounting {
  model: string;
  collection: string;
  fields: FieldCount[];
}

/**
 * Every field of the source, per model, and every collection no model reads: the one structure
 * migrate's summary, the run report and validate all read.
 */
export interface FieldAccounting {
  policy: UnmappedPolicy;
  models: ModelAccounting[];
  /** Collections no model reads at all, with their document counts. */
  unreadCollections: { collection: string; documents: number }[];
  /** Paths left behind, in all models (partly read parents not counted: their children are). */
  leftBehind: number;
}

const VERSION_KEY = '__v';

/** How a path is used; `key` (use and path) is its entry in a tally, built once per path. */
interface Use {
  use: FieldUse;
  detail: string;
  key?: string;
}

/** An embedded model's part in its parent's accounting: where its elements are, and how its columns read them. */
export interface EmbeddedFields {
  child: EmbeddedChild;
  model: ModelSpec;
  /** The child's renames (`models.<Child>.fields`), relative to the element. */
  renames: Readonly<Record<string, string>>;
  /** The child's ignore list (`models.<Child>.ignore`), relative to the element. */
  ignore: readonly string[];
}

/**
 * A key a hand-written transformer has not read in this many documents holding it is taken as
 * not read by it, and no longer makes a document go through the Proxy. If it does read it in a
 * later document, that document is counted as leaving it behind: the error is loud, not silent.
 */
const SETTLED_AFTER = 1000;

/**
 * The keys of a sub-document below a document's own, one node per path: those a dotted rename,
 * a flattened column or an ignore entry names, and, for an embedded model's elements
 * (`users.addresses`), those its columns read. A path such as `profile.addresses.geo` is three
 * levels deep. Each key's use is worked out once per level and remembered.
 */
class Level {
  /** Keys named one by one: a renamed or flattened column, an ignore entry. */
  readonly named = new Map<string, Use>();
  /** Keys that are sub-documents read in part. */
  readonly below = new Map<string, Level>();
  /** Set for an embedded model's elements: what its columns read; an array's elements are each this level. */
  reads: ((key: string) => { use: ReadBy; detail: string } | undefined) | undefined;
  /** How the key holding this level is reported as partly read: `embedded Address`, or '' for a plain sub-document. */
  detail = '';
  private readonly known = new Map<string, Use & { path: string }>();
  constructor(readonly path: string) {}

  child(key: string): Level {
    let level = this.below.get(key);
    if (!level) this.below.set(key, (level = new Level(this.path === '' ? key : `${this.path}.${key}`)));
    return level;
  }

  use(key: string): Use & { path: string } {
    let use = this.known.get(key);
    if (!use) {
      const path = `${this.path}.${key}`;
      const below = this.below.get(key);
      // In the order of the document's own keys: a column reads it, else it is read in part, else named (ignored), else left.
      const found = this.reads?.(key) ?? (below ? { use: 'partly-read' as const, detail: below.detail } : (this.named.get(key) ?? LEFT));
      use = { use: found.use, detail: found.detail, key: `${found.use}\u0000${path}`, path };
      this.known.set(key, use);
    }
    return use;
  }
}

/**
 * Counts, document by document, which source paths a model's documents hold and how each is
 * used. What the default transformer reads is fixed per model (its columns, renames, link
 * arrays and embedded models): a key is classified once and remembered, so a document costs
 * `Object.keys` and a map lookup per key. A hand-written transformer's reads are not knowable
 * statically: a document holding a key it has not been seen to read (nor been seen to skip
 * SETTLED_AFTER times) goes through a Proxy that records each property read (`watch`); the
 * others go through as they are, so the Proxy's cost fades once the model's shape is known. A
 * key read in any document counts as read. What a transformer reads inside a sub-document is
 * not followed: reading `address` at all counts the whole sub-document as read. An embedded
 * model's elements are counted by path, once per document however many elements hold it
 * (`addresses.geo` in 40 documents).
 */
export class FieldCounter {
  private tally: FieldTally = new Map();
  private readonly known = new Map<string, Use>();
  /** The sub-documents read in part, by path (`address` for `address.city`, `addresses` for an embedded Address). */
  private readonly root = new Level('');
  private readonly topIgnored: Set<string>;
  private readonly idFields: Set<string>;
  private readonly custom: boolean;
  private readonly classify: (key: string) => { use: ReadBy; detail: string } | undefined;
  /** Hand-written transformer: the reads of the document being transformed, when it is watched. */
  private reads: Set<string> | undefined;
  /** Hand-written transformer: keys it read at least once, and documents holding each key it did not read. */
  private readonly everRead = new Set<string>(['_id']);
  private readonly skippedIn = new Map<string, number>();

  constructor(
    private readonly model: ModelSpec,
    plan: ModelPlan,
    renames: Readonly<Record<string, string>>,
    ignore: readonly string[],
    options: {
      /** Source fields the source itself makes the `_id` of (a SQLite table's primary key columns). */
      idFields?: readonly string[];
      /** The models config embeds in this one (plan.embedded), with their own renames and ignore lists. */
      embedded?: readonly EmbeddedFields[];
    } = {},
  ) {
    this.idFields = new Set(options.idFields ?? []);
    this.custom = plan.custom;
    this.topIgnored = new Set(ignore.filter((p) => !p.includes('.')));
    this.classify = defaultReads(model, plan.junctions, renames);
    this.nameColumns(model, renames, '', (field) => field);
    for (const path of ignore) if (path.includes('.')) this.name(path, { use: 'ignored', detail: 'models.ignore' });
    for (const { child, model: childModel, renames: childRenames, ignore: childIgnore } of options.embedded ?? []) {
      const given = new Set([child.ownerField, ...(child.idField === undefined ? [] : [child.idField])]);
      const detail = (field: string) => `${childModel.name}.${field}`;
      let level = this.root;
      for (const part of child.path.split('.')) level = level.child(part);
      const reads = defaultReads(childModel, [], childRenames, { given, detail });
      const before = level.reads;
      level.reads = before ? (key) => before(key) ?? reads(key) : reads;
      level.detail = `embedded ${childModel.name}`;
      // The child's own naming rules and ignore list, relative to its elements.
      this.nameColumns(childModel, childRenames, `${child.path}.`, detail, given);
      for (const path of childIgnore) this.name(`${child.path}.${path}`, { use: 'ignored', detail: `models.${childModel.name}.ignore` });
    }
  }

  /** The document a hand-written transformer is given: a recording Proxy while its reads are unknown; the document itself otherwise. */
  watch(doc: SourceDoc): SourceDoc {
    this.reads = undefined;
    if (!this.custom || Object.keys(doc).every((k) => this.everRead.has(k) || (this.skippedIn.get(k) ?? 0) >= SETTLED_AFTER)) return doc;
    const reads = new Set<string>();
    this.reads = reads;
    return new Proxy(doc, {
      get(target, key, receiver) {
        if (typeof key === 'string') reads.add(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }

  /** Counts the paths of one document (after its transform, so a Proxy has seen the reads). */
  count(doc: SourceDoc): void {
    const reads = this.reads;
    this.reads = undefined;
    for (const key of Object.keys(doc)) {
      const use = this.custom ? this.customUse(key, reads) : this.use(key);
      this.add(key, use, doc);
      if (use.use === 'partly-read') {
        const level = this.root.below.get(key);
        if (level) this.countLevel(level, doc[key], doc, undefined);
      }
    }
  }

  /** The counts since the last call, for the batch about to commit. */
  take(): FieldTally {
    const out = this.tally;
    this.tally = new Map();
    return out;
  }

  private use(key: string): Use {
    let use = this.known.get(key);
    if (!use) {
      const level = this.root.below.get(key);
      const found = this.classify(key) ?? (level ? { use: 'partly-read' as const, detail: level.detail } : this.unread(key));
      use = { ...found, key: `${found.use}\u0000${key}` };
      this.known.set(key, use);
    }
    return use;
  }

  private customUse(key: string, reads: ReadonlySet<string> | undefined): Use {
    if (key === '_id') return { use: 'id', detail: this.model.id.field };
    if (reads?.has(key)) this.everRead.add(key);
    else if (reads && !this.everRead.has(key)) this.skippedIn.set(key, (this.skippedIn.get(key) ?? 0) + 1);
    if (this.everRead.has(key)) return TRANSFORMER;
    const level = this.root.below.get(key);
    if (level) return { use: 'partly-read', detail: level.detail };
    return this.unread(key);
  }

  private unread(key: string): Use {
    if (this.idFields.has(key)) return { use: 'id', detail: this.model.id.field };
    if (this.topIgnored.has(key)) return { use: 'ignored', detail: 'models.ignore' };
    if (key === VERSION_KEY) return { use: 'version-key', detail: '' };
    return { use: 'left-behind', detail: '' };
  }

  /**
   * The keys below a partly read one. An embedded model's array counts each element's keys; a
   * path is counted once per document (`once`), however many elements hold it.
   */
  private countLevel(level: Level, value: unknown, doc: SourceDoc, once: Set<string> | undefined): void {
    if (!Array.isArray(value)) return this.countKeys(level, value, doc, once);
    if (level.reads === undefined) return;
    const seen = once ?? new Set<string>();
    for (const element of value) this.countKeys(level, element, doc, seen);
  }

  private countKeys(level: Level, value: unknown, doc: SourceDoc, once: Set<string> | undefined): void {
    if (!isSubDocument(value)) return;
    for (const key of Object.keys(value)) {
      const use = level.use(key);
      if (once === undefined || !once.has(use.path)) {
        once?.add(use.path);
        this.add(use.path, use, doc);
      }
      if (use.use === 'partly-read') {
        const below = level.below.get(key);
        if (below) this.countLevel(below, value[key], doc, once);
      }
    }
  }

  /** The sub-document paths a model's columns read: dotted renames, and columns flattened by convention (`addressCity` from `address.city`). */
  private nameColumns(model: ModelSpec, renames: Readonly<Record<string, string>>, prefix: string, detail: (field: string) => string, given?: ReadonlySet<string>): void {
    for (const [field, path] of Object.entries(renames)) {
      if (path.includes('.')) this.name(prefix + path, { use: 'column', detail: detail(field) });
    }
    for (const column of model.columns) {
      if (renames[column.field] !== undefined || given?.has(column.field)) continue;
      for (const path of flattenedCandidates(column.field)) this.name(prefix + path, { use: 'column', detail: detail(column.field) });
    }
  }

  /** Names the use of one path below the document's own keys; the first name given a path stays. */
  private name(path: string, use: Use): void {
    const parts = path.split('.');
    const last = parts.pop() ?? '';
    let level = this.root;
    for (const part of parts) level = level.child(part);
    if (!level.named.has(last)) level.named.set(last, use);
  }

  /** One document holding `path`; the example id is worked out only for the path's first document. */
  private add(path: string, use: Use, doc: SourceDoc): void {
    const key = use.key ?? `${use.use}\u0000${path}`;
    const entry = this.tally.get(key);
    if (entry) {
      entry.documents++;
      return;
    }
    const id = docSourceId(doc);
    this.tally.set(key, { path, use: use.use, detail: use.detail, documents: 1, example: id === undefined ? null : sourceIdKey(id) });
  }
}

const LEFT: Use = { use: 'left-behind', detail: '' };
const TRANSFORMER: Use = { use: 'transformer', detail: '' };

/** Folds a model's counts into its report lines: each path once, the most telling use first. */
export function modelAccounting(model: string, collection: string, counts: Iterable<FieldCount>): ModelAccounting {
  const byPath = new Map<string, FieldCount>();
  for (const c of counts) {
    const seen = byPath.get(c.path);
    // A hand-written transformer may read a field in some documents only: read in any is read.
    if (!seen) byPath.set(c.path, { ...c });
    else {
      const read = RANK[c.use] < RANK[seen.use] ? c : seen;
      byPath.set(c.path, { ...read, documents: seen.documents + c.documents, example: seen.example ?? c.example });
    }
  }
  return { model, collection, fields: [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

const RANK: Record<FieldUse, number> = { id: 0, column: 1, link: 2, transformer: 3, 'partly-read': 4, ignored: 5, 'version-key': 6, 'left-behind': 7 };

export function buildAccounting(policy: UnmappedPolicy, models: ModelAccounting[], unreadCollections: { collection: string; documents: number }[]): FieldAccounting {
  const leftBehind = models.reduce((n, m) => n + m.fields.filter((f) => f.use === 'left-behind').length, 0);
  return { policy, models, unreadCollections, leftBehind };
}

/**
 * True when `unmappedFields: fail` and a field of a model is left behind: the run cannot vouch
 * for its result. Collections no model reads are listed but do not fail it: no config key can
 * mark a collection as left on purpose yet, and `--models` leaves some out by design.
 */
export function failsPolicy(a: FieldAccounting): boolean {
  return a.policy === 'fail' && a.leftBehind > 0;
}

/** One line per path left behind or ignored, and per collection no model reads. */
export function formatAccounting(a: FieldAccounting): string[] {
  const lines: string[] = [];
  const left = a.models.flatMap((m) => m.fields.filter((f) => f.use === 'left-behind').map((f) => ({ m, f })));
  const ignored = a.models.flatMap((m) => m.fields.filter((f) => f.use === 'ignored').map((f) => ({ m, f })));
  const versionKeys = a.models.flatMap((m) => m.fields.filter((f) => f.use === 'version-key').map((f) => ({ m, f })));
  if (left.length > 0 || a.unreadCollections.length > 0) {
    lines.push(`FIELDS LEFT BEHIND (unmappedFields: ${a.policy}): in the source, read by no column, link or transformer`);
    for (const { m, f } of left) lines.push(`  ${m.model}: ${m.collection}.${f.path} in ${fmt(f.documents)} document(s), e.g. ${f.example ?? '(no id)'}`);
    for (const c of a.unreadCollections) lines.push(`  collection ${c.collection} (${fmt(c.documents)} document(s)): no model reads it`);
    lines.push(`  map them (a column, models.<Model>.fields), or list them in models.<Model>.ignore to leave them on purpose`);
  } else {
    lines.push('fields: every source field is mapped or ignored on purpose');
  }
  if (ignored.length > 0 || versionKeys.length > 0) {
    lines.push('ignored on purpose:');
    for (const { m, f } of ignored) lines.push(`  ${m.model}: ${m.collection}.${f.path} in ${fmt(f.documents)} document(s) (ignored (config))`);
    // Mongoose puts __v in every document of every collection: one line for all models.
    if (versionKeys.length > 0) {
      const total = versionKeys.reduce((n, v) => n + v.f.documents, 0);
      lines.push(`  __v in ${fmt(total)} document(s) (ignored (Mongoose version key)): ${versionKeys.map(({ m, f }) => `${m.model} ${fmt(f.documents)}`).join(', ')}`);
    }
  }
  return lines;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
