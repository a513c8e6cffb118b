-- Enterprises: credit code unique; tags as a bit mask; search_key holds name, pinyin initials, full pinyin.
CREATE TABLE enterprises (
    id UUID PRIMARY KEY,
    credit_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions(code),
    industry TEXT REFERENCES industries(code),
    size TEXT,
    ownership TEXT,
    tags BIGINT NOT NULL DEFAULT 0,
    origin TEXT,
    origin_place TEXT,
    is_demo BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX enterprises_region ON enterprises(region);
CREATE INDEX enterprises_name ON enterprises(name);
