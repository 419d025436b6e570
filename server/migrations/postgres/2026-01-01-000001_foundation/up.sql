-- Users, server secrets and customer accounts: the foundation of Kizuna.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'csm', 'executive')),
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE TABLE accounts (
    id                  BIGSERIAL PRIMARY KEY,
    name                TEXT NOT NULL,
    external_id         TEXT UNIQUE,
    industry            TEXT,
    plan                TEXT,
    mrr_minor           BIGINT NOT NULL DEFAULT 0,
    currency            TEXT NOT NULL CHECK (currency IN ('JPY', 'USD', 'EUR')),
    contract_start      DATE,
    renewal_date        DATE,
    owner_id            BIGINT REFERENCES users (id) ON DELETE SET NULL,
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'churned')),
    churn_date          DATE,
    churn_reason        TEXT,
    flag_well_known     BOOLEAN NOT NULL DEFAULT FALSE,
    flag_feedback       BOOLEAN NOT NULL DEFAULT FALSE,
    flag_influencer     BOOLEAN NOT NULL DEFAULT FALSE,
    expansion_potential TEXT NOT NULL DEFAULT 'none'
        CHECK (expansion_potential IN ('none', 'trial_growth', 'upsell', 'cross_sell')),
    champion_name       TEXT,
    champion_changed_on DATE,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE INDEX accounts_name_idx ON accounts (name);
CREATE INDEX accounts_owner_id_idx ON accounts (owner_id);
CREATE INDEX accounts_status_idx ON accounts (status);
CREATE INDEX accounts_mrr_minor_idx ON accounts (mrr_minor);
CREATE INDEX accounts_renewal_date_idx ON accounts (renewal_date);
