-- A password set by an administrator (a reset, or the initial one of a user created on a page or
-- through the API) is known to someone other than its owner: it must be changed at the next sign-in
-- before anything else works (三员分立: a 系统管理员 must not be able to become the 审计员).
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;
-- The version of business data: the audit head ("seq:hash") after the last change that was not a
-- sign-in, sign-out or export. Figures key on it, so a script posting wrong passwords cannot make
-- every cockpit request compute afresh.
ALTER TABLE audit_head ADD COLUMN data_version TEXT NOT NULL DEFAULT '';
UPDATE audit_head SET data_version = seq || ':' || hash;
