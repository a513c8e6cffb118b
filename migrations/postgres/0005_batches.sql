-- Batch events (集中开工/集中签约) and their member projects.
CREATE TABLE batches (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    held_on DATE NOT NULL,
    place TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions(code),
    is_demo BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE batch_projects (
    batch_id UUID NOT NULL REFERENCES batches(id),
    project_id UUID NOT NULL REFERENCES projects(id),
    annual_plan BIGINT NOT NULL,
    PRIMARY KEY (batch_id, project_id)
);
