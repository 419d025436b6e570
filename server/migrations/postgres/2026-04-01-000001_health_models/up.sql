-- Issue 10: a team's own signals (Japanese label, kind, retirement) and
-- versioned health models with dated score snapshots.

-- A retired signal keeps its values (history) but takes no new ones.
ALTER TABLE signal_definitions ADD COLUMN label_ja TEXT;
ALTER TABLE signal_definitions ADD COLUMN kind TEXT NOT NULL DEFAULT 'number' CHECK (kind IN ('number', 'yes_no'));
ALTER TABLE signal_definitions ADD COLUMN retired_at TIMESTAMP;

-- A health model: drafts are edited (`version` counts edits, checked on
-- every update and publish); publishing gives the next `published_version`
-- (1, 2, …). `based_on` is the published model a draft started from: a
-- publish is refused (409) when another model was published since.
-- `model` is the JSON of `kizuna_shared::metrics::HealthModel`.
CREATE TABLE health_models (
    id                BIGSERIAL PRIMARY KEY,
    name              TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    version           BIGINT NOT NULL DEFAULT 1,
    published_version BIGINT,
    based_on          BIGINT REFERENCES health_models (id) ON DELETE SET NULL,
    model             TEXT NOT NULL,
    note              TEXT NOT NULL DEFAULT '',
    author_id         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    author_name       TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    published_at      TIMESTAMP
);
CREATE UNIQUE INDEX health_models_published_version_idx ON health_models (published_version);

-- Every account's score and band on a date under the model published then
-- (a publish rewrites the day's rows; the daily snapshot adds one day).
-- A NULL score: the account had no data for any measure.
CREATE TABLE health_scores (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scored_on  DATE NOT NULL,
    model_id   BIGINT NOT NULL REFERENCES health_models (id) ON DELETE CASCADE,
    score      DOUBLE PRECISION,
    band       TEXT CHECK (band IN ('red', 'yellow', 'green')),
    PRIMARY KEY (account_id, scored_on)
);
CREATE INDEX health_scores_scored_on_idx ON health_scores (scored_on);
CREATE INDEX health_scores_model_id_idx ON health_scores (model_id);

-- The default model a fresh install ships, published as version 1 over the
-- six built-in signals (weights 25/20/15/10/15/15, default cuts 40/70).
-- The first start's snapshot scores every account with it.
INSERT INTO health_models (name, status, version, published_version, model, note, author_name, created_at, updated_at, published_at)
VALUES ('Default', 'published', 1, 1,
 '{"measures":[{"signal":"days_since_login","weight":25,"missing":"skip","curve":{"kind":"linear","points":[[0,100],[7,90],[30,40],[60,0]]}},{"signal":"active_user_ratio","weight":20,"missing":"skip","curve":{"kind":"linear","points":[[0,0],[20,20],[60,80],[80,100]]}},{"signal":"setup_progress","weight":15,"missing":"skip","curve":{"kind":"linear","points":[[0,0],[50,40],[100,100]]}},{"signal":"support_tickets_30d","weight":10,"missing":"skip","curve":{"kind":"steps","points":[[0,100],[3,70],[6,40],[10,0]]}},{"signal":"feature_adoption","weight":15,"missing":"skip","curve":{"kind":"linear","points":[[0,0],[30,40],[70,100]]}},{"signal":"csm_sentiment","weight":15,"missing":"skip","curve":{"kind":"linear","points":[[1,0],[3,50],[5,100]]}}],"cuts":[40,70]}',
 'Shipped default over the built-in signals.', 'Kizuna', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
