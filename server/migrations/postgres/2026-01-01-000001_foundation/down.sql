DROP INDEX IF EXISTS accounts_renewal_date_idx;
DROP INDEX IF EXISTS accounts_mrr_minor_idx;
DROP INDEX IF EXISTS accounts_status_idx;
DROP INDEX IF EXISTS accounts_owner_id_idx;
DROP INDEX IF EXISTS accounts_name_idx;
DROP TABLE IF EXISTS accounts;
DROP TABLE IF EXISTS server_secrets;
DROP TABLE IF EXISTS users;
