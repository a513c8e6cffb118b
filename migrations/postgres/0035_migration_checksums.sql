-- Each applied migration's SHA-256 (hex of the file's bytes), so that a changed file is refused at start
-- (src/db/migrate.rs). Rows applied before this migration are filled with the shipped file's checksum on
-- the first start that knows the column.
ALTER TABLE schema_migrations ADD COLUMN checksum TEXT;
