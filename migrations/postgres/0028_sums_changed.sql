-- Which sums changed since a version a reader holds (issue 13): a cockpit kept at reports version
-- V is brought up to date by re-reading only the regions whose sums moved after V, instead of every
-- region of the province after each report. Each row of report_sums and signed_funds carries a
-- reports version of the transaction that last changed it, set by a BEFORE trigger on the sums
-- themselves, so every path that changes a sum (a report filed, corrected or deleted, a project
-- moved or its signing date set) stamps it. The transaction bumps the version once, before its
-- first stamp, and holds that row's lock until it commits: a reader that saw any version before
-- this transaction committed finds the rows newer than what it holds.
ALTER TABLE report_sums ADD COLUMN changed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE signed_funds ADD COLUMN changed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX report_sums_changed ON report_sums(changed);
CREATE INDEX signed_funds_changed ON signed_funds(changed);

-- The version of `p_area` this transaction stamps rows with: bumped at the first call, remembered
-- for the rest of the transaction (a transaction-local setting), so a bulk load bumps it once.
CREATE FUNCTION stamp_version(p_area TEXT) RETURNS BIGINT AS $$
DECLARE
    v BIGINT;
BEGIN
    v := NULLIF(current_setting('zhaoshang.stamp_' || p_area, true), '')::BIGINT;
    IF v IS NULL THEN
        UPDATE data_versions SET version = version + 1 WHERE area = p_area RETURNING version INTO v;
        PERFORM set_config('zhaoshang.stamp_' || p_area, v::TEXT, true);
    END IF;
    RETURN v;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION sums_stamp() RETURNS trigger AS $$
BEGIN
    NEW.changed := stamp_version('reports');
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER report_sums_stamp BEFORE INSERT OR UPDATE ON report_sums
    FOR EACH ROW EXECUTE PROCEDURE sums_stamp();
CREATE TRIGGER signed_funds_stamp BEFORE INSERT OR UPDATE ON signed_funds
    FOR EACH ROW EXECUTE PROCEDURE sums_stamp();
