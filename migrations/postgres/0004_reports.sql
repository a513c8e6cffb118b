-- Monthly reports: one per project per month ('YYYY-MM').
CREATE TABLE monthly_reports (
    id UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES projects(id),
    month TEXT NOT NULL,
    invest_month BIGINT NOT NULL,
    invest_cumulative BIGINT NOT NULL,
    funds_domestic BIGINT NOT NULL,
    funds_foreign_usd BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    jobs BIGINT NOT NULL,
    output BIGINT NOT NULL,
    progress TEXT NOT NULL,
    problems TEXT NOT NULL,
    in_stats BOOLEAN NOT NULL DEFAULT false,
    late BOOLEAN NOT NULL DEFAULT false,
    filed_on DATE NOT NULL,
    filed_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (project_id, month)
);
CREATE INDEX monthly_reports_month ON monthly_reports(month);
