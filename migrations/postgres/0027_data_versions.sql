-- Versions of business data by area, bumped by triggers in the same transaction as every write,
-- whatever does the writing (a use case, an import, the demo loader, SQL typed by hand). A cached
-- result keys on the versions of the areas it reads (crate::cache::Area), so a change is seen at the
-- next request and a change elsewhere (a sign-in, a notification, the audit log itself) keeps it.
-- Derived sums (report_sums, project_sums, signed_funds) change only with their sources, in the
-- same statement, so they need no trigger of their own. The 'database' row is a random number that
-- tells two databases apart when one process serves several (the tests do).
CREATE TABLE data_versions (
    area TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_versions (area, version) VALUES ('database', floor(random() * 1000000000000)::bigint);
INSERT INTO data_versions (area, version) VALUES ('projects', 1);
INSERT INTO data_versions (area, version) VALUES ('reports', 1);
INSERT INTO data_versions (area, version) VALUES ('enterprises', 1);
INSERT INTO data_versions (area, version) VALUES ('reference', 1);
INSERT INTO data_versions (area, version) VALUES ('evaluation', 1);
INSERT INTO data_versions (area, version) VALUES ('service', 1);
INSERT INTO data_versions (area, version) VALUES ('accounts', 1);
INSERT INTO data_versions (area, version) VALUES ('visits', 1);

CREATE FUNCTION bump_data_version() RETURNS trigger AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = TG_ARGV[0];
    RETURN NULL;
END $$ LANGUAGE plpgsql;

-- Tables written in bulk (imports, the province demo) bump once per statement; the others per row,
-- so that a conditional UPDATE that matched nothing moves nothing.
CREATE TRIGGER projects_version AFTER INSERT OR UPDATE OR DELETE ON projects
    FOR EACH STATEMENT EXECUTE PROCEDURE bump_data_version('projects');
CREATE TRIGGER project_investors_version AFTER INSERT OR UPDATE OR DELETE ON project_investors
    FOR EACH STATEMENT EXECUTE PROCEDURE bump_data_version('projects');
CREATE TRIGGER project_stage_log_version AFTER INSERT OR UPDATE OR DELETE ON project_stage_log
    FOR EACH STATEMENT EXECUTE PROCEDURE bump_data_version('projects');
CREATE TRIGGER project_evidence_version AFTER INSERT OR UPDATE OR DELETE ON project_evidence
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('projects');
CREATE TRIGGER batches_version AFTER INSERT OR UPDATE OR DELETE ON batches
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('projects');
CREATE TRIGGER batch_projects_version AFTER INSERT OR UPDATE OR DELETE ON batch_projects
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('projects');
CREATE TRIGGER monthly_reports_version AFTER INSERT OR UPDATE OR DELETE ON monthly_reports
    FOR EACH STATEMENT EXECUTE PROCEDURE bump_data_version('reports');
CREATE TRIGGER enterprises_version AFTER INSERT OR UPDATE OR DELETE ON enterprises
    FOR EACH STATEMENT EXECUTE PROCEDURE bump_data_version('enterprises');
CREATE TRIGGER enterprise_tag_events_version AFTER INSERT OR UPDATE OR DELETE ON enterprise_tag_events
    FOR EACH STATEMENT EXECUTE PROCEDURE bump_data_version('enterprises');
CREATE TRIGGER regions_version AFTER INSERT OR UPDATE OR DELETE ON regions
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('reference');
CREATE TRIGGER industries_version AFTER INSERT OR UPDATE OR DELETE ON industries
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('reference');
CREATE TRIGGER reference_data_version AFTER INSERT OR UPDATE OR DELETE ON reference_data
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('reference');
CREATE TRIGGER evaluation_targets_version AFTER INSERT OR UPDATE OR DELETE ON evaluation_targets
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('evaluation');
CREATE TRIGGER indicator_weights_version AFTER INSERT OR UPDATE OR DELETE ON indicator_weights
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('evaluation');
CREATE TRIGGER ranking_snapshots_version AFTER INSERT OR UPDATE OR DELETE ON ranking_snapshots
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('evaluation');
CREATE TRIGGER flag_lists_version AFTER INSERT OR UPDATE OR DELETE ON flag_lists
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('evaluation');
CREATE TRIGGER appeals_version AFTER INSERT OR UPDATE OR DELETE ON appeals
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('service');
CREATE TRIGGER appeal_events_version AFTER INSERT OR UPDATE OR DELETE ON appeal_events
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('service');
CREATE TRIGGER appeal_categories_version AFTER INSERT OR UPDATE OR DELETE ON appeal_categories
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('service');
CREATE TRIGGER appeal_tiers_version AFTER INSERT OR UPDATE OR DELETE ON appeal_tiers
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('service');
CREATE TRIGGER departments_version AFTER INSERT OR UPDATE OR DELETE ON departments
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('service');
CREATE TRIGGER calendar_days_version AFTER INSERT OR UPDATE OR DELETE ON calendar_days
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('service');
CREATE TRIGGER visits_version AFTER INSERT OR UPDATE OR DELETE ON visits
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('visits');
CREATE TRIGGER visit_participants_version AFTER INSERT OR UPDATE OR DELETE ON visit_participants
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('visits');
CREATE TRIGGER visit_photos_version AFTER INSERT OR UPDATE OR DELETE ON visit_photos
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('visits');
CREATE TRIGGER specialist_assignments_version AFTER INSERT OR UPDATE OR DELETE ON specialist_assignments
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('visits');
CREATE TRIGGER settings_version AFTER INSERT OR UPDATE OR DELETE ON settings
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('service');
CREATE TRIGGER grants_version AFTER INSERT OR UPDATE OR DELETE ON grants
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('accounts');
CREATE TRIGGER api_tokens_version AFTER INSERT OR UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('accounts');
-- Users: a failed sign-in changes only the count of failures, which no cached result reads.
CREATE TRIGGER users_version_insert AFTER INSERT ON users
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('accounts');
CREATE TRIGGER users_version_update AFTER UPDATE OF username, display_name, region, department, password_hash, locked_until, disabled, must_change_password ON users
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('accounts');
CREATE TRIGGER users_version_delete AFTER DELETE ON users
    FOR EACH ROW EXECUTE PROCEDURE bump_data_version('accounts');

-- The audit head was the version of cached list views; data_versions replaces it.
ALTER TABLE audit_head DROP COLUMN projects_version;
