-- The list's usual sorts within a region subtree and stage, read from an index alone (issue 13): a
-- city's projects of one stage sorted by name or by last change were each looked up in the table
-- (thousands of rows to show fifty) whenever a save made the kept list stale.
CREATE INDEX projects_region_stage_name ON projects(region, stage, name, id);
CREATE INDEX projects_region_stage_updated ON projects(region, stage, updated_at, id);
