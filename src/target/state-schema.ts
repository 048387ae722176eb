import type pg from 'pg';

/**
 * The migrator's own tables, in schema `_migration` of the target. They commit in the same
 * transaction as each batch of rows, so after any crash they say exactly what is loaded.
 *  - runs:      one row per run: identity, config hash, status, the final summary, the source's
 *               fingerprint when it was last read, the source changes the run saw, and its
 *               source and mapping options (passwords masked) for validate.
 *  - progress:  one row per run and model: cursor into the source, counts, status.
 *  - id_map:    every source id and its UUID, per model (the persisted mapper).
 *  - id_identity: models of a direct copy whose id map rows are their own keys, not yet
 *               written out (see id-identity.ts); readers of the id map fill them in first.
 *  - rejected:  every refused record with its original document, stage and reason.
 *  - repairs:   references nulled, dropped or kept instead of rejecting their document.
 *  - loaded_tables: which target tables the tool loaded, so --restart truncates only those.
 *  - fields:    per run, model and source path: how it is used (column, link, ignored, left
 *               behind…), in how many documents, and one example id; added to per batch.
 *  - syncs, sync_progress, sync_removals: migration:sync's runs (their watermark and report),
 *               what each has applied per model, and the rows it still has to remove (deleted
 *               from the source, or now rejected); each batch commits with its counts.
 * Keys are COLLATE "C": byte order is all an id needs. The id map gets its unique indexes after
 * the load (ID_MAP_INDEXES), like the target's own indexes: during the load the target table's
 * primary key already refuses a second copy of a document, and maintaining two more indexes
 * per row was a fifth of every batch's time.
 */
export const STATE_DDL = `
CREATE SCHEMA IF NOT EXISTS _migration;
CREATE TABLE IF NOT EXISTS _migration.runs (
  run_id       text PRIMARY KEY,
  format       integer NOT NULL,
  config_hash  text NOT NULL,
  source       text NOT NULL,
  target       text NOT NULL,
  status       text NOT NULL,
  phase        text NOT NULL DEFAULT 'prepare',
  started_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  summary      jsonb
);
CREATE TABLE IF NOT EXISTS _migration.progress (
  run_id       text NOT NULL REFERENCES _migration.runs ON DELETE CASCADE,
  model        text NOT NULL,
  collection   text NOT NULL,
  status       text NOT NULL DEFAULT 'pending',
  cursor       jsonb,
  source_count bigint,
  read         bigint NOT NULL DEFAULT 0,
  written      bigint NOT NULL DEFAULT 0,
  rejected     bigint NOT NULL DEFAULT 0,
  skipped      bigint NOT NULL DEFAULT 0,
  batches      bigint NOT NULL DEFAULT 0,
  seconds      double precision NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, model)
);
CREATE TABLE IF NOT EXISTS _migration.id_map (
  model        text COLLATE "C" NOT NULL,
  source_id    text COLLATE "C" NOT NULL,
  source_kind  text NOT NULL,
  target_key   text COLLATE "C" NOT NULL,
  uuid         uuid
);
CREATE TABLE IF NOT EXISTS _migration.id_identity (
  model        text COLLATE "C" PRIMARY KEY,
  table_name   text NOT NULL,
  key_column   text NOT NULL,
  source_kind  text NOT NULL
);
CREATE TABLE IF NOT EXISTS _migration.rejected (
  id           bigserial PRIMARY KEY,
  run_id       text NOT NULL,
  model        text COLLATE "C" NOT NULL,
  source_id    text COLLATE "C",
  source_kind  text,
  stage        text NOT NULL,
  reason       text NOT NULL,
  document     text,
  rejected_at  timestamptz NOT NULL DEFAULT now(),
  resolved_at  timestamptz
);
-- Added after format 1 shipped: a state schema made by an older version gains them in place.
ALTER TABLE _migration.runs ADD COLUMN IF NOT EXISTS source_fingerprint jsonb;
ALTER TABLE _migration.runs ADD COLUMN IF NOT EXISTS source_changes jsonb NOT NULL DEFAULT '[]';
-- The run's source and mapping options (passwords masked), so validate needs only the target.
ALTER TABLE _migration.runs ADD COLUMN IF NOT EXISTS options jsonb;
CREATE INDEX IF NOT EXISTS rejected_model ON _migration.rejected (model, source_id);
CREATE TABLE IF NOT EXISTS _migration.fields (
  run_id       text NOT NULL,
  model        text NOT NULL,
  use          text NOT NULL,
  path         text NOT NULL,
  detail       text NOT NULL DEFAULT '',
  documents    bigint NOT NULL,
  example_id   text,
  PRIMARY KEY (run_id, model, use, path)
);
-- References repaired instead of rejecting their document (config references.*.onMissing):
-- nulled (an optional relation or id column set NULL), dropped (one many-to-many link not
-- written), kept (a dangling id left as it is, reported). Not rejections: the document loaded.
CREATE TABLE IF NOT EXISTS _migration.repairs (
  id           bigserial PRIMARY KEY,
  run_id       text NOT NULL,
  model        text COLLATE "C" NOT NULL,
  source_id    text COLLATE "C",
  source_kind  text,
  owner_key    text COLLATE "C" NOT NULL,
  field        text NOT NULL,
  target_model text NOT NULL,
  missing_id   text NOT NULL,
  action       text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS repairs_owner ON _migration.repairs (model, owner_key);
-- migration:sync (src/sync): one row per sync of a run; its started_at is the watermark --since last reads.
CREATE TABLE IF NOT EXISTS _migration.syncs (
  sync_id      bigserial PRIMARY KEY,
  run_id       text NOT NULL,
  status       text NOT NULL,
  since        timestamptz,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  report       jsonb
);
-- The source's fingerprint when the sync started (or was resumed): a resume against a changed source compares every model again.
ALTER TABLE _migration.syncs ADD COLUMN IF NOT EXISTS fingerprint jsonb;
CREATE TABLE IF NOT EXISTS _migration.sync_progress (
  sync_id      bigint NOT NULL REFERENCES _migration.syncs ON DELETE CASCADE,
  model        text NOT NULL,
  applied      boolean NOT NULL DEFAULT false,
  source       bigint NOT NULL DEFAULT 0,
  inserted     bigint NOT NULL DEFAULT 0,
  updated      bigint NOT NULL DEFAULT 0,
  deleted      bigint NOT NULL DEFAULT 0,
  marked       bigint NOT NULL DEFAULT 0,
  rejected     bigint NOT NULL DEFAULT 0,
  resolved     bigint NOT NULL DEFAULT 0,
  dependents   bigint NOT NULL DEFAULT 0,
  unchanged    bigint NOT NULL DEFAULT 0,
  skipped      bigint NOT NULL DEFAULT 0,
  batches      bigint NOT NULL DEFAULT 0,
  seconds      double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (sync_id, model)
);
-- What pass 2 removes, children before parents: queued by pass 1, deleted as each batch commits.
CREATE TABLE IF NOT EXISTS _migration.sync_removals (
  sync_id      bigint NOT NULL REFERENCES _migration.syncs ON DELETE CASCADE,
  model        text COLLATE "C" NOT NULL,
  target_key   text COLLATE "C" NOT NULL,
  source_id    text COLLATE "C" NOT NULL,
  source_kind  text,
  stage        text,
  reason       text,
  document     text,
  PRIMARY KEY (sync_id, model, target_key)
);
CREATE TABLE IF NOT EXISTS _migration.loaded_tables (
  table_name   text PRIMARY KEY,
  model        text
);
`;

export const STATE_FORMAT = 1;

export async function ensureStateSchema(client: pg.Pool | pg.PoolClient): Promise<void> {
  await client.query(STATE_DDL);
}

/**
 * Built after the load (completeLoad, beside the target's own indexes), and checked by validate:
 * one mapping per source id, one source id per key. The UUID index holds only the rows that have
 * one: NULLs never collide in a unique index, and a copy that keeps its keys maps none.
 * The id leads and the model follows: every lookup names both, and a sort whose first column
 * differs from row to row compares abbreviated keys, where one led by the model name (the
 * same for millions of rows) compares whole strings. Twice as fast to build (5M rows: 2.6 s
 * against 4.9 s alone, and STEP 4 builds them beside the target's own indexes).
 */
export const ID_MAP_INDEXES = [
  'CREATE UNIQUE INDEX IF NOT EXISTS id_map_source ON _migration.id_map (source_id, model)',
  'CREATE UNIQUE INDEX IF NOT EXISTS id_map_uuid ON _migration.id_map (uuid, model) WHERE uuid IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS id_map_target_key ON _migration.id_map (target_key, model)',
];

/**
 * Drops the id map's indexes before a load into a target that has them (a restart, or a resume
 * after STEP 4 had begun): maintained per row they cost a fifth of every batch, built once after
 * the load a few seconds. A no-op where they are absent.
 */
export async function holdBackIdMapIndexes(client: pg.Pool | pg.PoolClient): Promise<void> {
  await client.query('DROP INDEX IF EXISTS _migration.id_map_source, _migration.id_map_uuid, _migration.id_map_target_key');
}
