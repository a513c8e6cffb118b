-- Which sums changed since a version a reader holds (issue 13): a cockpit kept at reports version
-- V is brought up to date by re-reading only the regions whose sums moved after V, instead of every
-- region of the province after each report. Each row of report_sums and signed_funds carries the
-- reports version of the write that last changed it. The triggers are on the sums themselves, so
-- every path that changes a sum (a report filed, corrected or deleted, a project moved or its
-- signing date set) stamps it, and each bumps the version before it stamps: a reader that saw the
-- version before this write then finds the row newer than what it holds, whatever order SQLite
-- fires the other triggers in. (Setting `changed` does not fire these again: they watch the sums'
-- own columns, and recursive triggers are off.)
ALTER TABLE report_sums ADD COLUMN changed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE signed_funds ADD COLUMN changed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX report_sums_changed ON report_sums(changed);
CREATE INDEX signed_funds_changed ON signed_funds(changed);

CREATE TRIGGER report_sums_stamp_insert AFTER INSERT ON report_sums BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reports';
    UPDATE report_sums SET changed = (SELECT version FROM data_versions WHERE area = 'reports')
    WHERE region = NEW.region AND month = NEW.month;
END;
CREATE TRIGGER report_sums_stamp_update
AFTER UPDATE OF region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports ON report_sums BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reports';
    UPDATE report_sums SET changed = (SELECT version FROM data_versions WHERE area = 'reports')
    WHERE region = NEW.region AND month = NEW.month;
END;
CREATE TRIGGER signed_funds_stamp_insert AFTER INSERT ON signed_funds BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reports';
    UPDATE signed_funds SET changed = (SELECT version FROM data_versions WHERE area = 'reports')
    WHERE region = NEW.region AND sign_month = NEW.sign_month AND month = NEW.month;
END;
CREATE TRIGGER signed_funds_stamp_update
AFTER UPDATE OF region, sign_month, month, funds_domestic, funds_foreign_usd ON signed_funds BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reports';
    UPDATE signed_funds SET changed = (SELECT version FROM data_versions WHERE area = 'reports')
    WHERE region = NEW.region AND sign_month = NEW.sign_month AND month = NEW.month;
END;
