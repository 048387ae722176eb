import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { deserialize, serialize, type Document, type ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import { openMongoSource } from '../../src/sources/mongodb/mongodb-source.ts';
import { freshDatabase, mongoUrl, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { sampleDump } from '../support/sample-source.ts';
import { validate } from '../../src/validate/validate.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';

/**
 * Issue 8, item 7: one BSON string that is not valid UTF-8 used to stop the whole run ("Invalid
 * UTF-8 string in BSON document", no collection, no _id), and every resume met it again.
 */
const BATCH = 5;
const PLACEHOLDER = 'bad-XXXX';
const INVALID = [0xc3, 0x28, 0xff, 0xfe]; // a lead byte without its continuation, then two bytes UTF-8 never uses

/** The documents of a .bson file, each as its raw bytes. */
function rawDocuments(file: string): Buffer[] {
  const bytes = readFileSync(file);
  const out: Buffer[] = [];
  for (let pos = 0; pos < bytes.length; pos += bytes.readInt32LE(pos)) out.push(bytes.subarray(pos, pos + bytes.readInt32LE(pos)));
  return out;
}

/**
 * Rewrites document `index` of a .bson file with a nested string holding invalid UTF-8: the
 * document is serialized with a placeholder, whose bytes are then patched (same length, so every
 * length prefix stays right). Returns the document's _id.
 */
function plantInvalidUtf8(file: string, index: number): ObjectId {
  const docs = rawDocuments(file);
  const victim = docs[index];
  if (!victim) throw new Error(`${file} has no document ${index}`);
  const doc: Document = { ...deserialize(victim), meta: { detail: { text: PLACEHOLDER } } };
  const bytes = Buffer.from(serialize(doc));
  const at = bytes.indexOf(PLACEHOLDER, 0, 'utf8') + 'bad-'.length;
  Buffer.from(INVALID).copy(bytes, at);
  docs[index] = bytes;
  writeFileSync(file, Buffer.concat(docs));
  expect(() => deserialize(bytes)).toThrow(/UTF-8/);
  return doc['_id'] as ObjectId;
}

describe('a mongodump with one document holding invalid UTF-8', () => {
  let dir: string;
  let total: number;
  let badId: ObjectId;
  let db: TestDatabase;
  beforeAll(async () => {
    ({ dir } = await sampleDump(0.3, 11));
    const file = join(dir, 'shop', 'audit_logs.bson');
    total = rawDocuments(file).length;
    // Near the end, so a run paused after its first batch of audit logs has not reached it yet.
    badId = plantInvalidUtf8(file, total - 3);
    db = await freshDatabase('badutf8');
  });
  afterAll(async () => {
    await db.drop();
  });

  test('the run completes, that document is in the error log with its _id and the field path, every other one is loaded; the resume passes it', async () => {
    const workDir = join(dir, '..', `work-${db.name}`);
    const source = { kind: 'mongodump', path: dir };
    const overrides = { batchSize: BATCH };

    // First run: paused once the first batch of audit logs is committed (a real row, not a timer).
    // Batches of 5 give the audit logs 60 commits before the planted document: the pause lands long
    // before it on any machine, a fast load included.
    const controller = new AbortController();
    let settled = false;
    const watcher = (async () => {
      for (;;) {
        const { rows } = await db.pool.query<{ n: string }>(`SELECT batches::text AS n FROM _migration.progress WHERE model = 'AuditLog'`).catch(() => ({ rows: [] as { n: string }[] }));
        // A run that ended on its own (a failure) ends the watch too: the expectations below say what went wrong.
        if (Number(rows[0]?.n ?? 0) >= 1 || controller.signal.aborted || settled) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      controller.abort(new Error('test pause'));
    })();
    const paused = await migrateForTest({ source, targetUrl: db.url, overrides, workDir, signal: controller.signal }).finally(() => (settled = true));
    await watcher;
    expect(paused.status).toBe('paused');
    const { rows: before } = await db.pool.query<{ read: string; rejected: string }>(`SELECT read::text, rejected::text FROM _migration.progress WHERE model = 'AuditLog'`);
    // Paused before the bad document: the resume has to read past it.
    expect(Number(before[0]?.read)).toBeLessThan(total - 3);

    const resumed = await migrateForTest({ source, targetUrl: db.url, overrides, workDir });
    expect(resumed.status).toBe('completed');
    expect(resumed.summary?.models.find((m) => m.model === 'AuditLog')).toMatchObject({ source: total, written: total - 1, rejected: 1 });
    expect(resumed.summary?.balanced).toBe(true);

    const { rows } = await db.pool.query<{ source_id: string; stage: string; reason: string; document: string }>(`SELECT source_id, stage, reason, document FROM _migration.rejected WHERE model = 'AuditLog'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source_id: badId.toHexString(), stage: 'read' });
    expect(rows[0]?.reason).toMatch(/^invalid UTF-8 in the string at meta\.detail\.text; document at byte \d+ of audit_logs\.bson$/);
    // The rest of the document is kept, the bad bytes shown as U+FFFD.
    expect(rows[0]?.document).toContain(badId.toHexString());
    expect(rows[0]?.document).toContain('bad-\uFFFD(\uFFFD\uFFFD');
    const exported = readFileSync(resumed.rejectedFile ?? '', 'utf8');
    expect(exported).toContain(badId.toHexString());
    expect(exported).toContain('invalid UTF-8 in the string at meta.detail.text');

    const { rows: landed } = await db.pool.query<{ n: string; bad: string }>(`SELECT count(*)::text AS n, count(*) FILTER (WHERE id = (SELECT uuid FROM _migration.id_map WHERE model = 'AuditLog' AND source_id = $1))::text AS bad FROM audit_logs`, [badId.toHexString()]);
    expect(landed).toEqual([{ n: String(total - 1), bad: '0' }]);

    // A re-run finds the run complete; validate reads the whole dump again, bad document included, and agrees.
    expect((await migrateForTest({ source, targetUrl: db.url, overrides, workDir })).status).toBe('completed');
    const config = await loadConfig(undefined, { overrides: [{ source, target: { url: db.url }, ...overrides }] });
    const report = await validate({ config, logger: createLogger({ quiet: true }) });
    expect(report.findings).toEqual([]);
    expect(report.models.find((m) => m.model === 'AuditLog')).toMatchObject({ source: total, target: total - 1, rejected: 1 });
  });
});

/**
 * Sends one insert as a raw OP_MSG, so the document reaches the server with its bytes exactly as
 * given: the driver can only serialize JavaScript strings, which are always valid UTF-8.
 */
async function insertRawBson(url: string, command: Buffer): Promise<Document> {
  const { hostname, port } = new URL(url);
  const header = Buffer.alloc(21);
  header.writeInt32LE(header.length + command.length, 0);
  header.writeInt32LE(1, 4); // requestID
  header.writeInt32LE(2013, 12); // OP_MSG; flagBits 0, then section kind 0 (the command body)
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.concat([header, command])));
    let got = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4 && got.length >= got.readInt32LE(0)) {
        socket.end();
        resolve(got);
      }
    });
    socket.on('error', reject);
  });
  return deserialize(reply.subarray(21), { validation: { utf8: false } });
}

test('live MongoDB-wire source: a document sent with invalid UTF-8 is rejected if the server keeps the bytes, read as stored if it repairs them', async () => {
  const database = `badutf8_${randomBytes(3).toString('hex')}`;
  const command = Buffer.from(serialize({ insert: 'notes', documents: [{ _id: 1, text: 'ok' }, { _id: 2, nested: { text: PLACEHOLDER } }, { _id: 3, text: 'ok' }], $db: database }));
  Buffer.from(INVALID).copy(command, command.indexOf(PLACEHOLDER, 0, 'utf8') + 'bad-'.length);
  expect(await insertRawBson(mongoUrl(), command)).toMatchObject({ ok: 1, n: 3 });
  const client = new MongoClient(mongoUrl());
  const source = await openMongoSource(mongoUrl(), database);
  try {
    const [stored] = await client.db(database).collection<{ _id: number }>('notes').find({ _id: 2 }, { raw: true }).toArray();
    const keptBadBytes = Buffer.from(stored as unknown as Uint8Array).includes(Buffer.from(INVALID));
    const batches = [];
    for await (const batch of source.read('notes', { batchSize: 2 })) batches.push(batch);
    const docs = batches.flatMap((b) => b.docs.map((d) => d._id));
    const unreadable = batches.flatMap((b) => b.unreadable ?? []);
    if (keptBadBytes) {
      expect(docs).toEqual([1, 3]);
      expect(unreadable.map((u) => [u.sourceId, u.reason])).toEqual([[2, 'invalid UTF-8 in the string at nested.text; a document of collection notes']]);
    } else {
      // FerretDB stores the string with each bad sequence replaced by U+FFFD: valid UTF-8, read as such.
      expect(docs).toEqual([1, 2, 3]);
      expect(unreadable).toEqual([]);
      expect(batches.flatMap((b) => b.docs).find((d) => d._id === 2)).toMatchObject({ nested: { text: 'bad-\uFFFD(\uFFFD\uFFFD' } });
    }
  } finally {
    await source.close();
    await client.db(database).dropDatabase();
    await client.close();
  }
});
