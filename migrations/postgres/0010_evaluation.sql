-- Evaluation: when enterprises gained or lost a tag (for "new 规上 enterprises this year"), annual
-- targets per region, the indicator weights, frozen rankings and the quarterly 红旗/蜗牛 lists.
CREATE TABLE enterprise_tag_events (
    id UUID PRIMARY KEY,
    enterprise_id UUID NOT NULL REFERENCES enterprises(id),
    tag TEXT NOT NULL,
    added BOOLEAN NOT NULL,
    on_date DATE NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX enterprise_tag_events_date ON enterprise_tag_events(on_date);
CREATE INDEX enterprise_tag_events_enterprise ON enterprise_tag_events(enterprise_id);

-- A target is in the indicator's base unit: 分 for money, a count otherwise.
CREATE TABLE evaluation_targets (
    region TEXT NOT NULL REFERENCES regions(code),
    year BIGINT NOT NULL,
    indicator TEXT NOT NULL,
    value BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (region, year, indicator)
);

CREATE TABLE indicator_weights (
    indicator TEXT PRIMARY KEY,
    weight BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A published ranking keeps the figures and weights it used, so it never changes afterwards.
CREATE TABLE ranking_snapshots (
    id UUID PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    period TEXT NOT NULL,
    title TEXT NOT NULL,
    weights_json TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ranking_snapshots_region ON ranking_snapshots(region, period);

CREATE TABLE flag_lists (
    id UUID PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    quarter TEXT NOT NULL,
    status TEXT NOT NULL,
    red_json TEXT NOT NULL,
    snail_json TEXT NOT NULL,
    swaps_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    published_by TEXT,
    published_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (region, quarter)
);
