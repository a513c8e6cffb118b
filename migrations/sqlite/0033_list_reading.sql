-- A subtree is `path LIKE '/43/4301/%'` in every scope check and list (issue 13). SQLite uses an index
-- for a LIKE prefix only when the indexed column compares case-insensitively, so regions_path (BINARY)
-- was never used and each such test read all 3,363 regions of the province: a fifth of an uncached
-- list's database time. Paths are digits and slashes, which NOCASE orders exactly as BINARY does.
CREATE INDEX regions_path_prefix ON regions(path COLLATE NOCASE);
ANALYZE regions;

-- A big subtree's list page read down the sort's index (src/projects/plan.rs): the index holds the
-- region and stage beside the key, so rows outside the subtree or the stages are passed over without
-- reading the table. The new updated-at index replaces the old one, whose reads it serves too.
CREATE INDEX projects_total_order ON projects(total_investment, id, region, stage);
CREATE INDEX projects_updated_order ON projects(updated_at, id, region, stage);
DROP INDEX projects_updated;
ANALYZE projects;
