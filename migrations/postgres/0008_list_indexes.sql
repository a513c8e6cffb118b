-- Indexes for a province's worth of projects (≈100k): the list's usual filters (region subtree,
-- stage, minimum total) and the import's "same name in the same region" lookup, which
-- otherwise reads every project of the region for every imported row.
CREATE INDEX projects_region_stage_total ON projects(region, stage, total_investment, id);
CREATE INDEX projects_region_name ON projects(region, name);
-- Statistics for the new indexes at once, so an upgraded database's planner uses them.
ANALYZE projects;
