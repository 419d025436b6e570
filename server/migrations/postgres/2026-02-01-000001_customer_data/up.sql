-- Customer data: monthly revenue per product line, usage signals with
-- history, contacts, the company domain, and the history of imports, merges
-- and other data changes.

ALTER TABLE accounts ADD COLUMN domain TEXT;
CREATE INDEX accounts_domain_idx ON accounts (domain);

-- Monthly recurring revenue of one product line of one account. `month` is
-- the first day of the month. Upsell and cross-sell are told apart by product.
CREATE TABLE account_mrr (
    id           BIGSERIAL PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    month        DATE NOT NULL,
    product      TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL CHECK (currency IN ('JPY', 'USD', 'EUR')),
    UNIQUE (account_id, month, product)
);
CREATE INDEX account_mrr_month_idx ON account_mrr (month);

-- What a usage signal means. The six standard signals are built in; a CSV
-- import of signal values may only use keys defined here.
CREATE TABLE signal_definitions (
    key              TEXT PRIMARY KEY NOT NULL,
    label            TEXT NOT NULL,
    unit             TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    higher_is_better BOOLEAN NOT NULL,
    builtin          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

INSERT INTO signal_definitions (key, label, unit, description, higher_is_better, builtin) VALUES
    ('days_since_login', 'Days since last login', 'days', 'Days since any user of the account last signed in.', FALSE, TRUE),
    ('active_user_ratio', 'Active users / seats', '%', 'Users active in the last 30 days as a share of licensed seats.', TRUE, TRUE),
    ('setup_progress', 'Setup progress', '%', 'Share of the initial setup steps completed.', TRUE, TRUE),
    ('support_tickets_30d', 'Support tickets (30 days)', 'tickets', 'Support tickets opened in the last 30 days.', FALSE, TRUE),
    ('feature_adoption', 'Feature adoption', '%', 'Share of the key features in regular use.', TRUE, TRUE),
    ('csm_sentiment', 'CSM sentiment', '1-5', 'The owner''s judgement of the relationship, 1 (poor) to 5 (excellent).', TRUE, TRUE);

-- Dated values of a signal for an account; history is kept so scores and
-- back-tests can be computed as of a past date.
CREATE TABLE signal_values (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    signal_key  TEXT NOT NULL REFERENCES signal_definitions (key) ON DELETE CASCADE,
    observed_on DATE NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    UNIQUE (account_id, signal_key, observed_on)
);
CREATE INDEX signal_values_observed_on_idx ON signal_values (observed_on);

-- People at the customer; at most one champion per account.
CREATE TABLE contacts (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    email       TEXT,
    title       TEXT,
    phone       TEXT,
    is_champion BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX contacts_account_id_idx ON contacts (account_id);
CREATE UNIQUE INDEX contacts_one_champion_idx ON contacts (account_id) WHERE is_champion;

-- Every import (and every merge of duplicates): who, when, which file, counts.
CREATE TABLE data_changes (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('accounts', 'mrr', 'signals', 'merge', 'create', 'update', 'delete')),
    user_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    file_name  TEXT,
    rows_total BIGINT NOT NULL DEFAULT 0,
    created    BIGINT NOT NULL DEFAULT 0,
    updated    BIGINT NOT NULL DEFAULT 0,
    unchanged  BIGINT NOT NULL DEFAULT 0,
    account_id BIGINT,
    detail     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX data_changes_created_at_idx ON data_changes (created_at);
