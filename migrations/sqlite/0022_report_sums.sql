-- 完成投资, 到位资金, 税收 and 用工 summed per region (the project's current region) and month.
-- Triggers keep it in the same transaction as every write to monthly_reports and every move of a
-- project to another region, whatever does the writing (forms, API, imports, demo loaders). The
-- cockpit and the indicators read these ≈150 regions × months instead of millions of reports.
CREATE TABLE report_sums (
    region TEXT NOT NULL REFERENCES regions(code),
    month TEXT NOT NULL,
    invest BIGINT NOT NULL,
    funds_domestic BIGINT NOT NULL,
    funds_foreign_usd BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    jobs BIGINT NOT NULL,
    reports BIGINT NOT NULL,
    PRIMARY KEY (region, month)
);

INSERT INTO report_sums (region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports)
SELECT p.region, r.month, SUM(r.invest_month), SUM(r.funds_domestic), SUM(r.funds_foreign_usd), SUM(r.tax),
       SUM(r.jobs), COUNT(*)
FROM monthly_reports r JOIN projects p ON p.id = r.project_id
WHERE TRUE
GROUP BY p.region, r.month;

-- (An upsert's SELECT needs a WHERE clause in SQLite, or its ON would be read as a join's.)
CREATE TRIGGER report_sums_insert AFTER INSERT ON monthly_reports BEGIN
    INSERT INTO report_sums (region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports)
    SELECT p.region, NEW.month, NEW.invest_month, NEW.funds_domestic, NEW.funds_foreign_usd, NEW.tax, NEW.jobs, 1
    FROM projects p WHERE p.id = NEW.project_id
    ON CONFLICT (region, month) DO UPDATE SET invest = invest + excluded.invest,
        funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd, tax = tax + excluded.tax,
        jobs = jobs + excluded.jobs, reports = reports + excluded.reports;
END;

CREATE TRIGGER report_sums_update
AFTER UPDATE OF project_id, month, invest_month, funds_domestic, funds_foreign_usd, tax, jobs ON monthly_reports
BEGIN
    INSERT INTO report_sums (region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports)
    SELECT p.region, OLD.month, -OLD.invest_month, -OLD.funds_domestic, -OLD.funds_foreign_usd, -OLD.tax, -OLD.jobs, -1
    FROM projects p WHERE p.id = OLD.project_id
    ON CONFLICT (region, month) DO UPDATE SET invest = invest + excluded.invest,
        funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd, tax = tax + excluded.tax,
        jobs = jobs + excluded.jobs, reports = reports + excluded.reports;
    INSERT INTO report_sums (region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports)
    SELECT p.region, NEW.month, NEW.invest_month, NEW.funds_domestic, NEW.funds_foreign_usd, NEW.tax, NEW.jobs, 1
    FROM projects p WHERE p.id = NEW.project_id
    ON CONFLICT (region, month) DO UPDATE SET invest = invest + excluded.invest,
        funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd, tax = tax + excluded.tax,
        jobs = jobs + excluded.jobs, reports = reports + excluded.reports;
END;

CREATE TRIGGER report_sums_delete AFTER DELETE ON monthly_reports BEGIN
    INSERT INTO report_sums (region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports)
    SELECT p.region, OLD.month, -OLD.invest_month, -OLD.funds_domestic, -OLD.funds_foreign_usd, -OLD.tax, -OLD.jobs, -1
    FROM projects p WHERE p.id = OLD.project_id
    ON CONFLICT (region, month) DO UPDATE SET invest = invest + excluded.invest,
        funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd, tax = tax + excluded.tax,
        jobs = jobs + excluded.jobs, reports = reports + excluded.reports;
END;

-- A project moved to another region takes its reports' sums with it.
CREATE TRIGGER report_sums_project_moved AFTER UPDATE OF region ON projects WHEN OLD.region <> NEW.region BEGIN
    INSERT INTO report_sums (region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports)
    SELECT OLD.region, r.month, -SUM(r.invest_month), -SUM(r.funds_domestic), -SUM(r.funds_foreign_usd), -SUM(r.tax),
           -SUM(r.jobs), -COUNT(*)
    FROM monthly_reports r WHERE r.project_id = NEW.id GROUP BY r.month
    ON CONFLICT (region, month) DO UPDATE SET invest = invest + excluded.invest,
        funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd, tax = tax + excluded.tax,
        jobs = jobs + excluded.jobs, reports = reports + excluded.reports;
    INSERT INTO report_sums (region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports)
    SELECT NEW.region, r.month, SUM(r.invest_month), SUM(r.funds_domestic), SUM(r.funds_foreign_usd), SUM(r.tax),
           SUM(r.jobs), COUNT(*)
    FROM monthly_reports r WHERE r.project_id = NEW.id GROUP BY r.month
    ON CONFLICT (region, month) DO UPDATE SET invest = invest + excluded.invest,
        funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd, tax = tax + excluded.tax,
        jobs = jobs + excluded.jobs, reports = reports + excluded.reports;
END;
