-- Projects, their investors, the stage log and evidence files.
CREATE TABLE projects (
    id BLOB PRIMARY KEY,
    code TEXT UNIQUE,
    name TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions(code),
    industry TEXT REFERENCES industries(code),
    sector TEXT,
    industrial BOOLEAN NOT NULL DEFAULT 0,
    nature TEXT,
    capital TEXT,
    sources BIGINT NOT NULL DEFAULT 0,
    channel TEXT,
    total_investment BIGINT NOT NULL,
    fixed_investment BIGINT,
    foreign_usd BIGINT,
    expected_output BIGINT,
    expected_tax BIGINT,
    expected_jobs BIGINT,
    land_mu BIGINT,
    tags BIGINT NOT NULL DEFAULT 0,
    stage TEXT NOT NULL,
    health TEXT NOT NULL,
    health_reason TEXT,
    contracted_amount BIGINT,
    local_credit_code TEXT,
    parcel TEXT,
    supplied_mu BIGINT,
    permit TEXT,
    planned_sign TEXT, actual_sign TEXT,
    planned_register TEXT, actual_register TEXT,
    planned_land TEXT, actual_land TEXT,
    planned_start TEXT, actual_start TEXT,
    planned_produce TEXT, actual_produce TEXT,
    planned_full_produce TEXT, actual_full_produce TEXT,
    specialist_id BLOB REFERENCES users(id),
    is_demo BOOLEAN NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX projects_region ON projects(region);
CREATE INDEX projects_stage ON projects(stage);
CREATE INDEX projects_updated ON projects(updated_at);

CREATE TABLE project_investors (
    project_id BLOB NOT NULL REFERENCES projects(id),
    enterprise_id BLOB NOT NULL REFERENCES enterprises(id),
    PRIMARY KEY (project_id, enterprise_id)
);
CREATE INDEX project_investors_enterprise ON project_investors(enterprise_id);

CREATE TABLE project_stage_log (
    id BLOB PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects(id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    override_reason TEXT,
    note TEXT,
    details TEXT,
    actor_name TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX project_stage_log_project ON project_stage_log(project_id);

-- Evidence is kept in the database so that a backup holds it too.
CREATE TABLE project_evidence (
    id BLOB PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects(id),
    stage TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX project_evidence_project ON project_evidence(project_id);
