-- The version of what a project list shows (projects, their regions and industries): the audit head
-- ("seq:hash") as it was after the last change that could alter it. A monthly report, an appeal or a
-- sign-in moves the head but not this, so list views stay cached through a reporting day.
ALTER TABLE audit_head ADD COLUMN projects_version TEXT NOT NULL DEFAULT '';
UPDATE audit_head SET projects_version = seq || ':' || hash;
