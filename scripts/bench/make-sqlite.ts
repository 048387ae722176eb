import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { seededRandom } from '../../test/support/seeded-random.ts';

/**
 * The benchmark's SQLite file: an app database the way Rails/Django/Prisma-on-SQLite leave one,
 * at any size. 7 tables, 8 foreign keys (one a self-reference), the usual ORM types: INTEGER
 * autoincrement keys, TEXT emails with a unique index, DATETIME text with milliseconds,
 * BOOLEAN 0/1, DECIMAL money stored as REAL, JSON text, nullable columns, a composite-key
 * junction, a keyless-looking audit column. Deterministic: the same rows count gives the same file.
 *
 * Rows: users = n/40, orgs = n/2000, posts = n/8, comments = n/2.5, tags = 500, post_tags = n/6,
 * events = the rest, so `rows` is the total (±1%).
 */
export const BENCH_SQLITE_DDL = `
CREATE TABLE orgs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(120) NOT NULL,
  plan TEXT NOT NULL DEFAULT 'free',
  created_at DATETIME NOT NULL
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  email VARCHAR(255) NOT NULL,
  name VARCHAR(120),
  is_admin BOOLEAN NOT NULL DEFAULT 0,
  balance DECIMAL(12,2) NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  updated_at DATETIME
);
CREATE UNIQUE INDEX index_users_on_email ON users(email);
CREATE INDEX index_users_on_org_id ON users(org_id);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id),
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  published BOOLEAN NOT NULL DEFAULT 0,
  score REAL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX index_posts_on_user_id ON posts(user_id);
CREATE TABLE comments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  post_id INTEGER NOT NULL REFERENCES posts(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  parent_id INTEGER REFERENCES comments(id),
  body TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX index_comments_on_post_id ON comments(post_id);
CREATE TABLE tags (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(60) NOT NULL UNIQUE
);
CREATE TABLE post_tags (
  post_id INTEGER NOT NULL REFERENCES posts(id),
  tag_id INTEGER NOT NULL REFERENCES tags(id),
  PRIMARY KEY (post_id, tag_id)
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER REFERENCES users(id),
  kind VARCHAR(40) NOT NULL,
  payload TEXT,
  created_by INTEGER,
  created_at DATETIME NOT NULL
);
CREATE INDEX index_events_on_user_id_and_created_at ON events(user_id, created_at);
`;

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');
const KINDS = ['login', 'logout', 'view', 'click', 'purchase', 'signup', 'export'];
const T0 = Date.UTC(2021, 0, 1);

export interface BenchSqliteCounts {
  orgs: number;
  users: number;
  posts: number;
  comments: number;
  tags: number;
  post_tags: number;
  events: number;
}

export function benchCounts(rows: number): BenchSqliteCounts {
  const orgs = Math.max(2, Math.round(rows / 2000));
  const users = Math.max(10, Math.round(rows / 40));
  const posts = Math.max(10, Math.round(rows / 8));
  const comments = Math.max(10, Math.round(rows / 2.5));
  const tags = 500;
  const postTags = Math.min(posts * 3, Math.max(10, Math.round(rows / 6)));
  const events = Math.max(10, rows - orgs - users - posts - comments - tags - postTags);
  return { orgs, users, posts, comments, tags, post_tags: postTags, events };
}

/** Writes the file (atomically: a half-written file is never left under the final name). */
export function makeBenchSqlite(file: string, rows: number): BenchSqliteCounts {
  const counts = benchCounts(rows);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(partial);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(BENCH_SQLITE_DDL);
  const rnd = seededRandom(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const time = (i: number, total: number) => new Date(T0 + Math.floor((i / total) * 3 * 365 * 86_400_000) + Math.floor(rnd() * 1000)).toISOString().replace('T', ' ').replace('Z', '');
  const fill = (sql: string, n: number, row: (i: number) => unknown[]) => {
    const insert = db.prepare(sql);
    const step = 50_000;
    for (let start = 1; start <= n; start += step) {
      db.transaction(() => {
        for (let i = start; i < Math.min(n + 1, start + step); i++) insert.run(...row(i));
      })();
    }
  };
  fill('INSERT INTO orgs (name, plan, created_at) VALUES (?, ?, ?)', counts.orgs, (i) => [`Org ${i} ${words(2)}`, pick(['free', 'team', 'enterprise']), time(i, counts.orgs)]);
  fill('INSERT INTO users (org_id, email, name, is_admin, balance, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', counts.users, (i) => [
    1 + (i % counts.orgs),
    `user${i}@example.com`,
    i % 17 === 0 ? null : `${pick(WORDS)} ${pick(WORDS)}`,
    i % 50 === 0 ? 1 : 0,
    Math.round(rnd() * 1_000_000) / 100,
    time(i, counts.users),
    i % 3 === 0 ? null : time(i, counts.users),
  ]);
  fill('INSERT INTO posts (user_id, org_id, title, body, published, score, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', counts.posts, (i) => [
    1 + Math.floor(rnd() * counts.users),
    1 + (i % counts.orgs),
    words(5),
    `${words(30)}\n${words(12)}\t"quoted" \\ back`,
    i % 4 === 0 ? 0 : 1,
    i % 9 === 0 ? null : rnd() * 100,
    time(i, counts.posts),
    time(i, counts.posts),
  ]);
  fill('INSERT INTO comments (post_id, user_id, parent_id, body, created_at) VALUES (?, ?, ?, ?, ?)', counts.comments, (i) => [
    1 + Math.floor(rnd() * counts.posts),
    1 + Math.floor(rnd() * counts.users),
    i > 10 && i % 5 === 0 ? 1 + Math.floor(rnd() * (i - 1)) : null,
    words(12),
    time(i, counts.comments),
  ]);
  fill('INSERT INTO tags (name) VALUES (?)', counts.tags, (i) => [`tag-${i}-${pick(WORDS)}`]);
  fill('INSERT INTO post_tags (post_id, tag_id) VALUES (?, ?)', counts.post_tags, (i) => [1 + Math.floor((i - 1) / 3), 1 + (((i - 1) % 3) * 97 + Math.floor((i - 1) / 3)) % counts.tags]);
  fill('INSERT INTO events (user_id, kind, payload, created_by, created_at) VALUES (?, ?, ?, ?, ?)', counts.events, (i) => [
    i % 11 === 0 ? null : 1 + Math.floor(rnd() * counts.users),
    pick(KINDS),
    i % 4 === 0 ? null : JSON.stringify({ path: `/${pick(WORDS)}/${i % 1000}`, ms: Math.floor(rnd() * 900), ok: i % 13 !== 0 }),
    1 + Math.floor(rnd() * counts.users),
    time(i, counts.events),
  ]);
  db.close();
  renameSync(partial, file);
  return counts;
}

/** The file for `rows`, made once and reused (`.cache/bench/sqlite-<rows>.db`). */
export function benchSqliteFile(dir: string, rows: number): string {
  const file = `${dir}/sqlite-${rows}.db`;
  if (!existsSync(file)) makeBenchSqlite(file, rows);
  return file;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, rows] = process.argv.slice(2);
  if (!file || !rows) throw new Error('usage: tsx scripts/bench/make-sqlite.ts <file> <rows>');
  const started = performance.now();
  const counts = makeBenchSqlite(file, Number(rows));
  console.log(JSON.stringify(counts), `${((performance.now() - started) / 1000).toFixed(1)} s`);
}
