//! Which way a list page is read (issue 13). A page of a big subtree sorted on an indexed column is
//! cheapest read down that column's index, keeping the rows of the subtree, until fifty are found:
//! 长沙's started projects by 总投资 are a quarter of all projects that high, so the first page
//! reads about two hundred index entries. The other way — each region's projects from the region's
//! index, all sorted to keep fifty — is cheapest for a county's few hundred, and the only way for
//! a sort no index holds. SQLite's planner guesses the subtree's size from averages and reads by
//! region every time (4,235 rows sorted for 长沙's first page); the count the page shows anyway
//! says how many rows the subtree holds, so the choice is made here instead.

use super::list::PAGE_SIZE;

/// The sort keys an index reads in order, with the region and stage in it (migration 0033).
const ORDERED_INDEXES: &[(&str, &str)] =
    &[("p.total_investment", "projects_total_order"), ("p.updated_at", "projects_updated_order")];

/// The index that reads rows in the order of the sort expression `expr`, if there is one.
pub fn ordered_index(expr: &str) -> Option<&'static str> {
    ORDERED_INDEXES.iter().find(|(e, _)| *e == expr).map(|(_, name)| *name)
}

/// Whether to read down the sort's index: when the rows it passes over before the page is full
/// (`rows_needed` of the subtree, found among `everything` at the rate `matches / everything`)
/// cost less than sorting every match. An entry passed over costs about a third of a row sorted.
pub fn read_in_order(matches: i64, everything: i64, rows_needed: i64) -> bool {
    if matches <= 0 || everything <= 0 {
        return false;
    }
    let (m, e, n) = (matches as u128, everything as u128, rows_needed.max(PAGE_SIZE) as u128);
    n * e < 3 * m * m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_with_a_quarter_of_the_matches_reads_in_order_and_a_county_sorts_its_few() {
        // 长沙: 4,235 matches of 100,277 projects; fifty rows pass over ≈ 1,184 entries, against
        // 3 × 4,235 = 12,705 for the sort.
        assert!(read_in_order(4_235, 100_277, 50));
        // A county with 300 matches: ≈ 16,700 entries passed over against 900.
        assert!(!read_in_order(300, 100_277, 50));
        // Boundary: 50 × 300 = 15,000 against 3 × 100² = 30,000, and 3 × 70² = 14,700.
        assert!(read_in_order(100, 300, 50));
        assert!(!read_in_order(70, 300, 50));
    }

    #[test]
    fn a_page_reached_by_number_needs_the_rows_before_it_too() {
        // Page 40 by number: 2,000 rows needed, ≈ 47,400 entries passed over against 12,705.
        assert!(!read_in_order(4_235, 100_277, 2_000));
    }

    #[test]
    fn nothing_matching_or_nothing_at_all_sorts() {
        assert!(!read_in_order(0, 100_277, 50));
        assert!(!read_in_order(10, 0, 50));
        // The largest figures multiply without overflow: MAX² < 3 × MAX² both fit in 128 bits.
        assert!(read_in_order(i64::MAX, i64::MAX, i64::MAX));
    }

    #[test]
    fn only_sorts_with_an_index_in_their_order_qualify() {
        assert_eq!(ordered_index("p.total_investment"), Some("projects_total_order"));
        assert_eq!(ordered_index("g.path"), None);
    }
}
