import { Decimal128, Double, Int32, Long, ObjectId, type Document } from 'bson';
import { seededRandom } from './seeded-random.ts';

/**
 * A project-tracker's MongoDB data the way a Mongoose app stores it, with the dirt such data
 * has, for `migration:init` to draft a schema from (nobody wrote one): references by ObjectId
 * (some dangling), an array of ids on one side of a many-to-many and arrays on both sides of
 * another, embedded arrays of sub-documents (with their own references, Mongoose `_id`s and a
 * stray string element), a sub-document with dynamic keys, fields present in some documents
 * only, numbers stored as Int32 or Double, an int64 counter, a field named `id` beside `_id`,
 * keys no Prisma name allows, `__v`, an audit log without relations, microsecond-less dates.
 */
export function appDocuments(options: { decimals: boolean; seed?: number; accounts?: number }): Record<string, Document[]> {
  const random = seededRandom(options.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const oid = (prefix: number, i: number) => new ObjectId(`${(0x64000000 + prefix * 0x100000 + i).toString(16).padStart(8, '0')}${'0'.repeat(16)}`);
  const nAccounts = options.accounts ?? 200;
  const accounts: Document[] = [];
  const teams: Document[] = [];
  const projects: Document[] = [];
  const events: Document[] = [];
  for (let i = 0; i < 6; i++) teams.push({ _id: oid(1, i), name: `Team ${i}`, memberIds: [] as ObjectId[], __v: 0 });
  for (let i = 0; i < nAccounts; i++) {
    const teamIds = [pick(teams)['_id'] as ObjectId];
    const doc: Document = {
      _id: oid(2, i),
      email: `user${i}@example.com`,
      name: `User ${i}`,
      plan: pick(['free', 'pro', 'team']),
      createdAt: new Date(Date.UTC(2022, i % 12, 1 + (i % 27), 10, i % 60, 7, 123)),
      score: i % 3 === 0 ? new Double(i + 0.5) : new Int32(i),
      tags: i % 4 === 0 ? [] : ['alpha', 'beta'].slice(0, 1 + (i % 2)),
      teamIds,
      'first-name': `First${i}`,
      __v: 0,
    };
    if (i % 5 === 0) doc['deletedAt'] = null;
    if (i % 7 === 0) doc['deletedAt'] = new Date(Date.UTC(2023, 1, 1));
    if (i % 2 === 0) doc['prefs'] = { [`2024-0${1 + (i % 9)}-01`]: i, theme: 'dark' };
    for (const t of teamIds) (teams.find((x) => (x['_id'] as ObjectId).equals(t))?.['memberIds'] as ObjectId[]).push(doc['_id'] as ObjectId);
    accounts.push(doc);
  }
  // Dirt: a score kept as text by an old form.
  const dirtyAccount = accounts[3];
  if (dirtyAccount) dirtyAccount['score'] = 'high';
  for (let i = 0; i < nAccounts; i++) {
    const owner = accounts[i % nAccounts]?.['_id'] as ObjectId;
    const members = [accounts[(i + 1) % nAccounts]?.['_id'], accounts[(i + 2) % nAccounts]?.['_id']] as ObjectId[];
    const tasks = Array.from({ length: i % 4 }, (_, k) => {
      const task: Document = { _id: oid(9, i * 10 + k), title: `Task ${i}.${k}`, done: k % 2 === 0, assigneeId: accounts[(i + k) % nAccounts]?.['_id'] };
      if (k === 1) task['dueAt'] = new Date(Date.UTC(2024, 5, 1 + k));
      return task;
    });
    const doc: Document = {
      _id: oid(3, i),
      id: new Int32(1000 + i),
      name: `Project ${i}`,
      ownerId: owner,
      memberIds: members,
      tasks,
      settings: { visibility: pick(['public', 'private']), color: `#${(i * 4321).toString(16).padStart(6, '0').slice(0, 6)}` },
      views: Long.fromNumber(3_000_000_000 + i),
      createdBy: owner,
      // Ids of a collection that is not in the dump (an integrations service), one and many.
      importedBy: i % 2 === 0 ? oid(7, i) : null,
      integrationIds: [oid(8, i), oid(8, i + 1000)],
      __v: 1,
    };
    if (options.decimals && i % 2 === 0) doc['budget'] = Decimal128.fromString(`${1000 + i}.${String(i % 100).padStart(2, '0')}`);
    if (i % 3 === 0) doc['archived'] = i % 2 === 0;
    projects.push(doc);
  }
  // Dirt: an element of tasks that is no sub-document, and a project whose owner is gone.
  const odd = projects[5];
  if (odd) odd['tasks'] = [...(odd['tasks'] as Document[]), 'call the client'];
  const orphan = projects[8];
  if (orphan) orphan['ownerId'] = oid(2, 9999);
  for (let i = 0; i < 150; i++) {
    const project = projects[i % projects.length]?.['_id'] as ObjectId;
    const doc: Document = {
      _id: oid(4, i),
      projectId: i % 40 === 39 ? oid(3, 9999) : project,
      kind: pick(['created', 'updated', 'deleted']),
      at: new Date(Date.UTC(2024, 0, 1, 0, 0, i, i % 1000)),
      seq: Long.fromNumber(i),
      payload: i % 3 === 0 ? { field: 'name', from: 'a', to: 'b' } : i % 3 === 1 ? 'plain text' : new Int32(i),
    };
    events.push(doc);
  }
  return { teams, accounts, projects, events };
}
