-- Dashboards: the change events that open dashboards are told about
-- (GET /api/v1/events) and that version the KPI fact cache of every server
-- instance. A write records its event in its own transaction, so an event
-- exists exactly when its change was committed; the ids only grow, so the
-- last id is the data version, and a client that reconnects with
-- Last-Event-ID is sent what it missed.

CREATE TABLE data_events (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('survey_answer', 'import', 'account_change', 'model_publish', 'sheet_completion')),
    account_id BIGINT,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
