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
INSERT INTO data_versions (area, version) VALUES ('database', abs(random()) % 1000000000000);
INSERT INTO data_versions (area, version) VALUES ('projects', 1);
INSERT INTO data_versions (area, version) VALUES ('reports', 1);
INSERT INTO data_versions (area, version) VALUES ('enterprises', 1);
INSERT INTO data_versions (area, version) VALUES ('reference', 1);
INSERT INTO data_versions (area, version) VALUES ('evaluation', 1);
INSERT INTO data_versions (area, version) VALUES ('service', 1);
INSERT INTO data_versions (area, version) VALUES ('accounts', 1);
INSERT INTO data_versions (area, version) VALUES ('visits', 1);

CREATE TRIGGER projects_version_insert AFTER INSERT ON projects BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER projects_version_update AFTER UPDATE ON projects BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER projects_version_delete AFTER DELETE ON projects BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER project_investors_version_insert AFTER INSERT ON project_investors BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER project_investors_version_update AFTER UPDATE ON project_investors BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER project_investors_version_delete AFTER DELETE ON project_investors BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER project_stage_log_version_insert AFTER INSERT ON project_stage_log BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER project_stage_log_version_update AFTER UPDATE ON project_stage_log BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER project_stage_log_version_delete AFTER DELETE ON project_stage_log BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER project_evidence_version_insert AFTER INSERT ON project_evidence BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER project_evidence_version_update AFTER UPDATE ON project_evidence BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER project_evidence_version_delete AFTER DELETE ON project_evidence BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER batches_version_insert AFTER INSERT ON batches BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER batches_version_update AFTER UPDATE ON batches BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER batches_version_delete AFTER DELETE ON batches BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER batch_projects_version_insert AFTER INSERT ON batch_projects BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER batch_projects_version_update AFTER UPDATE ON batch_projects BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER batch_projects_version_delete AFTER DELETE ON batch_projects BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'projects';
END;
CREATE TRIGGER monthly_reports_version_insert AFTER INSERT ON monthly_reports BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reports';
END;
CREATE TRIGGER monthly_reports_version_update AFTER UPDATE ON monthly_reports BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reports';
END;
CREATE TRIGGER monthly_reports_version_delete AFTER DELETE ON monthly_reports BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reports';
END;
CREATE TRIGGER enterprises_version_insert AFTER INSERT ON enterprises BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'enterprises';
END;
CREATE TRIGGER enterprises_version_update AFTER UPDATE ON enterprises BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'enterprises';
END;
CREATE TRIGGER enterprises_version_delete AFTER DELETE ON enterprises BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'enterprises';
END;
CREATE TRIGGER enterprise_tag_events_version_insert AFTER INSERT ON enterprise_tag_events BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'enterprises';
END;
CREATE TRIGGER enterprise_tag_events_version_update AFTER UPDATE ON enterprise_tag_events BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'enterprises';
END;
CREATE TRIGGER enterprise_tag_events_version_delete AFTER DELETE ON enterprise_tag_events BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'enterprises';
END;
CREATE TRIGGER regions_version_insert AFTER INSERT ON regions BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reference';
END;
CREATE TRIGGER regions_version_update AFTER UPDATE ON regions BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reference';
END;
CREATE TRIGGER regions_version_delete AFTER DELETE ON regions BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reference';
END;
CREATE TRIGGER industries_version_insert AFTER INSERT ON industries BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reference';
END;
CREATE TRIGGER industries_version_update AFTER UPDATE ON industries BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reference';
END;
CREATE TRIGGER industries_version_delete AFTER DELETE ON industries BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reference';
END;
CREATE TRIGGER reference_data_version_insert AFTER INSERT ON reference_data BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reference';
END;
CREATE TRIGGER reference_data_version_update AFTER UPDATE ON reference_data BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reference';
END;
CREATE TRIGGER reference_data_version_delete AFTER DELETE ON reference_data BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'reference';
END;
CREATE TRIGGER evaluation_targets_version_insert AFTER INSERT ON evaluation_targets BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER evaluation_targets_version_update AFTER UPDATE ON evaluation_targets BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER evaluation_targets_version_delete AFTER DELETE ON evaluation_targets BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER indicator_weights_version_insert AFTER INSERT ON indicator_weights BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER indicator_weights_version_update AFTER UPDATE ON indicator_weights BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER indicator_weights_version_delete AFTER DELETE ON indicator_weights BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER ranking_snapshots_version_insert AFTER INSERT ON ranking_snapshots BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER ranking_snapshots_version_update AFTER UPDATE ON ranking_snapshots BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER ranking_snapshots_version_delete AFTER DELETE ON ranking_snapshots BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER flag_lists_version_insert AFTER INSERT ON flag_lists BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER flag_lists_version_update AFTER UPDATE ON flag_lists BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER flag_lists_version_delete AFTER DELETE ON flag_lists BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'evaluation';
END;
CREATE TRIGGER appeals_version_insert AFTER INSERT ON appeals BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeals_version_update AFTER UPDATE ON appeals BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeals_version_delete AFTER DELETE ON appeals BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeal_events_version_insert AFTER INSERT ON appeal_events BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeal_events_version_update AFTER UPDATE ON appeal_events BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeal_events_version_delete AFTER DELETE ON appeal_events BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeal_categories_version_insert AFTER INSERT ON appeal_categories BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeal_categories_version_update AFTER UPDATE ON appeal_categories BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeal_categories_version_delete AFTER DELETE ON appeal_categories BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeal_tiers_version_insert AFTER INSERT ON appeal_tiers BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeal_tiers_version_update AFTER UPDATE ON appeal_tiers BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER appeal_tiers_version_delete AFTER DELETE ON appeal_tiers BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER departments_version_insert AFTER INSERT ON departments BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER departments_version_update AFTER UPDATE ON departments BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER departments_version_delete AFTER DELETE ON departments BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER calendar_days_version_insert AFTER INSERT ON calendar_days BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER calendar_days_version_update AFTER UPDATE ON calendar_days BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER calendar_days_version_delete AFTER DELETE ON calendar_days BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER visits_version_insert AFTER INSERT ON visits BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER visits_version_update AFTER UPDATE ON visits BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER visits_version_delete AFTER DELETE ON visits BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER visit_participants_version_insert AFTER INSERT ON visit_participants BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER visit_participants_version_update AFTER UPDATE ON visit_participants BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER visit_participants_version_delete AFTER DELETE ON visit_participants BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER visit_photos_version_insert AFTER INSERT ON visit_photos BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER visit_photos_version_update AFTER UPDATE ON visit_photos BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER visit_photos_version_delete AFTER DELETE ON visit_photos BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER specialist_assignments_version_insert AFTER INSERT ON specialist_assignments BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER specialist_assignments_version_update AFTER UPDATE ON specialist_assignments BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER specialist_assignments_version_delete AFTER DELETE ON specialist_assignments BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'visits';
END;
CREATE TRIGGER settings_version_insert AFTER INSERT ON settings BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER settings_version_update AFTER UPDATE ON settings BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER settings_version_delete AFTER DELETE ON settings BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'service';
END;
CREATE TRIGGER grants_version_insert AFTER INSERT ON grants BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER grants_version_update AFTER UPDATE ON grants BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER grants_version_delete AFTER DELETE ON grants BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER api_tokens_version_insert AFTER INSERT ON api_tokens BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER api_tokens_version_update AFTER UPDATE ON api_tokens BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER api_tokens_version_delete AFTER DELETE ON api_tokens BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'accounts';
END;
-- Users: a failed sign-in changes only the count of failures, which no cached result reads.
CREATE TRIGGER users_version_insert AFTER INSERT ON users BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER users_version_update AFTER UPDATE OF username, display_name, region, department, password_hash, locked_until, disabled, must_change_password ON users BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER users_version_delete AFTER DELETE ON users BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'accounts';
END;

-- The audit head was the version of cached list views; data_versions replaces it.
ALTER TABLE audit_head DROP COLUMN projects_version;
