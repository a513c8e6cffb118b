-- A password set by an administrator (a reset, or the initial one of a user created on a page, through
-- the API or on the command line) is known to someone other than its owner: it must be changed at the
-- next sign-in before anything else works (三员分立: a 系统管理员 must not be able to become the 审计员).
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;
