import type pg from 'pg';
import { accountObjects, presentObjects, recordedRefusals, refusalKey, type SchemaObjectAccount, type SourceObject } from '../accounting/schema-objects.ts';
import type { Findings } from './findings.ts';

/**
 * The source file's schema objects against the target's catalog, with the reasons the run
 * recorded. An object not created for a known reason (PostgreSQL refused it, a trigger, a key
 * the Prisma schema cannot carry) is a warning: the run said so. A translated object that is
 * missing with no reason recorded is a defect (dropped since, or never tried). Tables, columns
 * and plain indexes that Prisma's DDL creates are the schema check's: not reported twice.
 */
export async function checkObjects(client: pg.PoolClient, objects: readonly SourceObject[], findings: Findings): Promise<SchemaObjectAccount> {
  const recorded = await recordedRefusals(client);
  const account = accountObjects(objects, await presentObjects(client, objects), recorded);
  for (const n of account.notCreated) {
    const o = objects.find((x) => x.kind === n.kind && x.name === n.name);
    const known = o?.reason !== undefined || recorded.has(refusalKey(n));
    const what = `${n.kind} ${n.name}`;
    if (known) findings.warn('schema', n.name, `not-created ${what}`, `${what} is not in PostgreSQL: ${n.reason}`, [n.name]);
    else if (o?.create !== undefined) findings.add('schema', n.name, `missing ${what}`, `${what} is not in PostgreSQL and the run recorded no reason (expected: ${o.create})`, n.name);
  }
  return account;
}
