-- Which regions' projects changed since a version a reader holds (issue 13): the projects signed in
-- a window, kept per region for the cockpit, are brought up to date after a save by re-reading the
-- regions it touched (the project's old and new region) instead of the whole province. Stamped once
-- per statement from its transition tables, with the transaction's projects version (stamp_version,
-- migration 0028: bumped before the first stamp and locked until commit).
CREATE TABLE project_region_changes (
    region TEXT PRIMARY KEY,
    changed BIGINT NOT NULL
);
CREATE INDEX project_region_changes_changed ON project_region_changes(changed);

CREATE FUNCTION project_regions_touched() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO project_region_changes (region, changed)
        SELECT DISTINCT region, stamp_version('projects') FROM touched_new
        ON CONFLICT (region) DO UPDATE SET changed = EXCLUDED.changed;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO project_region_changes (region, changed)
        SELECT region, stamp_version('projects') FROM (SELECT region FROM touched_old UNION SELECT region FROM touched_new) r
        ON CONFLICT (region) DO UPDATE SET changed = EXCLUDED.changed;
    ELSE
        INSERT INTO project_region_changes (region, changed)
        SELECT DISTINCT region, stamp_version('projects') FROM touched_old
        ON CONFLICT (region) DO UPDATE SET changed = EXCLUDED.changed;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER project_regions_inserted AFTER INSERT ON projects REFERENCING NEW TABLE AS touched_new
    FOR EACH STATEMENT EXECUTE PROCEDURE project_regions_touched();
CREATE TRIGGER project_regions_updated AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS touched_old NEW TABLE AS touched_new
    FOR EACH STATEMENT EXECUTE PROCEDURE project_regions_touched();
CREATE TRIGGER project_regions_deleted AFTER DELETE ON projects REFERENCING OLD TABLE AS touched_old
    FOR EACH STATEMENT EXECUTE PROCEDURE project_regions_touched();

-- The projects signed in a window per region: region first, so that re-reading one region is a
-- short range and the province's reading walks its regions one range each.
DROP INDEX projects_signed;
CREATE INDEX projects_signed ON projects(region, actual_sign, industrial, contracted_amount, total_investment,
    planned_start, actual_start);

-- A statement on projects takes the projects' version row first, before any row trigger runs: a
-- project moved stamps the reports' sums from its row triggers, and without this it would lock the
-- reports' version before the projects' one — the reverse of a transaction that writes projects and
-- then reports (an import), so the two could wait on each other in a circle.
CREATE FUNCTION projects_version_first() RETURNS trigger AS $$
BEGIN
    PERFORM stamp_version('projects');
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER projects_version_first BEFORE INSERT OR UPDATE OR DELETE ON projects
    FOR EACH STATEMENT EXECUTE PROCEDURE projects_version_first();
