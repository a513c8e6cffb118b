-- Projects, their investors, the stage log and evidence files.
CREATE TABLE projects (
    id UUID PRIMARY KEY,
    code TEXT UNIQUE,
    name TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions(code),
    industry TEXT REFERENCES industries(code),
    sector TEXT,
    industrial BOOLEAN NOT NULL DEFAULT false,
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
    planned_sign DATE, actual_sign DATE,
    planned_register DATE, actual_register DATE,
    planned_land DATE, actual_land DATE,
    planned_start DATE, actual_start DATE,
    planned_produce DATE, actual_produce DATE,
    planned_full_produce DATE, actual_full_produce DATE,
    specialist_id UUID REFERENCES users(id),
    is_demo BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX projects_region ON projects(region);
CREATE INDEX projects_stage ON projects(stage);
CREATE INDEX projects_updated ON projects(updated_at);

CREATE TABLE project_investors (
    project_id UUID NOT NULL REFERENCES projects(id),
    enterprise_id UUID NOT NULL REFERENCES enterprises(id),
    PRIMARY KEY (project_id, enterprise_id)
);
CREATE INDEX project_investors_enterprise ON project_investors(enterprise_id);

CREATE TABLE project_stage_log (
    id UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES projects(id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    happened_on DATE NOT NULL,
    override_reason TEXT,
    note TEXT,
    details TEXT,
    actor_name TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_stage_log_project ON project_stage_log(project_id);

-- Evidence is kept in the database so that a backup holds it too.
CREATE TABLE project_evidence (
    id UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES projects(id),
    stage TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_evidence_project ON project_evidence(project_id);
