-- A subtree is `path LIKE '/43/4301/%'` in every scope check and list (issue 13). Under a database
-- collation other than C, PostgreSQL uses a b-tree for a LIKE prefix only with the pattern operator
-- class, so each such test read every region of the province.
CREATE INDEX regions_path_prefix ON regions(path text_pattern_ops);
ANALYZE regions;

-- A big subtree's list page read down the sort's index (src/projects/plan.rs), as on SQLite. The new
-- updated-at index replaces the old one, whose reads it serves too.
CREATE INDEX projects_total_order ON projects(total_investment, id, region, stage);
CREATE INDEX projects_updated_order ON projects(updated_at, id, region, stage);
DROP INDEX projects_updated;
ANALYZE projects;
