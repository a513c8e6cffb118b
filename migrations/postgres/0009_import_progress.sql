-- Imports are checked and written in the background: when the current phase began (to tell a
-- running job from one whose server stopped) and why a job failed.
ALTER TABLE import_jobs ADD COLUMN started_at TIMESTAMPTZ;
ALTER TABLE import_jobs ADD COLUMN message TEXT;
