-- The cockpit's sums read from their indexes alone (issue 13): a window of signed_funds or report_sums
-- was found by the key's index and then each row fetched from the table by rowid, twice the work of
-- a cold province cockpit's reading. Each index holds the key and the figures read.
CREATE INDEX signed_funds_figures ON signed_funds(region, sign_month, month, funds_domestic, funds_foreign_usd);
CREATE INDEX report_sums_figures ON report_sums(region, month, reports, invest, funds_domestic, funds_foreign_usd,
    tax, jobs);
ANALYZE signed_funds;
ANALYZE report_sums;
