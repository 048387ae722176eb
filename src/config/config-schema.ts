import { z } from 'zod';

const mongodb = z.object({
  kind: z.literal('mongodb'),
  url: z.string().min(1),
  database: z.string().min(1).optional(),
});
const mongodump = z.object({ kind: z.literal('mongodump'), path: z.string().min(1) });
const sqlite = z.object({ kind: z.literal('sqlite'), path: z.string().min(1) });

/** Everything a run reads, validated before any database is touched. */
export const configSchema = z
  .object({
    source: z.discriminatedUnion('kind', [mongodb, mongodump, sqlite]),
    target: z.object({ url: z.string().min(1).optional() }).strict().default({}),
    /** The Prisma schema of the target. */
    schema: z.string().default('prisma/schema.prisma'),
    /** A module whose default export (or `transformers` export) lists the hand-written transformers. */
    transformers: z.string().default('transformers/index.ts'),
    /** The generated Prisma client, for the `prisma` writer. */
    prismaClient: z.string().default('src/generated/prisma/client.ts'),
    writer: z.enum(['copy', 'prisma']).default('copy'),
    batchSize: z.number().int().min(1).max(100_000).default(1000),
    /** Models loading at once inside a phase. */
    parallelism: z.number().int().min(1).max(16).default(2),
    ids: z
      .object({
        strategy: z.enum(['v7-objectid', 'v5', 'keep']).default('v7-objectid'),
        namespace: z.uuid().optional(),
      })
      .strict()
      .default({ strategy: 'v7-objectid' }),
    /** Per-model settings: the source collection or table when it is not named as the model's table. */
    models: z.record(z.string(), z.object({ collection: z.string().min(1).optional() }).strict()).default({}),
    /** Explicit load order, replacing the one computed from relations. */
    phases: z.array(z.array(z.string()).min(1)).optional(),
    /** Load only these models (`--models`). */
    only: z.array(z.string()).optional(),
    retry: z
      .object({
        retries: z.number().int().min(0).max(100).default(8),
        minDelayMs: z.number().int().min(0).default(500),
        maxDelayMs: z.number().int().min(0).default(15_000),
      })
      .strict()
      .default({ retries: 8, minDelayMs: 500, maxDelayMs: 15_000 }),
    checkpointDir: z.string().default('checkpoints'),
    logDir: z.string().default('logs'),
    /** Names the run; by default derived from the source and target. */
    runId: z.string().regex(/^[\w.-]+$/).optional(),
  })
  .strict();

export type MigrationConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
