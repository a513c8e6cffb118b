-- Uploaded spreadsheets between their preview and their commit.
CREATE TABLE import_jobs (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id UUID REFERENCES users(id),
    username TEXT NOT NULL,
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    row_count BIGINT NOT NULL,
    creates BIGINT NOT NULL,
    updates BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    error_count BIGINT NOT NULL,
    errors_json TEXT NOT NULL,
    ignored TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    committed_at TIMESTAMPTZ
);
CREATE INDEX import_jobs_user ON import_jobs(user_id);
