import Database from 'better-sqlite3';
import { PRISMA_MIGRATIONS_DDL } from './prisma-migrations-ddl.ts';

/**
 * SQLite files shaped the way applications leave them (issue 10, items 1 and 2), built with
 * better-sqlite3 exactly as the applications' own drivers would write them.
 */

/** The DDL `prisma migrate dev` writes for a small blog on `provider = "sqlite"` (Prisma 6/7). */
const PRISMA_DDL = `
${PRISMA_MIGRATIONS_DDL}
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE TABLE "Post" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "authorId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE TABLE "Category" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL
);
CREATE UNIQUE INDEX "Category_name_key" ON "Category"("name");
CREATE TABLE "_CategoryToPost" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_CategoryToPost_A_fkey" FOREIGN KEY ("A") REFERENCES "Category" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_CategoryToPost_B_fkey" FOREIGN KEY ("B") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "_CategoryToPost_AB_unique" ON "_CategoryToPost"("A", "B");
CREATE INDEX "_CategoryToPost_B_index" ON "_CategoryToPost"("B");
`;

/** A cuid-looking id, deterministic: Prisma's `@default(cuid())` strings. */
const cuid = (kind: string, i: number) => `cl${kind}${String(i).padStart(6, '0')}x${(i * 7919).toString(36).padStart(8, '0')}`;

export const PRISMA_COUNTS = { User: 40, Post: 120, Category: 6 } as const;
/** 2024-01-01T00:00:00.000Z, as Prisma's SQLite connector stores DateTime: epoch milliseconds in an INTEGER. */
const T0 = 1_704_067_200_000;

export function makePrismaAppFile(file: string): void {
  const db = new Database(file);
  db.exec(PRISMA_DDL);
  const migration = db.prepare(`INSERT INTO _prisma_migrations VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`);
  migration.run('0c5a3f6e-6f1e-4a5b-9f3e-1f2d3c4b5a60', 'b1946ac92492d2347c6235b4d2611184a1b2c3d4e5f60718293a4b5c6d7e8f90', T0 + 1_000, '20240101000000_init', T0);
  migration.run('7d2e9b14-2c3a-4f8e-8a1b-0e9d8c7b6a51', '591785b794601e212b260e25925636fd1a2b3c4d5e6f708192a3b4c5d6e7f809', T0 + 86_401_000, '20240102000000_add_categories', T0 + 86_400_000);
  const user = db.prepare(`INSERT INTO "User" VALUES (?, ?, ?, ?)`);
  const post = db.prepare(`INSERT INTO "Post" VALUES (?, ?, ?, ?, ?, ?)`);
  const category = db.prepare(`INSERT INTO "Category" VALUES (?, ?)`);
  const link = db.prepare(`INSERT INTO "_CategoryToPost" VALUES (?, ?)`);
  db.transaction(() => {
    for (let i = 1; i <= PRISMA_COUNTS.User; i++) user.run(cuid('u', i), `user${i}@example.com`, i % 5 === 0 ? null : `User ${i}`, T0 + i * 3_600_123);
    for (let i = 1; i <= PRISMA_COUNTS.Category; i++) category.run(cuid('c', i), `category ${i}`);
    for (let i = 1; i <= PRISMA_COUNTS.Post; i++) {
      post.run(cuid('p', i), `Post ${i}`, i % 3 === 0 ? 1 : 0, cuid('u', 1 + (i % PRISMA_COUNTS.User)), T0 + i * 60_007, T0 + i * 60_007 + 999);
      link.run(cuid('c', 1 + (i % PRISMA_COUNTS.Category)), cuid('p', i));
      if (i % 4 === 0) link.run(cuid('c', 1 + ((i + 1) % PRISMA_COUNTS.Category)), cuid('p', i));
    }
  })();
  db.close();
}

/** Rows per keyless table; page_views repeats whole rows, as a hit counter without a key does. */
export const LOG_COUNTS = { audit_log: 3000, page_views: 250, accounts: 5 } as const;

/**
 * A hand-written app's file: an `accounts` table with a key, an `audit_log` with none, and a
 * `page_views` table with no key whose rows repeat exactly.
 */
export function makeKeylessLogFile(file: string, options: { unsupported?: boolean } = {}): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE accounts (id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE);
    CREATE TABLE audit_log (at TEXT NOT NULL, account_id INTEGER REFERENCES accounts(id), action TEXT NOT NULL, detail TEXT);
    CREATE INDEX audit_log_at ON audit_log (at);
    CREATE TABLE page_views (path TEXT, viewed_on DATE, hits INTEGER);
  `);
  const account = db.prepare(`INSERT INTO accounts VALUES (?, ?)`);
  const audit = db.prepare(`INSERT INTO audit_log VALUES (?, ?, ?, ?)`);
  const view = db.prepare(`INSERT INTO page_views VALUES (?, ?, ?)`);
  db.transaction(() => {
    for (let i = 1; i <= LOG_COUNTS.accounts; i++) account.run(i, `login${i}`);
    for (let i = 1; i <= LOG_COUNTS.audit_log; i++) audit.run(`2024-03-0${1 + (i % 9)} 10:${String(i % 60).padStart(2, '0')}:00`, i % 7 === 0 ? null : 1 + (i % LOG_COUNTS.accounts), ['login', 'logout', 'update'][i % 3], i % 2 ? `{"n":${i}}` : null);
    // 50 distinct rows, each written 5 times: the duplicates are data.
    for (let i = 0; i < LOG_COUNTS.page_views; i++) view.run(`/page/${i % 50}`, '2024-03-01', i % 50 === 7 ? null : i % 50);
  })();
  if (options.unsupported) {
    // A type PostgreSQL refuses (numeric precision is at most 1000): the run must not need this table.
    db.exec(`CREATE TABLE legacy_ledger (id INTEGER PRIMARY KEY, amount DECIMAL(1200, 2)); INSERT INTO legacy_ledger VALUES (1, 12.5);`);
    // A virtual table made by a SQLite build with the spellfix1 extension, which this one lacks:
    // written into the catalog directly, as that build would have left it.
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    db.prepare(`INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', 'words', 'words', 0, 'CREATE VIRTUAL TABLE words USING spellfix1')`).run();
    db.pragma('writable_schema = OFF');
  }
  db.close();
}
