-- The cockpit's sums read from their indexes alone where the visibility map allows (issue 13), as on
-- SQLite. Plain columns rather than INCLUDE, which some domestic forks do not accept.
CREATE INDEX signed_funds_figures ON signed_funds(region, sign_month, month, funds_domestic, funds_foreign_usd);
CREATE INDEX report_sums_figures ON report_sums(region, month, reports, invest, funds_domestic, funds_foreign_usd,
    tax, jobs);
ANALYZE signed_funds;
ANALYZE report_sums;
