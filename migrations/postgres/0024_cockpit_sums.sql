-- The cockpit's cold path without a pass over every project or report (issue 4: < 150 ms).
-- Like report_sums (0022), both tables are kept by triggers in the same transaction as every
-- write, whatever does the writing, and are checked against a full recomputation in the tests.

-- The stage funnel: projects and 总投资 per region, stage and whether withdrawn (退出).
CREATE TABLE project_sums (
    region TEXT NOT NULL REFERENCES regions(code),
    stage TEXT NOT NULL,
    exited BOOLEAN NOT NULL,
    projects BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (region, stage, exited)
);

INSERT INTO project_sums (region, stage, exited, projects, total)
SELECT region, stage, health = 'exited', COUNT(*), SUM(total_investment) FROM projects
GROUP BY region, stage, health = 'exited';

CREATE FUNCTION project_sums_add(p_region TEXT, p_stage TEXT, p_exited BOOLEAN, p_projects BIGINT, p_total BIGINT)
RETURNS void AS $$
    INSERT INTO project_sums (region, stage, exited, projects, total)
    VALUES (p_region, p_stage, p_exited, p_projects, p_total)
    ON CONFLICT (region, stage, exited) DO UPDATE SET projects = project_sums.projects + EXCLUDED.projects,
        total = project_sums.total + EXCLUDED.total;
$$ LANGUAGE sql;

CREATE FUNCTION project_sums_on_project() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM project_sums_add(OLD.region, OLD.stage, OLD.health = 'exited', -1, -OLD.total_investment);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM project_sums_add(NEW.region, NEW.stage, NEW.health = 'exited', 1, NEW.total_investment);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER project_sums_project AFTER DELETE OR UPDATE OF region, stage, health, total_investment
    ON projects FOR EACH ROW EXECUTE PROCEDURE project_sums_on_project();

-- Inserts are summed once per statement from its transition table: an import or a demo load adds
-- thousands of rows per statement, and a row-level function call for each made loading the
-- province data set five times slower. Updates and deletes stay row by row.
CREATE FUNCTION project_sums_on_projects_inserted() RETURNS trigger AS $$
BEGIN
    INSERT INTO project_sums (region, stage, exited, projects, total)
    SELECT region, stage, health = 'exited', COUNT(*), SUM(total_investment) FROM inserted
    GROUP BY region, stage, health = 'exited'
    ON CONFLICT (region, stage, exited) DO UPDATE SET projects = project_sums.projects + EXCLUDED.projects,
        total = project_sums.total + EXCLUDED.total;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER project_sums_projects_inserted AFTER INSERT ON projects REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE PROCEDURE project_sums_on_projects_inserted();

-- 资金到位率's numerator: 到位资金 of the projects signed in a window, per region (the project's
-- current one), signing month and report month.
CREATE TABLE signed_funds (
    region TEXT NOT NULL REFERENCES regions(code),
    sign_month TEXT NOT NULL,
    month TEXT NOT NULL,
    funds_domestic BIGINT NOT NULL,
    funds_foreign_usd BIGINT NOT NULL,
    PRIMARY KEY (region, sign_month, month)
);

INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
SELECT p.region, to_char(p.actual_sign, 'YYYY-MM'), r.month, SUM(r.funds_domestic), SUM(r.funds_foreign_usd)
FROM monthly_reports r JOIN projects p ON p.id = r.project_id
WHERE p.actual_sign IS NOT NULL
GROUP BY p.region, to_char(p.actual_sign, 'YYYY-MM'), r.month;

CREATE FUNCTION signed_funds_add(p_project UUID, p_month TEXT, p_domestic BIGINT, p_foreign BIGINT) RETURNS void AS $$
    INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
    SELECT p.region, to_char(p.actual_sign, 'YYYY-MM'), p_month, p_domestic, p_foreign
    FROM projects p WHERE p.id = p_project AND p.actual_sign IS NOT NULL
    ON CONFLICT (region, sign_month, month) DO UPDATE
        SET funds_domestic = signed_funds.funds_domestic + EXCLUDED.funds_domestic,
            funds_foreign_usd = signed_funds.funds_foreign_usd + EXCLUDED.funds_foreign_usd;
$$ LANGUAGE sql;

CREATE FUNCTION signed_funds_on_report() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM signed_funds_add(OLD.project_id, OLD.month, -OLD.funds_domestic, -OLD.funds_foreign_usd);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM signed_funds_add(NEW.project_id, NEW.month, NEW.funds_domestic, NEW.funds_foreign_usd);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER signed_funds_report AFTER DELETE OR UPDATE OF project_id, month, funds_domestic,
    funds_foreign_usd ON monthly_reports FOR EACH ROW EXECUTE PROCEDURE signed_funds_on_report();

-- Inserted reports are summed once per statement, as above; so are report_sums' (migration 0022
-- added them row by row).
-- EXECUTE plans the statement afresh each time: a plan cached while projects held a few rows (early
-- in a bulk load) scanned the whole table for every inserted report once it held thousands.
CREATE FUNCTION sums_on_reports_inserted() RETURNS trigger AS $$
BEGIN
    EXECUTE $q$
    INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
    SELECT p.region, to_char(p.actual_sign, 'YYYY-MM'), r.month, SUM(r.funds_domestic), SUM(r.funds_foreign_usd)
    FROM inserted r JOIN projects p ON p.id = r.project_id WHERE p.actual_sign IS NOT NULL
    GROUP BY p.region, to_char(p.actual_sign, 'YYYY-MM'), r.month
    ON CONFLICT (region, sign_month, month) DO UPDATE
        SET funds_domestic = signed_funds.funds_domestic + EXCLUDED.funds_domestic,
            funds_foreign_usd = signed_funds.funds_foreign_usd + EXCLUDED.funds_foreign_usd
    $q$;
    EXECUTE $q$
    INSERT INTO report_sums (region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports)
    SELECT p.region, r.month, SUM(r.invest_month), SUM(r.funds_domestic), SUM(r.funds_foreign_usd), SUM(r.tax),
           SUM(r.jobs), COUNT(*)
    FROM inserted r JOIN projects p ON p.id = r.project_id
    GROUP BY p.region, r.month
    ON CONFLICT (region, month) DO UPDATE SET invest = report_sums.invest + EXCLUDED.invest,
        funds_domestic = report_sums.funds_domestic + EXCLUDED.funds_domestic,
        funds_foreign_usd = report_sums.funds_foreign_usd + EXCLUDED.funds_foreign_usd,
        tax = report_sums.tax + EXCLUDED.tax, jobs = report_sums.jobs + EXCLUDED.jobs,
        reports = report_sums.reports + EXCLUDED.reports
    $q$;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER report_sums_report ON monthly_reports;
CREATE TRIGGER report_sums_report AFTER DELETE OR UPDATE OF project_id, month, invest_month, funds_domestic,
    funds_foreign_usd, tax, jobs ON monthly_reports FOR EACH ROW EXECUTE PROCEDURE report_sums_on_report();
CREATE TRIGGER sums_reports_inserted AFTER INSERT ON monthly_reports REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE PROCEDURE sums_on_reports_inserted();

-- A project that moves, or whose signing date is set or corrected, takes its reports' funds along.
CREATE FUNCTION signed_funds_on_project_changed() RETURNS trigger AS $$
DECLARE
    s RECORD;
BEGIN
    FOR s IN SELECT month, CAST(SUM(funds_domestic) AS BIGINT) AS domestic,
                    CAST(SUM(funds_foreign_usd) AS BIGINT) AS foreign_usd
             FROM monthly_reports WHERE project_id = NEW.id GROUP BY month LOOP
        IF OLD.actual_sign IS NOT NULL THEN
            INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
            VALUES (OLD.region, to_char(OLD.actual_sign, 'YYYY-MM'), s.month, -s.domestic, -s.foreign_usd)
            ON CONFLICT (region, sign_month, month) DO UPDATE
                SET funds_domestic = signed_funds.funds_domestic + EXCLUDED.funds_domestic,
                    funds_foreign_usd = signed_funds.funds_foreign_usd + EXCLUDED.funds_foreign_usd;
        END IF;
        IF NEW.actual_sign IS NOT NULL THEN
            INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
            VALUES (NEW.region, to_char(NEW.actual_sign, 'YYYY-MM'), s.month, s.domestic, s.foreign_usd)
            ON CONFLICT (region, sign_month, month) DO UPDATE
                SET funds_domestic = signed_funds.funds_domestic + EXCLUDED.funds_domestic,
                    funds_foreign_usd = signed_funds.funds_foreign_usd + EXCLUDED.funds_foreign_usd;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER signed_funds_project_changed AFTER UPDATE OF region, actual_sign ON projects FOR EACH ROW
    WHEN (OLD.region IS DISTINCT FROM NEW.region OR OLD.actual_sign IS DISTINCT FROM NEW.actual_sign)
    EXECUTE PROCEDURE signed_funds_on_project_changed();

-- The projects signed in a window with what 签约额 and 项目开工率 need, read from the index alone.
DROP INDEX projects_actual_sign;
CREATE INDEX projects_signed ON projects(actual_sign, region, industrial, contracted_amount, total_investment,
    planned_start, actual_start);

-- 红旗/蜗牛 scoring reads each candidate's latest 累计完成投资 by the quarter's end: from the index alone.
CREATE INDEX monthly_reports_cumulative ON monthly_reports(project_id, month, invest_cumulative);
