-- Foundation: reference data, accounts, sessions, API tokens, settings, the audit chain.
CREATE TABLE reference_data (
    dataset TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    as_of TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    short_name TEXT,
    level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'park')),
    kind TEXT NOT NULL,
    parent TEXT REFERENCES regions(code),
    path TEXT NOT NULL,
    is_demo BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX regions_parent ON regions(parent);
CREATE INDEX regions_path ON regions(path text_pattern_ops);

CREATE TABLE industries (
    code TEXT PRIMARY KEY,
    section TEXT NOT NULL,
    level BIGINT NOT NULL,
    parent TEXT,
    name TEXT NOT NULL
);
CREATE INDEX industries_parent ON industries(parent);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions(code),
    department TEXT,
    password_hash TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    disabled BOOLEAN NOT NULL DEFAULT false,
    is_demo BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
    password_changed_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX users_region ON users(region);

CREATE TABLE grants (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    scope TEXT NOT NULL REFERENCES regions(code),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, role, scope)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    ip TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_id UUID,
    actor_name TEXT NOT NULL,
    ip TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    region TEXT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_at ON audit_log(at);

-- The head of the chain: one row, updated by every append; its row lock serialises appends.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The app never edits or deletes audit records; the database refuses too.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
