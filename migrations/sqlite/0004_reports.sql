-- Monthly reports: one per project per month ('YYYY-MM').
CREATE TABLE monthly_reports (
    id BLOB PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects(id),
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
    in_stats BOOLEAN NOT NULL DEFAULT 0,
    late BOOLEAN NOT NULL DEFAULT 0,
    filed_on TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (project_id, month)
);
CREATE INDEX monthly_reports_month ON monthly_reports(month);
