import { z } from 'zod';

/** `''` where a number, boolean, date or enum is expected: NULL with a logged coercion (optional columns), or rejected. */
const emptyStrings = z.enum(['null', 'reject']).default('null');
const mongodb = z.object({
  kind: z.literal('mongodb'),
  url: z.string().min(1),
  database: z.string().min(1).optional(),
  emptyStrings,
});
const mongodump = z.object({ kind: z.literal('mongodump'), path: z.string().min(1), emptyStrings });
const sqlite = z
  .object({
    kind: z.literal('sqlite'),
    path: z.string().min(1),
    /** `direct`: PostgreSQL tables made from the SQLite schema, keys kept. `schema`: onto the Prisma schema, ids become UUIDs. */
    mode: z.enum(['direct', 'schema']).default('direct'),
    /** How zone-less date-time text is read (an IANA zone); never the server's zone. */
    timeZone: z.string().default('UTC'),
    /** `''` where a number, boolean or date is expected: NULL with a logged warning, or rejected. */
    emptyStrings: z.enum(['null', 'reject']).default('null'),
    /** Value rules that win over the built-in ones, first match first: `{ column: 'events.created', as: 'epoch-ms' }`. */
    castRules: z.array(z.object({ column: z.string(), as: z.enum(['epoch-seconds', 'epoch-ms', 'julian-day', 'text', 'json', 'date-keep-day']) }).strict()).default([]),
    /** Type rules for the direct copy, before the built-in ones: `{ declared: '^MONEY$', type: 'Decimal(12,2)' }`. */
    typeRules: z.array(z.object({ declared: z.string().optional(), column: z.string().optional(), type: z.string().regex(/^(BigInt|Int|Float|Boolean|String|Json|Bytes|Date|DateTime|Decimal(\(\d+,\d+\))?|VarChar\(\d+\))$/) }).strict()).default([]),
    /** Write the Prisma schema describing the direct copy here. */
    emitPrisma: z.string().optional(),
    /** Write a Zero schema (for teams syncing with Zero) describing the direct copy here. */
    emitZero: z.string().optional(),
    /** Read the file even if another process seems to be writing it. */
    force: z.boolean().default(false),
    /**
     * What SQLite verifies before anything is touched: `quick` (PRAGMA quick_check: pages, b-trees,
     * records), `full` (PRAGMA integrity_check: also every index against its table, about 5× as
     * long), or `off`. See source-checks.ts.
     */
    integrityCheck: z.enum(['quick', 'full', 'off']).default('quick'),
  })
  .strict();

/** Everything a run reads, validated before any database is touched. */
export const configSchema = z
  .object({
    source: z.discriminatedUnion('kind', [mongodb, mongodump, sqlite]),
    target: z.object({ url: z.string().min(1).optional() }).strict().default({}),
    /** The Prisma schema of the target. */
    schema: z.string().default('prisma/schema.prisma'),
    /**
     * A module whose default export (or `transformers` export) lists the hand-written transformers.
     * Default: `transformers/index.ts` with the bundled schema, none with any other schema.
     */
    transformers: z.string().optional(),
    /** The generated Prisma client, for the `prisma` writer. */
    prismaClient: z.string().default('src/generated/prisma/client.ts'),
    writer: z.enum(['copy', 'prisma']).default('copy'),
    batchSize: z.number().int().min(1).max(100_000).default(1000),
    /** Models loading at once inside a phase; also index and foreign-key builds at once in STEP 4 (at most 3). */
    parallelism: z.number().int().min(1).max(16).default(2),
    /**
     * Read and prepare a plain model's rows (nothing but its own table) in a worker thread per
     * model loading, while the main thread writes: `auto` where the machine has a second core and
     * the table has 50,000 rows or more to read, `always` for every plain model, `off` never.
     */
    workers: z.enum(['auto', 'always', 'off']).default('auto'),
    /**
     * `batch`: every batch commits with its checkpoint; a failure resumes from the last batch.
     * `table`: each table loads in one transaction; a failure leaves it as it was before the run.
     * Default: `table` for SQLite files, `batch` for MongoDB.
     */
    transactions: z.enum(['batch', 'table']).optional(),
    ids: z
      .object({
        strategy: z.enum(['v7-objectid', 'v5', 'keep']).default('v7-objectid'),
        namespace: z.uuid().optional(),
      })
      .strict()
      .default({ strategy: 'v7-objectid' }),
    /** Per-model settings: the source collection or table when it is not named as the model's table. */
    models: z
      .record(
        z.string(),
        z
          .object({
            collection: z.string().min(1).optional(),
            fields: z.record(z.string(), z.string()).optional(),
            /** Source fields (or `parent.child` paths) left out on purpose: reported as ignored, never as left behind. */
            ignore: z.array(z.string().min(1)).optional(),
            /**
             * `Parent.path`: this model's rows come from the parent model's documents, one per element
             * of the array at `path` (one for a single sub-document, none when it is missing or null),
             * made by the parent's default transformer. `path` may be dotted (`User.profile.addresses`).
             * Checked against the schema in plan/embedded.ts.
             */
            embeddedIn: z.string().regex(/^[A-Za-z_]\w*(\.[^.\s]+)+$/, 'expected Parent.path (Order.payment, User.profile.addresses)').optional(),
            /**
             * migration:sync: a document gone from the source keeps its row with this field set (an
             * optional DateTime to the sync's time, an optional Boolean to true) instead of being
             * deleted. Checked against the schema in plan/deleted-mark.ts.
             */
            deletedMark: z.string().min(1).optional(),
          })
          .strict(),
      )
      .default({}),
    /** Explicit load order, replacing the one computed from relations. */
    phases: z.array(z.array(z.string()).min(1)).optional(),
    /**
     * Which source arrays fill a many-to-many table (explicit junction model or implicit `_AToB`),
     * where the name and the ids do not tell: `{ CompanyContact: { from: ['Company.contactIDs',
     * 'Contact.companyIDs'] } }` (`Model.field`, the owning model; both sides make a union);
     * `from: []` leaves it empty on purpose.
     */
    junctions: z.record(z.string(), z.object({ from: z.array(z.string().regex(/^[^.]+\.[^.]+$/, 'Model.field')) }).strict()).default({}),
    /** Load only these models (`--models`). */
    only: z.array(z.string()).optional(),
    /**
     * Source fields that no column, link or transformer reads (and no `ignore` lists): `warn`
     * lists them and the run still succeeds; `fail` makes migrate exit 3 and validate NOT VALID.
     */
    unmappedFields: z.enum(['warn', 'fail']).default('warn'),
    retry: z
      .object({
        retries: z.number().int().min(0).max(100).default(8),
        minDelayMs: z.number().int().min(0).default(500),
        maxDelayMs: z.number().int().min(0).default(15_000),
      })
      .strict()
      .default({ retries: 8, minDelayMs: 500, maxDelayMs: 15_000 }),
    /**
     * Per reference, keyed `Model.field`. On an id column without a relation (`createdBy String? @db.Uuid`):
     * `model` names whose id space its values are in (`'text'` leaves it as text; the column must then not be
     * `@db.Uuid`). On a relation's foreign key, an id column or a many-to-many field: `onMissing` says what
     * happens when it points at nothing (a rejected or absent document): `reject` the document holding it,
     * `null` the column (or drop the link) and log it, or `keep` the dangling id (its foreign key is then
     * added NOT VALID). Defaults: required relation and many-to-many links → reject; optional relation → null; id columns → keep.
     */
    references: z
      .record(
        z.string().regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/, 'expected Model.field'),
        z.object({ model: z.string().min(1).optional(), onMissing: z.enum(['reject', 'null', 'keep']).optional() }).strict(),
      )
      .default({}),
    /**
     * Above this many rejected records (a count, or a share of the source records like `1%`) the run still
     * finishes, but ends with exit 3: a tool that rejected half the source cannot vouch for the result.
     */
    maxRejected: z
      .union([z.number().int().min(0), z.string().regex(/^\d+(\.\d+)?%$|^\d+$/, 'expected a count (50) or a percentage (1%)')])
      .default('1%'),
    checkpointDir: z.string().default('checkpoints'),
    logDir: z.string().default('logs'),
    /** Names the run; by default derived from the source and target. */
    runId: z.string().regex(/^[\w.-]+$/).optional(),
  })
  .strict()
  // A direct copy keeps the source keys: there is no UUID to make.
  .transform((c) => ({ ...c, transactions: c.transactions ?? (c.source.kind === 'sqlite' ? ('table' as const) : ('batch' as const)) }))
  .transform((c) => (c.source.kind === 'sqlite' && c.source.mode === 'direct' ? { ...c, ids: { ...c.ids, strategy: 'keep' as const } } : c))
  .refine((c) => c.ids.strategy !== 'keep' || (c.source.kind === 'sqlite' && c.source.mode === 'direct'), {
    message: 'ids.strategy keep is only for the direct copy of SQLite (source.mode: direct)',
    path: ['ids', 'strategy'],
  });

export type MigrationConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
