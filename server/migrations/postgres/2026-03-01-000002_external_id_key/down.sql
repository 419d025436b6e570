DROP TABLE IF EXISTS import_lock;
DROP INDEX IF EXISTS accounts_external_id_key_idx;
ALTER TABLE accounts DROP COLUMN external_id_key;
