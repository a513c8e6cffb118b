-- Imports are checked and written in the background: when the current phase began (to tell a
-- running job from one whose server stopped) and why a job failed. Rows that name a project by
-- name are looked up by it.
ALTER TABLE import_jobs ADD COLUMN started_at TIMESTAMPTZ;
ALTER TABLE import_jobs ADD COLUMN message TEXT;
CREATE INDEX projects_name ON projects(name);
