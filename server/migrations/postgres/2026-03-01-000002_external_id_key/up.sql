-- One normal form of an account's CRM id, stored with a unique index on it,
-- so the account form, the CSV import and the duplicate finder compare ids
-- the same way (`kizuna_shared::cells::normalize_external_id`: width folded,
-- trimmed, upper-cased). The column is filled by the server right after the
-- migrations run (`db::accounts::fill_external_id_keys`), because the normal
-- form is Rust code that SQL cannot reproduce exactly (Unicode case and
-- width folding). Two existing accounts whose ids share a key do not make
-- this fail: the older keeps the key, the newer keeps its id text but no
-- key, and the duplicates page lists the pair for merging.
--
-- The landed `external_id UNIQUE` constraint stays, as on SQLite (which
-- cannot drop a column constraint without rebuilding the table), so both
-- schemas match; the key's index implies it for every id written from now on.
ALTER TABLE accounts ADD COLUMN external_id_key TEXT;
CREATE UNIQUE INDEX accounts_external_id_key_idx ON accounts (external_id_key);

-- At most one import applies at a time per database, whichever server
-- instance runs it: the importer inserts the single row (id = 1) before
-- writing and deletes it after; a second insert fails on the primary key.
-- A row older than the stale limit (a crashed process) is removed by the
-- next importer.
CREATE TABLE import_lock (
    id          BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    holder      TEXT NOT NULL,
    user_id     BIGINT,
    acquired_at TIMESTAMP NOT NULL
);
