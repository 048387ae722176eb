import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { deserialize, ObjectId, type Document } from 'bson';
import { ConfigError, loadConfig, type ConfigLayer } from '../../src/config/load-config.ts';
import { DEFAULT_UUID_NAMESPACE, uuidV5, uuidV7FromObjectId } from '../../src/ids/uuid.ts';
import { createLogger } from '../../src/log/logger.ts';
import { buildErrorReport } from '../../src/run/error-report.ts';
import { validate } from '../../src/validate/validate.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { migrateForTest } from '../support/migrate-for-test.ts';
import { REPO_ROOT, runMigrateCli } from '../support/run-cli.ts';
import { tempFile, writeDumpFolder } from '../support/write-dump.ts';

// Issue 9, items 4 and 5: a small app in the shape real ones have. Audit columns without a
// relation (`createdBy String? @db.Uuid`) hold ObjectIds and integers; a post's category was
// rejected; a post's author never existed; a comment points at that post.

const SCHEMA = `
datasource db {
  provider = "postgresql"
}
model User {
  id    String @id @default(uuid()) @db.Uuid
  email String @unique
  posts Post[]
  @@map("users")
}
model Team {
  id   String @id @default(uuid()) @db.Uuid
  name String
  @@map("teams")
}
model Category {
  id    String @id @default(uuid()) @db.Uuid
  name  String
  posts Post[]
  @@map("categories")
}
model Post {
  id          String    @id @default(uuid()) @db.Uuid
  title       String
  authorId    String    @map("author_id") @db.Uuid
  author      User      @relation(fields: [authorId], references: [id])
  categoryId  String?   @map("category_id") @db.Uuid
  category    Category? @relation(fields: [categoryId], references: [id])
  createdBy   String?   @map("created_by") @db.Uuid
  teamId      String?   @map("team_id") @db.Uuid
  reviewerRef String?   @map("reviewer_ref") @db.Uuid
  comments    Comment[]
  tags        Tag[]
  @@map("posts")
}
model Tag {
  id    String @id @default(uuid()) @db.Uuid
  name  String
  posts Post[]
  @@map("tags")
}
model Comment {
  id     String  @id @default(uuid()) @db.Uuid
  body   String
  postId String? @map("post_id") @db.Uuid
  post   Post?   @relation(fields: [postId], references: [id])
  @@map("comments")
}
`;

const oid = (n: number) => new ObjectId(`65b0c0d0${n.toString(16).padStart(16, '0')}`);
const [u1, u2, u3, ghostUser] = [oid(1), oid(2), oid(3), oid(99)];
const [c1, cBad] = [oid(11), oid(12)];
const [p1, p2, p3, p4] = [oid(21), oid(22), oid(23), oid(24)];
const [m1, m2] = [oid(31), oid(32)];
const [tag1, ghostTag] = [oid(41), oid(98)];
const t = (o: ObjectId) => uuidV7FromObjectId(o);
const teamUuid = (n: number) => uuidV5(DEFAULT_UUID_NAMESPACE, 'Team', String(n));

function collections(): Record<string, Document[]> {
  return {
    users: [u1, u2, u3].map((id, i) => ({ _id: id, email: `user${i}@example.com` })),
    teams: [{ _id: 1, name: 'core' }, { _id: 2, name: 'growth' }],
    // The second category lacks its required name: rejected, so posts that name it point at nothing.
    categories: [{ _id: c1, name: 'news' }, { _id: cBad }],
    posts: [
      // One tag id names no tag: with `Post.tags: { onMissing: null }` that one link is dropped and logged.
      { _id: p1, title: 'one', authorId: u1, categoryId: c1, createdBy: u2, teamId: 1, tagIds: [tag1, ghostTag] },
      // Optional category rejected → NULL + logged; createdBy names a user that never existed → kept, reported.
      { _id: p2, title: 'two', authorId: u2, categoryId: cBad, createdBy: ghostUser, teamId: 2 },
      // Required author missing → the post is rejected.
      { _id: p3, title: 'three', authorId: ghostUser, createdBy: u1, teamId: 1 },
      // Already a UUID: stays as it is.
      { _id: p4, title: 'four', authorId: u1, categoryId: c1, createdBy: t(u3), teamId: null, reviewerRef: u3.toHexString() },
    ],
    tags: [{ _id: tag1, name: 'release' }],
    comments: [
      { _id: m1, body: 'hello', postId: p1 },
      // Its post was rejected; `onMissing: keep` keeps the id and the foreign key goes on NOT VALID.
      { _id: m2, body: 'orphan', postId: p3 },
    ],
  };
}

const REFERENCES: ConfigLayer = {
  references: { 'Post.reviewerRef': { model: 'User' }, 'Comment.postId': { onMissing: 'keep' }, 'Post.tags': { onMissing: 'null' } },
  maxRejected: '50%',
};

describe('references: id columns without a relation, dangling-reference policies, --max-rejected', () => {
  let db: TestDatabase;
  let dump: string;
  let schema: string;
  let printed: string;
  let summaryIdColumns: { column: string; count: number }[] | undefined;

  beforeAll(async () => {
    db = await freshDatabase('refs');
    dump = writeDumpFolder(collections());
    schema = tempFile('schema.prisma', SCHEMA);
    const run = await migrateForTest({ source: { kind: 'mongodump', path: dump }, targetUrl: db.url, overrides: { schema, ...REFERENCES } });
    expect(run.status).toBe('completed');
    printed = run.printed;
    summaryIdColumns = run.summary?.idColumns;
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
  });

  test('audit columns holding ObjectIds and integers get the UUIDs of src/ids; a UUID stays; counts per column', async () => {
    const { rows } = await db.pool.query<{ id: string; created_by: string | null; team_id: string | null; reviewer_ref: string | null }>(
      'SELECT id::text, created_by::text, team_id::text, reviewer_ref::text FROM posts ORDER BY id',
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(t(p1))).toEqual({ id: t(p1), created_by: t(u2), team_id: teamUuid(1), reviewer_ref: null });
    expect(byId.get(t(p2))).toMatchObject({ created_by: t(ghostUser), team_id: teamUuid(2) });
    expect(byId.get(t(p4))).toEqual({ id: t(p4), created_by: t(u3), team_id: null, reviewer_ref: t(u3) });
    // The same values the users got as their ids: the audit column joins.
    const { rows: joined } = await db.pool.query<{ email: string }>('SELECT u.email FROM posts p JOIN users u ON u.id = p.created_by WHERE p.id = $1', [t(p1)]);
    expect(joined).toEqual([{ email: 'user1@example.com' }]);
    // Counted when transformed: p3 converts too before its missing author rejects it.
    expect(summaryIdColumns).toEqual([
      { column: 'Post.createdBy: ObjectId → User', count: 3 },
      { column: 'Post.reviewerRef: ObjectId → User', count: 1 },
      { column: 'Post.teamId: integer id → Team', count: 3 },
    ]);
    expect(printed).toMatch(/3 {2}Post\.teamId: integer id → Team/);
  });

  test('optional relation to a rejected document → NULL and logged, the document kept; required → rejected', async () => {
    const { rows: posts } = await db.pool.query<{ id: string; category_id: string | null }>('SELECT id::text, category_id::text FROM posts ORDER BY title');
    expect(posts).toEqual([
      { id: t(p4), category_id: t(c1) },
      { id: t(p1), category_id: t(c1) },
      { id: t(p2), category_id: null },
    ]);
    const { rows: rejected } = await db.pool.query<{ model: string; source_id: string; stage: string; reason: string }>(
      'SELECT model, source_id, stage, reason FROM _migration.rejected ORDER BY model',
    );
    expect(rejected.map((r) => [r.model, r.source_id, r.stage])).toEqual([
      // A required field missing: refused by the row check (a hand-written transformer could still have filled it).
      ['Category', cBad.toHexString(), 'check'],
      ['Post', p3.toHexString(), 'link'],
    ]);
    expect(rejected[1]?.reason).toContain(`Post.authorId → User ${ghostUser.toHexString()}: no such document in the source`);
    const { rows: repairs } = await db.pool.query('SELECT model, source_id, field, target_model, missing_id, action FROM _migration.repairs ORDER BY field');
    expect(repairs).toEqual([
      { model: 'Comment', source_id: m2.toHexString(), field: 'Comment.postId', target_model: 'Post', missing_id: t(p3), action: 'kept' },
      { model: 'Post', source_id: p2.toHexString(), field: 'Post.categoryId', target_model: 'Category', missing_id: t(cBad), action: 'nulled' },
      { model: 'Post', source_id: p2.toHexString(), field: 'Post.createdBy', target_model: 'User', missing_id: t(ghostUser), action: 'kept' },
      { model: 'Post', source_id: p1.toHexString(), field: 'Post.tagIds', target_model: 'Tag', missing_id: t(ghostTag), action: 'dropped' },
    ]);
    const { rows: links } = await db.pool.query('SELECT "A"::text, "B"::text FROM "_PostToTag"');
    expect(links).toEqual([{ A: t(p1), B: t(tag1) }]);
    // A repair is not a rejection: 1 post rejected, 3 written.
    const { rows: progress } = await db.pool.query<{ written: string; rejected: string }>(`SELECT written, rejected FROM _migration.progress WHERE model = 'Post'`);
    expect(progress).toEqual([{ written: '3', rejected: '1' }]);
    expect(printed).toContain('Post.categoryId → Category: 1 set NULL');
    expect(printed).toContain('Post.createdBy → User: 1 kept as they are');
    const report = await buildErrorReport(db.pool);
    expect(report.open).toBe(2);
    expect(report.repairs.map((r) => [r.field, r.action, r.count, r.examples[0]])).toEqual([
      ['Comment.postId', 'kept', 1, `${m2.toHexString()} → ${p3.toHexString()}`],
      ['Post.categoryId', 'nulled', 1, `${p2.toHexString()} → ${cBad.toHexString()}`],
      ['Post.createdBy', 'kept', 1, `${p2.toHexString()} → ${ghostUser.toHexString()}`],
      ['Post.tagIds', 'dropped', 1, `${p1.toHexString()} → ${ghostTag.toHexString()}`],
    ]);
  });

  test('onMissing: keep keeps the dangling id and adds its foreign key NOT VALID; the others are valid', async () => {
    const { rows: comments } = await db.pool.query('SELECT body, post_id::text FROM comments ORDER BY body');
    expect(comments).toEqual([
      { body: 'hello', post_id: t(p1) },
      { body: 'orphan', post_id: t(p3) },
    ]);
    const { rows: fks } = await db.pool.query<{ rel: string; convalidated: boolean }>(
      `SELECT conrelid::regclass::text AS rel, convalidated FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY conname`,
    );
    expect(fks).toEqual([
      { rel: '"_PostToTag"', convalidated: true },
      { rel: '"_PostToTag"', convalidated: true },
      { rel: 'comments', convalidated: false },
      { rel: 'posts', convalidated: true },
      { rel: 'posts', convalidated: true },
    ]);
  });

  test('validate reports the dangling audit id, the NULL and the kept id as warnings, and the target as valid', async () => {
    const config = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: dump }, target: { url: db.url }, schema }, REFERENCES] });
    const report = await validate({ config, logger: createLogger({ quiet: true }), samplePercent: 100 });
    expect(report.findings.filter((f) => f.severity !== 'warning')).toEqual([]);
    expect(report.ok).toBe(true);
    const warnings = report.findings.map((f) => `${f.model}:${f.kind}:${f.count}:${f.ids.join(',')}`).sort();
    expect(warnings).toEqual([
      `Comment:orphan-kept comments.post_id:1:${t(m2)}`,
      `Post:dangling-id-kept posts.created_by:1:${t(p2)}`,
      `Post:reference-dropped:1:${p1.toHexString()}`,
      `Post:reference-nulled:1:${p2.toHexString()}`,
      'comments:not-valid-foreign-key:1:comments: comments_post_id_fkey',
    ]);
  }, 120_000);

  test('the dry-run plan says which id columns convert, for which model and why, and each policy', async () => {
    const run = await migrateForTest({ source: { kind: 'mongodump', path: dump }, targetUrl: db.url, dryRun: true, overrides: { schema, ...REFERENCES } });
    expect(run.printed).toMatch(/Post\.createdBy\s+→ User\s+by name `createdBy` \(a person\); pointing at no User: kept and reported/);
    expect(run.printed).toMatch(/Post\.teamId\s+→ Team\s+by name `teamId`/);
    expect(run.printed).toMatch(/Post\.reviewerRef\s+→ User\s+by config/);
    expect(run.printed).toMatch(/Post\.authorId\s+→ User\s+reject the document \(default for a required relation\)/);
    expect(run.printed).toMatch(/Post\.categoryId\s+→ Category\s+set NULL and log \(default for an optional relation\)/);
    expect(run.printed).toMatch(/Comment\.postId\s+→ Post\s+keep the id \(foreign key NOT VALID\), report \(config\)/);
    expect(run.printed).toMatch(/Post\.tags\[\]\s+→ Tag\s+drop that link and log \(config\)/);
  });
});

describe('references: bad configuration and --max-rejected', () => {
  let dump: string;
  let schema: string;
  beforeAll(() => {
    dump = writeDumpFolder(collections());
    schema = tempFile('schema.prisma', SCHEMA);
  });

  test.each([
    [{ 'Post.createdBy': { model: 'text' } }, /references\.Post\.createdBy: model 'text' leaves the values as they are, but the column is @db\.Uuid/],
    [{ 'Post.author': { onMissing: 'null' } }, /references\.Post\.author\.onMissing: null is impossible on a required relation/],
    [{ 'Post.createdBy': { model: 'Nobody' } }, /references\.Post\.createdBy\.model: the Prisma schema has no model Nobody/],
    [{ 'Post.title': { onMissing: 'keep' } }, /references\.Post\.title: Post\.title is neither a relation nor an id column/],
    [{ 'Post.teamId': { model: 'Team', onMissing: 'null' }, 'Post.id': { model: 'User' } }, /references\.Post\.id: Post\.id is neither a relation nor an id column/],
  ] as const)('%j is a ConfigError before anything is touched', async (references, message) => {
    const db = await freshDatabase('refs_bad');
    try {
      await expect(migrateForTest({ source: { kind: 'mongodump', path: dump }, targetUrl: db.url, overrides: { schema, references } })).rejects.toThrow(ConfigError);
      await expect(migrateForTest({ source: { kind: 'mongodump', path: dump }, targetUrl: db.url, overrides: { schema, references } })).rejects.toThrow(message);
      const { rows } = await db.pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = '_migration'`);
      expect(rows).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  test('above --max-rejected the run finishes with exit 3 and says so; within it, exit 0', async () => {
    const work = mkdtempSync(join(tmpdir(), 'refs-cli-'));
    const config = tempFile('config.yaml', `checkpointDir: ${JSON.stringify(join(work, 'checkpoints'))}\nlogDir: ${JSON.stringify(join(work, 'logs'))}\nreferences:\n  Comment.postId: { onMissing: keep }\n  Post.tags: { onMissing: 'null' }\n`);
    const over = await freshDatabase('refs_over');
    const within = await freshDatabase('refs_within');
    try {
      // 2 of 14 source records rejected (14%): over the default 1%.
      const exceeded = await runMigrateCli(['--dump', dump, '--schema', schema, '--config', config, '--target-url', over.url]);
      expect(exceeded.code).toBe(3);
      expect(exceeded.stdout).toContain('TOO MANY REJECTED');
      expect(exceeded.stdout).toContain('rejected 2 of 14 (14%) > --max-rejected 1%');
      expect(exceeded.stderr).toContain('rejected 2 of 14 (14%) > --max-rejected 1%: every record is in the target or the error log');
      // Finished all the same: every record is in the target or the error log.
      const { rows } = await over.pool.query<{ n: string }>(`SELECT (SELECT count(*) FROM posts) + (SELECT count(*) FROM _migration.rejected) AS n`);
      expect(rows).toEqual([{ n: '5' }]);

      const ok = await runMigrateCli(['--dump', dump, '--schema', schema, '--config', config, '--target-url', within.url, '--max-rejected', '2']);
      expect(ok.stderr).not.toContain('max-rejected');
      expect(ok.code).toBe(0);

      const bad = await runMigrateCli(['--dump', dump, '--schema', schema, '--config', config, '--target-url', within.url, '--max-rejected', 'lots']);
      expect(bad.stderr).toContain('expected a count (50) or a percentage (1%)');
      expect(bad.code).toBe(2);
    } finally {
      await over.drop();
      await within.drop();
    }
  }, 300_000);
});

describe('references: a derived row whose required reference points at nothing', () => {
  // A team member list embedded in each user (the shape of an explicit junction model filled from one side).
  const DERIVED_SCHEMA = `
datasource db {
  provider = "postgresql"
}
model User {
  id          String       @id @default(uuid()) @db.Uuid
  email       String       @unique
  memberships Membership[]
  @@map("users")
}
model Team {
  id          String       @id @default(uuid()) @db.Uuid
  name        String
  memberships Membership[]
  @@map("teams")
}
model Membership {
  userId String @map("user_id") @db.Uuid
  user   User   @relation(fields: [userId], references: [id])
  teamId String @map("team_id") @db.Uuid
  team   Team   @relation(fields: [teamId], references: [id])
  @@id([userId, teamId])
  @@map("memberships")
}
`;
  const TRANSFORMERS = `
export default [{
  model: 'User',
  derives: { Membership: 'userId' },
  transform(doc, ctx) {
    const memberships = (doc.teamIds ?? []).map((t, i) => ({ userId: ctx.uuid, teamId: ctx.ref('Team', t, 'teamIds[' + i + ']') }));
    return { rows: { User: [ctx.defaultRow(doc)], Membership: memberships } };
  },
}];
`;
  const [team1, ghostTeam] = [oid(51), oid(97)];
  const docs = () => ({
    teams: [{ _id: team1, name: 'core' }],
    users: [
      { _id: u1, email: 'a@example.com', teamIds: [team1] },
      { _id: u2, email: 'b@example.com', teamIds: [team1, ghostTeam] },
    ],
  });

  test.each([
    ['default: the user holding it is rejected', {}, { users: 1, memberships: 1, rejected: 1, dropped: 0 }],
    ["onMissing: 'null' drops that one row; the user and its other rows load", { 'Membership.team': { onMissing: 'null' as const } }, { users: 2, memberships: 2, rejected: 0, dropped: 1 }],
  ])('%s', async (_name, references, expected) => {
    const db = await freshDatabase('refs_derived');
    try {
      const path = writeDumpFolder(docs());
      const overrides: ConfigLayer = { schema: tempFile('schema.prisma', DERIVED_SCHEMA), transformers: tempFile('transformers.mjs', TRANSFORMERS), references, maxRejected: '100%' };
      const run = await migrateForTest({ source: { kind: 'mongodump', path }, targetUrl: db.url, overrides });
      expect(run.status).toBe('completed');
      const { rows } = await db.pool.query(
        `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM memberships) AS memberships,
                (SELECT count(*)::int FROM _migration.rejected) AS rejected, (SELECT count(*)::int FROM _migration.repairs WHERE action = 'dropped') AS dropped`,
      );
      expect(rows[0]).toEqual(expected);
      const config = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path }, target: { url: db.url } }, overrides] });
      const report = await validate({ config, logger: createLogger({ quiet: true }), samplePercent: 100 });
      expect(report.findings.filter((f) => f.severity !== 'warning')).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await db.drop();
    }
  }, 120_000);
});

describe('references on the CRM sample (sample/crm, prisma/crm.prisma)', () => {
  interface CrmDirt { collection: string; model: string; _id: string; field: string; expected: string }
  const CRM = join(REPO_ROOT, 'sample', 'crm');
  let db: TestDatabase;
  let overrides: ConfigLayer;

  /** A mongodump collection file: concatenated BSON documents. */
  function readBson(collection: string): Document[] {
    const bytes = readFileSync(join(CRM, 'crm', `${collection}.bson`));
    const docs: Document[] = [];
    for (let at = 0; at < bytes.length; at += bytes.readInt32LE(at)) docs.push(deserialize(bytes.subarray(at, at + bytes.readInt32LE(at))));
    return docs;
  }

  beforeAll(async () => {
    db = await freshDatabase('refs_crm');
    // Only what this helper's items need; the integrator's CRM config adds the rest (enum spellings, nested paths).
    overrides = { schema: join(REPO_ROOT, 'prisma', 'crm.prisma'), models: { DealStage: { collection: 'dealStages' } }, maxRejected: '100%' };
    const run = await migrateForTest({ source: { kind: 'mongodump', path: CRM }, targetUrl: db.url, overrides });
    expect(run.status).toBe('completed');
  }, 300_000);
  afterAll(async () => {
    await db?.drop();
  });

  test('no audit id is rejected as "not a UUID"; every loaded activity has its actor\'s UUID', async () => {
    const { rows } = await db.pool.query(`SELECT model, source_id, reason FROM _migration.rejected WHERE reason LIKE '%not a UUID%' LIMIT 5`);
    expect(rows).toEqual([]);
    const expected = new Map(readBson('activities').map((a) => [uuidV7FromObjectId(a['_id'] as ObjectId), a['actorId'] instanceof ObjectId ? uuidV7FromObjectId(a['actorId']) : null]));
    const { rows: loaded } = await db.pool.query<{ id: string; actor_id: string | null }>('SELECT id::text, actor_id::text FROM activities');
    expect(loaded.length).toBeGreaterThan(1_000);
    expect(loaded.filter((r) => expected.get(r.id) !== r.actor_id)).toEqual([]);
  });

  test('each dangling optional reference of dirt.json is NULL and logged where its document loaded, never the reason it was rejected', async () => {
    const dirt = (JSON.parse(readFileSync(join(CRM, 'dirt.json'), 'utf8')) as CrmDirt[]).filter((d) => d.expected === 'set-null-and-report');
    expect(dirt.length).toBe(3);
    for (const d of dirt) {
      const { rows: rejected } = await db.pool.query<{ reason: string }>('SELECT reason FROM _migration.rejected WHERE model = $1 AND source_id = $2', [d.model, d._id]);
      if (rejected.length > 0) {
        // Rejected for something else (an enum spelling the integrator's config maps), never for this optional reference.
        expect(rejected[0]?.reason).not.toContain(`${d.model}.${d.field}`);
        expect(rejected[0]?.reason).not.toContain('dangling reference');
        continue;
      }
      const uuid = uuidV7FromObjectId(ObjectId.createFromHexString(d._id));
      const { rows } = await db.pool.query(`SELECT ${d.field === 'companyId' ? 'company_id' : 'deal_id'} AS value FROM ${d.collection} WHERE id = $1`, [uuid]);
      expect(rows).toEqual([{ value: null }]);
      const { rows: repairs } = await db.pool.query('SELECT action FROM _migration.repairs WHERE model = $1 AND source_id = $2 AND field = $3', [d.model, d._id, `${d.model}.${d.field}`]);
      expect(repairs).toEqual([{ action: 'nulled' }]);
    }
    // Today all three are rejected for their enum spellings (issue 9 item 7, the integrator's); once those map,
    // the branch above checks NULL + repair for each. The small fixture above checks it now.
  });

  test('validate passes, with the repairs and the kept audit ids as warnings', async () => {
    const config = await loadConfig(undefined, { overrides: [{ source: { kind: 'mongodump', path: CRM }, target: { url: db.url } }, overrides] });
    const report = await validate({ config, logger: createLogger({ quiet: true }), samplePercent: 100 });
    expect(report.findings.filter((f) => f.severity !== 'warning')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.findings.some((f) => f.kind === 'reference-nulled' && f.model === 'Task')).toBe(true);
  }, 300_000);
});
