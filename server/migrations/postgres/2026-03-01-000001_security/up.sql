-- Security: user state (disabled, last sign-in, password change), server-side
-- sessions that can be ended, and the append-only audit log.

ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
ALTER TABLE users ADD COLUMN last_sign_in_at TIMESTAMP;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMP;

-- One row per signed-in browser. The cookie holds a random 256-bit token
-- (signed with the session key); only its SHA-256 is stored, so a copy of
-- the database does not let anyone sign in.
CREATE TABLE sessions (
    id           BIGSERIAL PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    client_addr  TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- Who did what, when, from where. Names and e-mails are copied at the time,
-- so entries outlive the user (actor_id becomes NULL when the user is
-- deleted). The application has no UPDATE or DELETE of this table; the
-- triggers below refuse them, except the foreign key's own SET NULL.
CREATE TABLE audit_log (
    id           BIGSERIAL PRIMARY KEY,
    at           TIMESTAMP NOT NULL,
    kind         TEXT NOT NULL,
    category     TEXT NOT NULL CHECK (category IN ('security', 'data')),
    actor_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_name   TEXT,
    actor_email  TEXT,
    client_addr  TEXT,
    target_type  TEXT,
    target_id    BIGINT,
    target_label TEXT,
    summary      TEXT NOT NULL,
    changes      TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id);
CREATE INDEX audit_log_kind_idx ON audit_log (kind);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (NEW.id, NEW.at, NEW.kind, NEW.category, NEW.actor_name, NEW.actor_email,
            NEW.client_addr, NEW.target_type, NEW.target_id, NEW.target_label,
            NEW.summary, NEW.changes)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.kind, OLD.category, OLD.actor_name, OLD.actor_email,
            OLD.client_addr, OLD.target_type, OLD.target_id, OLD.target_label,
            OLD.summary, OLD.changes) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
