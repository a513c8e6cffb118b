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
GROUP BY p.region, r.month;

CREATE FUNCTION report_sums_add(p_region TEXT, p_month TEXT, p_invest BIGINT, p_domestic BIGINT, p_foreign BIGINT,
                                p_tax BIGINT, p_jobs BIGINT, p_reports BIGINT) RETURNS void AS $$
    INSERT INTO report_sums (region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports)
    VALUES (p_region, p_month, p_invest, p_domestic, p_foreign, p_tax, p_jobs, p_reports)
    ON CONFLICT (region, month) DO UPDATE SET invest = report_sums.invest + EXCLUDED.invest,
        funds_domestic = report_sums.funds_domestic + EXCLUDED.funds_domestic,
        funds_foreign_usd = report_sums.funds_foreign_usd + EXCLUDED.funds_foreign_usd,
        tax = report_sums.tax + EXCLUDED.tax, jobs = report_sums.jobs + EXCLUDED.jobs,
        reports = report_sums.reports + EXCLUDED.reports;
$$ LANGUAGE sql;

CREATE FUNCTION report_sums_on_report() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM report_sums_add((SELECT region FROM projects WHERE id = OLD.project_id), OLD.month,
            -OLD.invest_month, -OLD.funds_domestic, -OLD.funds_foreign_usd, -OLD.tax, -OLD.jobs, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM report_sums_add((SELECT region FROM projects WHERE id = NEW.project_id), NEW.month,
            NEW.invest_month, NEW.funds_domestic, NEW.funds_foreign_usd, NEW.tax, NEW.jobs, 1);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER report_sums_report AFTER INSERT OR DELETE OR UPDATE OF project_id, month, invest_month, funds_domestic,
    funds_foreign_usd, tax, jobs ON monthly_reports FOR EACH ROW EXECUTE PROCEDURE report_sums_on_report();

-- A project moved to another region takes its reports' sums with it.
CREATE FUNCTION report_sums_on_project_moved() RETURNS trigger AS $$
DECLARE
    s RECORD;
BEGIN
    FOR s IN SELECT month, CAST(SUM(invest_month) AS BIGINT) AS invest, CAST(SUM(funds_domestic) AS BIGINT) AS domestic,
                    CAST(SUM(funds_foreign_usd) AS BIGINT) AS foreign_usd, CAST(SUM(tax) AS BIGINT) AS tax,
                    CAST(SUM(jobs) AS BIGINT) AS jobs, COUNT(*) AS n
             FROM monthly_reports WHERE project_id = NEW.id GROUP BY month LOOP
        PERFORM report_sums_add(OLD.region, s.month, -s.invest, -s.domestic, -s.foreign_usd, -s.tax, -s.jobs, -s.n);
        PERFORM report_sums_add(NEW.region, s.month, s.invest, s.domestic, s.foreign_usd, s.tax, s.jobs, s.n);
    END LOOP;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER report_sums_project_moved AFTER UPDATE OF region ON projects FOR EACH ROW
    WHEN (OLD.region IS DISTINCT FROM NEW.region) EXECUTE PROCEDURE report_sums_on_project_moved();
