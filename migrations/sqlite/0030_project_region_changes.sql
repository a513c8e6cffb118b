-- Which regions' projects changed since a version a reader holds (issue 13): the projects signed in
-- a window, kept per region for the cockpit, are brought up to date after a save by re-reading the
-- regions it touched (the project's old and new region) instead of the whole province. Each trigger
-- bumps the projects' version before it stamps, whatever order SQLite fires the others in.
CREATE TABLE project_region_changes (
    region TEXT PRIMARY KEY,
    changed BIGINT NOT NULL
);
CREATE INDEX project_region_changes_changed ON project_region_changes(changed);

CREATE TRIGGER project_region_changes_insert AFTER INSERT ON projects BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
    INSERT INTO project_region_changes (region, changed)
    SELECT NEW.region, version FROM data_versions WHERE area = 'projects'
    ON CONFLICT (region) DO UPDATE SET changed = excluded.changed;
END;
CREATE TRIGGER project_region_changes_update AFTER UPDATE ON projects BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
    INSERT INTO project_region_changes (region, changed)
    SELECT r.region, v.version FROM (SELECT OLD.region AS region UNION SELECT NEW.region) r
        JOIN data_versions v ON v.area = 'projects'
    WHERE TRUE
    ON CONFLICT (region) DO UPDATE SET changed = excluded.changed;
END;
CREATE TRIGGER project_region_changes_delete AFTER DELETE ON projects BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
    INSERT INTO project_region_changes (region, changed)
    SELECT OLD.region, version FROM data_versions WHERE area = 'projects'
    ON CONFLICT (region) DO UPDATE SET changed = excluded.changed;
END;

-- The projects signed in a window per region: region first, so that re-reading one region is a
-- short range and the province's reading walks its regions one range each.
DROP INDEX projects_signed;
CREATE INDEX projects_signed ON projects(region, actual_sign, industrial, contracted_amount, total_investment,
    planned_start, actual_start);
ANALYZE projects;
