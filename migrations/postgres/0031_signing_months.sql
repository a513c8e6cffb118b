-- 签约项目数、签约额、开工率 of a window without a pass over every project signed in it (issue 13: a
-- cold province cockpit read 20,000 projects a year twice, half its time). One row per signing month
-- and region: how many projects were signed, their 签约额 (contracted, else total), the same for 产业
-- 项目, and — for each k from 0 to 11 — how many were due to start (planned or actually started) and
-- how many had started by the end of the k-th month after signing (due_k, started_k, cumulative).
-- Every window the evaluation asks for lies within one year and ends with a month's last day, so a
-- project signed in month s counts for a window ending with month m exactly when its start month is
-- at most m, that is within k = m - s <= 11 months of signing: a start earlier than the signing counts
-- in every column, one later than eleven months after it in none. Kept by triggers in the same
-- transaction as every write to projects, like project_sums (0024), and checked against a full
-- recomputation in the tests (tests/storage.rs). Keyed by month first: a province's window is one
-- range, and a region's rows (re-read after a save) one short range per month.

CREATE TABLE signing_months (
    sign_month TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions(code),
    projects BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    industrial_projects BIGINT NOT NULL,
    industrial_amount BIGINT NOT NULL,
    due_0 BIGINT NOT NULL,
    due_1 BIGINT NOT NULL,
    due_2 BIGINT NOT NULL,
    due_3 BIGINT NOT NULL,
    due_4 BIGINT NOT NULL,
    due_5 BIGINT NOT NULL,
    due_6 BIGINT NOT NULL,
    due_7 BIGINT NOT NULL,
    due_8 BIGINT NOT NULL,
    due_9 BIGINT NOT NULL,
    due_10 BIGINT NOT NULL,
    due_11 BIGINT NOT NULL,
    started_0 BIGINT NOT NULL,
    started_1 BIGINT NOT NULL,
    started_2 BIGINT NOT NULL,
    started_3 BIGINT NOT NULL,
    started_4 BIGINT NOT NULL,
    started_5 BIGINT NOT NULL,
    started_6 BIGINT NOT NULL,
    started_7 BIGINT NOT NULL,
    started_8 BIGINT NOT NULL,
    started_9 BIGINT NOT NULL,
    started_10 BIGINT NOT NULL,
    started_11 BIGINT NOT NULL,
    PRIMARY KEY (sign_month, region)
);

INSERT INTO signing_months (sign_month, region, projects, amount, industrial_projects, industrial_amount, due_0, due_1, due_2, due_3, due_4, due_5, due_6, due_7, due_8, due_9, due_10, due_11, started_0, started_1, started_2, started_3, started_4, started_5, started_6, started_7, started_8, started_9, started_10, started_11)
SELECT sm, region,
    COUNT(*),
    SUM(amt),
    SUM(ind),
    SUM(ind * amt),
    SUM(CASE WHEN alag <= 0 OR plag <= 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 1 OR plag <= 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 2 OR plag <= 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 3 OR plag <= 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 4 OR plag <= 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 5 OR plag <= 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 6 OR plag <= 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 7 OR plag <= 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 8 OR plag <= 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 9 OR plag <= 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 10 OR plag <= 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 11 OR plag <= 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN alag <= 11 THEN 1 ELSE 0 END)
FROM (SELECT to_char(p.actual_sign, 'YYYY-MM') AS sm, p.region AS region, COALESCE(p.contracted_amount, p.total_investment) AS amt, CASE WHEN p.industrial THEN 1 ELSE 0 END AS ind,
            (CAST(EXTRACT(YEAR FROM p.actual_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS alag,
            (CAST(EXTRACT(YEAR FROM p.planned_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.planned_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS plag
        FROM projects p WHERE p.actual_sign IS NOT NULL) x
GROUP BY sm, region;

-- Summed once per statement from its transition tables (old rows out, new rows in): an import adds
-- thousands of projects in one statement, and a bulk update changes many at once. An update counts only
-- the projects whose signing figures changed: a save of other fields writes nothing here.
CREATE FUNCTION signing_months_on_projects_inserted() RETURNS trigger AS $$
BEGIN
    INSERT INTO signing_months (sign_month, region, projects, amount, industrial_projects, industrial_amount, due_0, due_1, due_2, due_3, due_4, due_5, due_6, due_7, due_8, due_9, due_10, due_11, started_0, started_1, started_2, started_3, started_4, started_5, started_6, started_7, started_8, started_9, started_10, started_11)
    SELECT sm, region,
        COUNT(*),
        SUM(amt),
        SUM(ind),
        SUM(ind * amt),
        SUM(CASE WHEN alag <= 0 OR plag <= 0 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 1 OR plag <= 1 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 2 OR plag <= 2 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 3 OR plag <= 3 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 4 OR plag <= 4 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 5 OR plag <= 5 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 6 OR plag <= 6 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 7 OR plag <= 7 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 8 OR plag <= 8 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 9 OR plag <= 9 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 10 OR plag <= 10 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 11 OR plag <= 11 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 0 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 1 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 2 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 3 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 4 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 5 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 6 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 7 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 8 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 9 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 10 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 11 THEN 1 ELSE 0 END)
    FROM (SELECT to_char(p.actual_sign, 'YYYY-MM') AS sm, p.region AS region, COALESCE(p.contracted_amount, p.total_investment) AS amt, CASE WHEN p.industrial THEN 1 ELSE 0 END AS ind,
            (CAST(EXTRACT(YEAR FROM p.actual_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS alag,
            (CAST(EXTRACT(YEAR FROM p.planned_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.planned_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS plag
        FROM inserted p WHERE p.actual_sign IS NOT NULL) x
    GROUP BY sm, region
    ON CONFLICT (sign_month, region) DO UPDATE SET
        projects = signing_months.projects + excluded.projects,
        amount = signing_months.amount + excluded.amount,
        industrial_projects = signing_months.industrial_projects + excluded.industrial_projects,
        industrial_amount = signing_months.industrial_amount + excluded.industrial_amount,
        due_0 = signing_months.due_0 + excluded.due_0,
        due_1 = signing_months.due_1 + excluded.due_1,
        due_2 = signing_months.due_2 + excluded.due_2,
        due_3 = signing_months.due_3 + excluded.due_3,
        due_4 = signing_months.due_4 + excluded.due_4,
        due_5 = signing_months.due_5 + excluded.due_5,
        due_6 = signing_months.due_6 + excluded.due_6,
        due_7 = signing_months.due_7 + excluded.due_7,
        due_8 = signing_months.due_8 + excluded.due_8,
        due_9 = signing_months.due_9 + excluded.due_9,
        due_10 = signing_months.due_10 + excluded.due_10,
        due_11 = signing_months.due_11 + excluded.due_11,
        started_0 = signing_months.started_0 + excluded.started_0,
        started_1 = signing_months.started_1 + excluded.started_1,
        started_2 = signing_months.started_2 + excluded.started_2,
        started_3 = signing_months.started_3 + excluded.started_3,
        started_4 = signing_months.started_4 + excluded.started_4,
        started_5 = signing_months.started_5 + excluded.started_5,
        started_6 = signing_months.started_6 + excluded.started_6,
        started_7 = signing_months.started_7 + excluded.started_7,
        started_8 = signing_months.started_8 + excluded.started_8,
        started_9 = signing_months.started_9 + excluded.started_9,
        started_10 = signing_months.started_10 + excluded.started_10,
        started_11 = signing_months.started_11 + excluded.started_11;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION signing_months_on_projects_deleted() RETURNS trigger AS $$
BEGIN
    INSERT INTO signing_months (sign_month, region, projects, amount, industrial_projects, industrial_amount, due_0, due_1, due_2, due_3, due_4, due_5, due_6, due_7, due_8, due_9, due_10, due_11, started_0, started_1, started_2, started_3, started_4, started_5, started_6, started_7, started_8, started_9, started_10, started_11)
    SELECT sm, region,
        -COUNT(*),
        -SUM(amt),
        -SUM(ind),
        -SUM(ind * amt),
        -SUM(CASE WHEN alag <= 0 OR plag <= 0 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 1 OR plag <= 1 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 2 OR plag <= 2 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 3 OR plag <= 3 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 4 OR plag <= 4 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 5 OR plag <= 5 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 6 OR plag <= 6 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 7 OR plag <= 7 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 8 OR plag <= 8 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 9 OR plag <= 9 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 10 OR plag <= 10 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 11 OR plag <= 11 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 0 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 1 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 2 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 3 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 4 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 5 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 6 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 7 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 8 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 9 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 10 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 11 THEN 1 ELSE 0 END)
    FROM (SELECT to_char(p.actual_sign, 'YYYY-MM') AS sm, p.region AS region, COALESCE(p.contracted_amount, p.total_investment) AS amt, CASE WHEN p.industrial THEN 1 ELSE 0 END AS ind,
            (CAST(EXTRACT(YEAR FROM p.actual_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS alag,
            (CAST(EXTRACT(YEAR FROM p.planned_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.planned_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS plag
        FROM deleted p WHERE p.actual_sign IS NOT NULL) x
    GROUP BY sm, region
    ON CONFLICT (sign_month, region) DO UPDATE SET
        projects = signing_months.projects + excluded.projects,
        amount = signing_months.amount + excluded.amount,
        industrial_projects = signing_months.industrial_projects + excluded.industrial_projects,
        industrial_amount = signing_months.industrial_amount + excluded.industrial_amount,
        due_0 = signing_months.due_0 + excluded.due_0,
        due_1 = signing_months.due_1 + excluded.due_1,
        due_2 = signing_months.due_2 + excluded.due_2,
        due_3 = signing_months.due_3 + excluded.due_3,
        due_4 = signing_months.due_4 + excluded.due_4,
        due_5 = signing_months.due_5 + excluded.due_5,
        due_6 = signing_months.due_6 + excluded.due_6,
        due_7 = signing_months.due_7 + excluded.due_7,
        due_8 = signing_months.due_8 + excluded.due_8,
        due_9 = signing_months.due_9 + excluded.due_9,
        due_10 = signing_months.due_10 + excluded.due_10,
        due_11 = signing_months.due_11 + excluded.due_11,
        started_0 = signing_months.started_0 + excluded.started_0,
        started_1 = signing_months.started_1 + excluded.started_1,
        started_2 = signing_months.started_2 + excluded.started_2,
        started_3 = signing_months.started_3 + excluded.started_3,
        started_4 = signing_months.started_4 + excluded.started_4,
        started_5 = signing_months.started_5 + excluded.started_5,
        started_6 = signing_months.started_6 + excluded.started_6,
        started_7 = signing_months.started_7 + excluded.started_7,
        started_8 = signing_months.started_8 + excluded.started_8,
        started_9 = signing_months.started_9 + excluded.started_9,
        started_10 = signing_months.started_10 + excluded.started_10,
        started_11 = signing_months.started_11 + excluded.started_11;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION signing_months_on_projects_updated() RETURNS trigger AS $$
BEGIN
    INSERT INTO signing_months (sign_month, region, projects, amount, industrial_projects, industrial_amount, due_0, due_1, due_2, due_3, due_4, due_5, due_6, due_7, due_8, due_9, due_10, due_11, started_0, started_1, started_2, started_3, started_4, started_5, started_6, started_7, started_8, started_9, started_10, started_11)
    SELECT sm, region,
        -COUNT(*),
        -SUM(amt),
        -SUM(ind),
        -SUM(ind * amt),
        -SUM(CASE WHEN alag <= 0 OR plag <= 0 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 1 OR plag <= 1 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 2 OR plag <= 2 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 3 OR plag <= 3 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 4 OR plag <= 4 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 5 OR plag <= 5 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 6 OR plag <= 6 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 7 OR plag <= 7 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 8 OR plag <= 8 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 9 OR plag <= 9 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 10 OR plag <= 10 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 11 OR plag <= 11 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 0 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 1 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 2 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 3 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 4 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 5 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 6 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 7 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 8 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 9 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 10 THEN 1 ELSE 0 END),
        -SUM(CASE WHEN alag <= 11 THEN 1 ELSE 0 END)
    FROM (SELECT to_char(p.actual_sign, 'YYYY-MM') AS sm, p.region AS region, COALESCE(p.contracted_amount, p.total_investment) AS amt, CASE WHEN p.industrial THEN 1 ELSE 0 END AS ind,
            (CAST(EXTRACT(YEAR FROM p.actual_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS alag,
            (CAST(EXTRACT(YEAR FROM p.planned_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.planned_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS plag
        FROM (SELECT d.* FROM deleted d JOIN inserted i ON i.id = d.id
              WHERE (d.region, d.actual_sign, d.industrial, d.contracted_amount, d.total_investment, d.planned_start, d.actual_start)
                IS DISTINCT FROM (i.region, i.actual_sign, i.industrial, i.contracted_amount, i.total_investment, i.planned_start, i.actual_start)) p WHERE p.actual_sign IS NOT NULL) x
    GROUP BY sm, region
    ON CONFLICT (sign_month, region) DO UPDATE SET
        projects = signing_months.projects + excluded.projects,
        amount = signing_months.amount + excluded.amount,
        industrial_projects = signing_months.industrial_projects + excluded.industrial_projects,
        industrial_amount = signing_months.industrial_amount + excluded.industrial_amount,
        due_0 = signing_months.due_0 + excluded.due_0,
        due_1 = signing_months.due_1 + excluded.due_1,
        due_2 = signing_months.due_2 + excluded.due_2,
        due_3 = signing_months.due_3 + excluded.due_3,
        due_4 = signing_months.due_4 + excluded.due_4,
        due_5 = signing_months.due_5 + excluded.due_5,
        due_6 = signing_months.due_6 + excluded.due_6,
        due_7 = signing_months.due_7 + excluded.due_7,
        due_8 = signing_months.due_8 + excluded.due_8,
        due_9 = signing_months.due_9 + excluded.due_9,
        due_10 = signing_months.due_10 + excluded.due_10,
        due_11 = signing_months.due_11 + excluded.due_11,
        started_0 = signing_months.started_0 + excluded.started_0,
        started_1 = signing_months.started_1 + excluded.started_1,
        started_2 = signing_months.started_2 + excluded.started_2,
        started_3 = signing_months.started_3 + excluded.started_3,
        started_4 = signing_months.started_4 + excluded.started_4,
        started_5 = signing_months.started_5 + excluded.started_5,
        started_6 = signing_months.started_6 + excluded.started_6,
        started_7 = signing_months.started_7 + excluded.started_7,
        started_8 = signing_months.started_8 + excluded.started_8,
        started_9 = signing_months.started_9 + excluded.started_9,
        started_10 = signing_months.started_10 + excluded.started_10,
        started_11 = signing_months.started_11 + excluded.started_11;
    INSERT INTO signing_months (sign_month, region, projects, amount, industrial_projects, industrial_amount, due_0, due_1, due_2, due_3, due_4, due_5, due_6, due_7, due_8, due_9, due_10, due_11, started_0, started_1, started_2, started_3, started_4, started_5, started_6, started_7, started_8, started_9, started_10, started_11)
    SELECT sm, region,
        COUNT(*),
        SUM(amt),
        SUM(ind),
        SUM(ind * amt),
        SUM(CASE WHEN alag <= 0 OR plag <= 0 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 1 OR plag <= 1 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 2 OR plag <= 2 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 3 OR plag <= 3 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 4 OR plag <= 4 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 5 OR plag <= 5 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 6 OR plag <= 6 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 7 OR plag <= 7 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 8 OR plag <= 8 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 9 OR plag <= 9 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 10 OR plag <= 10 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 11 OR plag <= 11 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 0 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 1 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 2 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 3 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 4 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 5 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 6 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 7 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 8 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 9 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 10 THEN 1 ELSE 0 END),
        SUM(CASE WHEN alag <= 11 THEN 1 ELSE 0 END)
    FROM (SELECT to_char(p.actual_sign, 'YYYY-MM') AS sm, p.region AS region, COALESCE(p.contracted_amount, p.total_investment) AS amt, CASE WHEN p.industrial THEN 1 ELSE 0 END AS ind,
            (CAST(EXTRACT(YEAR FROM p.actual_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS alag,
            (CAST(EXTRACT(YEAR FROM p.planned_start) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.planned_start) AS INTEGER)) - (CAST(EXTRACT(YEAR FROM p.actual_sign) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM p.actual_sign) AS INTEGER)) AS plag
        FROM (SELECT i.* FROM deleted d JOIN inserted i ON i.id = d.id
              WHERE (d.region, d.actual_sign, d.industrial, d.contracted_amount, d.total_investment, d.planned_start, d.actual_start)
                IS DISTINCT FROM (i.region, i.actual_sign, i.industrial, i.contracted_amount, i.total_investment, i.planned_start, i.actual_start)) p WHERE p.actual_sign IS NOT NULL) x
    GROUP BY sm, region
    ON CONFLICT (sign_month, region) DO UPDATE SET
        projects = signing_months.projects + excluded.projects,
        amount = signing_months.amount + excluded.amount,
        industrial_projects = signing_months.industrial_projects + excluded.industrial_projects,
        industrial_amount = signing_months.industrial_amount + excluded.industrial_amount,
        due_0 = signing_months.due_0 + excluded.due_0,
        due_1 = signing_months.due_1 + excluded.due_1,
        due_2 = signing_months.due_2 + excluded.due_2,
        due_3 = signing_months.due_3 + excluded.due_3,
        due_4 = signing_months.due_4 + excluded.due_4,
        due_5 = signing_months.due_5 + excluded.due_5,
        due_6 = signing_months.due_6 + excluded.due_6,
        due_7 = signing_months.due_7 + excluded.due_7,
        due_8 = signing_months.due_8 + excluded.due_8,
        due_9 = signing_months.due_9 + excluded.due_9,
        due_10 = signing_months.due_10 + excluded.due_10,
        due_11 = signing_months.due_11 + excluded.due_11,
        started_0 = signing_months.started_0 + excluded.started_0,
        started_1 = signing_months.started_1 + excluded.started_1,
        started_2 = signing_months.started_2 + excluded.started_2,
        started_3 = signing_months.started_3 + excluded.started_3,
        started_4 = signing_months.started_4 + excluded.started_4,
        started_5 = signing_months.started_5 + excluded.started_5,
        started_6 = signing_months.started_6 + excluded.started_6,
        started_7 = signing_months.started_7 + excluded.started_7,
        started_8 = signing_months.started_8 + excluded.started_8,
        started_9 = signing_months.started_9 + excluded.started_9,
        started_10 = signing_months.started_10 + excluded.started_10,
        started_11 = signing_months.started_11 + excluded.started_11;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER signing_months_projects_inserted AFTER INSERT ON projects REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE PROCEDURE signing_months_on_projects_inserted();
CREATE TRIGGER signing_months_projects_deleted AFTER DELETE ON projects REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE PROCEDURE signing_months_on_projects_deleted();
CREATE TRIGGER signing_months_projects_updated AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS deleted NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE PROCEDURE signing_months_on_projects_updated();
ANALYZE signing_months;
