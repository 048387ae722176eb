import type { PrismaPg } from '@prisma/adapter-pg';
import { importUserModule } from '../config/import-user-module.ts';
import { escapeLiteral } from 'pg';
import type { Row } from '../check/row-check.ts';
import type { ModelSpec } from '../schema/model-graph.ts';
import { fieldText } from './copy-text.ts';
import { quoteIdent, sqlTable } from './identifiers.ts';
import type { WriteTx, Writer } from './writer.ts';

/** The few parts of a generated Prisma client this writer uses, whatever the user's schema. */
interface PrismaTxLike {
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe(sql: string, ...values: unknown[]): Promise<unknown>;
}
interface PrismaClientLike {
  $transaction<T>(fn: (tx: PrismaTxLike) => Promise<T>, options: { maxWait: number; timeout: number }): Promise<T>;
  $disconnect(): Promise<void>;
}
type PrismaClientClass = new (options: { adapter: PrismaPg }) => PrismaClientLike;
type CreateMany = (args: { data: Row[] }) => Promise<{ count: number }>;

/**
 * Writes model rows with the generated client's `createMany` inside an interactive
 * transaction; bookkeeping rows go in the same transaction as plain SQL.
 */
export async function createPrismaWriter(url: string, clientModule: string): Promise<Writer> {
  const imported = await importUserModule(clientModule);
  const PrismaClient = (imported as { PrismaClient?: PrismaClientClass }).PrismaClient;
  if (typeof PrismaClient !== 'function') throw new Error(`${clientModule} exports no PrismaClient (run \`npm run prisma:generate\`)`);
  // Imported with the client, not with the migrator: only a run with `--writer prisma` loads it.
  const { PrismaPg: Adapter } = await import('@prisma/adapter-pg');
  const prisma = new PrismaClient({ adapter: new Adapter({ connectionString: url }) });
  return {
    name: 'prisma',
    lines: false,
    transaction: (fn) => prisma.$transaction((tx) => fn(prismaTx(tx)), { maxWait: 60_000, timeout: 600_000 }),
    close: () => prisma.$disconnect(),
  };
}

let savepointCounter = 0;

function prismaTx(tx: PrismaTxLike): WriteTx {
  return {
    async writeRows(model, rows) {
      if (rows.length === 0) return;
      const delegate = (tx as unknown as Record<string, { createMany?: CreateMany } | undefined>)[lowerFirst(model.name)];
      if (typeof delegate?.createMany !== 'function') throw new Error(`the Prisma client has no model ${model.name}`);
      await delegate.createMany({ data: rows.map((row) => forPrisma(model, row)) });
    },
    async writeRaw(table, columns, rows) {
      if (rows.length === 0) return;
      const values = rows.map((r) => `(${r.map(sqlLiteral).join(', ')})`).join(',\n');
      await tx.$executeRawUnsafe(`INSERT INTO ${sqlTable(table)} (${columns.map(quoteIdent).join(', ')}) VALUES ${values}`);
    },
    async query<T extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
      return (await tx.$queryRawUnsafe(sql, ...(params ?? []))) as T[];
    },
    async savepoint(fn) {
      const name = `sp_${++savepointCounter}`;
      await tx.$executeRawUnsafe(`SAVEPOINT ${name}`);
      try {
        const result = await fn();
        await tx.$executeRawUnsafe(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`);
        throw error;
      }
    },
  };
}

/** Prisma refuses a bare null for Json fields (it wants Prisma.DbNull); leaving the key out stores NULL. */
function forPrisma(model: ModelSpec, row: Row): Row {
  const out: Row = {};
  for (const column of model.columns) {
    const value = row[column.field];
    if (value === null && column.type === 'Json') continue;
    out[column.field] = value;
  }
  return out;
}

function sqlLiteral(value: unknown): string {
  const text = fieldText(value);
  return text === null ? 'NULL' : escapeLiteral(text);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
