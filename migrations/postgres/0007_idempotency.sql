-- Replies to API POSTs that carried an Idempotency-Key, so a retry after a lost reply gets the
-- same answer instead of doing the work twice. A NULL status means the first attempt is running.
CREATE TABLE idempotency_keys (
    user_id UUID NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT,
    content_type TEXT,
    etag TEXT,
    location TEXT,
    body BYTEA,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
