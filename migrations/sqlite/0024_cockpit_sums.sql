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
SELECT region, stage, health = 'exited', COUNT(*), SUM(total_investment) FROM projects WHERE TRUE
GROUP BY region, stage, health = 'exited';

CREATE TRIGGER project_sums_insert AFTER INSERT ON projects BEGIN
    INSERT INTO project_sums (region, stage, exited, projects, total)
    VALUES (NEW.region, NEW.stage, NEW.health = 'exited', 1, NEW.total_investment)
    ON CONFLICT (region, stage, exited) DO UPDATE SET projects = projects + excluded.projects, total = total + excluded.total;
END;

CREATE TRIGGER project_sums_update AFTER UPDATE OF region, stage, health, total_investment ON projects BEGIN
    INSERT INTO project_sums (region, stage, exited, projects, total)
    VALUES (OLD.region, OLD.stage, OLD.health = 'exited', -1, -OLD.total_investment)
    ON CONFLICT (region, stage, exited) DO UPDATE SET projects = projects + excluded.projects, total = total + excluded.total;
    INSERT INTO project_sums (region, stage, exited, projects, total)
    VALUES (NEW.region, NEW.stage, NEW.health = 'exited', 1, NEW.total_investment)
    ON CONFLICT (region, stage, exited) DO UPDATE SET projects = projects + excluded.projects, total = total + excluded.total;
END;

CREATE TRIGGER project_sums_delete AFTER DELETE ON projects BEGIN
    INSERT INTO project_sums (region, stage, exited, projects, total)
    VALUES (OLD.region, OLD.stage, OLD.health = 'exited', -1, -OLD.total_investment)
    ON CONFLICT (region, stage, exited) DO UPDATE SET projects = projects + excluded.projects, total = total + excluded.total;
END;

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
SELECT p.region, substr(p.actual_sign, 1, 7), r.month, SUM(r.funds_domestic), SUM(r.funds_foreign_usd)
FROM monthly_reports r JOIN projects p ON p.id = r.project_id
WHERE p.actual_sign IS NOT NULL
GROUP BY p.region, substr(p.actual_sign, 1, 7), r.month;

CREATE TRIGGER signed_funds_report_insert AFTER INSERT ON monthly_reports BEGIN
    INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
    SELECT p.region, substr(p.actual_sign, 1, 7), NEW.month, NEW.funds_domestic, NEW.funds_foreign_usd
    FROM projects p WHERE p.id = NEW.project_id AND p.actual_sign IS NOT NULL
    ON CONFLICT (region, sign_month, month) DO UPDATE SET funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd;
END;

CREATE TRIGGER signed_funds_report_update
AFTER UPDATE OF project_id, month, funds_domestic, funds_foreign_usd ON monthly_reports BEGIN
    INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
    SELECT p.region, substr(p.actual_sign, 1, 7), OLD.month, -OLD.funds_domestic, -OLD.funds_foreign_usd
    FROM projects p WHERE p.id = OLD.project_id AND p.actual_sign IS NOT NULL
    ON CONFLICT (region, sign_month, month) DO UPDATE SET funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd;
    INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
    SELECT p.region, substr(p.actual_sign, 1, 7), NEW.month, NEW.funds_domestic, NEW.funds_foreign_usd
    FROM projects p WHERE p.id = NEW.project_id AND p.actual_sign IS NOT NULL
    ON CONFLICT (region, sign_month, month) DO UPDATE SET funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd;
END;

CREATE TRIGGER signed_funds_report_delete AFTER DELETE ON monthly_reports BEGIN
    INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
    SELECT p.region, substr(p.actual_sign, 1, 7), OLD.month, -OLD.funds_domestic, -OLD.funds_foreign_usd
    FROM projects p WHERE p.id = OLD.project_id AND p.actual_sign IS NOT NULL
    ON CONFLICT (region, sign_month, month) DO UPDATE SET funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd;
END;

-- A project that moves, or whose signing date is set or corrected, takes its reports' funds along.
CREATE TRIGGER signed_funds_project_changed AFTER UPDATE OF region, actual_sign ON projects
WHEN OLD.region <> NEW.region OR OLD.actual_sign IS NOT NEW.actual_sign BEGIN
    INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
    SELECT OLD.region, substr(OLD.actual_sign, 1, 7), r.month, -SUM(r.funds_domestic), -SUM(r.funds_foreign_usd)
    FROM monthly_reports r WHERE r.project_id = NEW.id AND OLD.actual_sign IS NOT NULL GROUP BY r.month
    ON CONFLICT (region, sign_month, month) DO UPDATE SET funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd;
    INSERT INTO signed_funds (region, sign_month, month, funds_domestic, funds_foreign_usd)
    SELECT NEW.region, substr(NEW.actual_sign, 1, 7), r.month, SUM(r.funds_domestic), SUM(r.funds_foreign_usd)
    FROM monthly_reports r WHERE r.project_id = NEW.id AND NEW.actual_sign IS NOT NULL GROUP BY r.month
    ON CONFLICT (region, sign_month, month) DO UPDATE SET funds_domestic = funds_domestic + excluded.funds_domestic,
        funds_foreign_usd = funds_foreign_usd + excluded.funds_foreign_usd;
END;

-- The projects signed in a window with what 签约额 and 项目开工率 need, read from the index alone.
DROP INDEX projects_actual_sign;
CREATE INDEX projects_signed ON projects(actual_sign, region, industrial, contracted_amount, total_investment,
    planned_start, actual_start);

-- 红旗/蜗牛 scoring reads each candidate's latest 累计完成投资 by the quarter's end: from the index alone.
CREATE INDEX monthly_reports_cumulative ON monthly_reports(project_id, month, invest_cumulative);
