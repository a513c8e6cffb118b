//! Unit tests of list.rs.

use super::*;

#[test]
fn filters_become_sql_with_values_checked_first() {
    let f = Filter {
        q: Some("电池".into()),
        stage: Some("签约,开工".into()),
        min_total: Some("10亿".into()),
        signed_from: Some("2023-01-01".into()),
        source: Some("粤港澳大湾区".into()),
        ..Default::default()
    };
    let (sql, binds) = where_clause(&["/43/4301/".into()], None, &f).unwrap();
    assert!(sql.contains("p.stage IN ('signed', 'started')"), "{sql}");
    assert!(sql.contains("p.total_investment >= 100000000000"), "{sql}");
    assert!(sql.contains("p.actual_sign >= '2023-01-01'"), "{sql}");
    assert!(sql.contains("(p.sources & 4) <> 0"), "{sql}");
    assert!(sql.contains("p.region IN (SELECT code FROM regions WHERE path LIKE '/43/4301/%')"), "{sql}");
    assert_eq!(binds, ["%电池%"], "the subtree is written in, the free text bound");
}

#[test]
fn a_region_inside_the_scope_replaces_the_scope_test_and_one_outside_it_adds_to_it() {
    let scopes = ["/43/4301/".to_string(), "/43/4302/".to_string()];
    let f = Filter::default();
    let (sql, _) = where_clause(&scopes, Some("/43/4301/430104/"), &f).unwrap();
    assert_eq!(sql.matches("SELECT code FROM regions").count(), 1, "{sql}");
    assert!(sql.contains("LIKE '/43/4301/430104/%'"), "{sql}");
    // Outside every scope (the pages refuse it before): the scope still limits what is seen.
    let (sql, binds) = where_clause(&scopes, Some("/43/4303/"), &f).unwrap();
    assert_eq!(sql.matches("SELECT code FROM regions").count(), 3, "{sql}");
    for p in ["/43/4301/", "/43/4302/", "/43/4303/"] {
        assert!(sql.contains(&format!("LIKE '{p}%'")), "{sql}");
    }
    assert!(binds.is_empty());
    let (sql, _) = where_clause(&[], Some("/43/4303/"), &f).unwrap();
    assert!(sql.contains("1 = 0"), "no scope, nothing seen: {sql}");
}

#[test]
fn a_path_that_is_not_digits_and_slashes_is_bound_never_written_in() {
    let (sql, binds) = where_clause(&["/43/' OR 1=1 --/".into()], None, &Filter::default()).unwrap();
    assert!(!sql.contains("OR 1=1"), "{sql}");
    assert_eq!(binds, ["/43/' OR 1=1 --/%"]);
}

#[test]
fn bad_filter_values_are_all_named_and_never_reach_sql() {
    let f = Filter {
        stage: Some("x' OR 1=1".into()),
        min_total: Some("lots".into()),
        signed_from: Some("yesterday".into()),
        ..Default::default()
    };
    let Err(AppError::Invalid { fields, .. }) = where_clause(&[], None, &f) else { panic!() };
    let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["stage", "min_total", "signed_from"]);
}

#[test]
fn sorting_accepts_only_known_columns() {
    assert!(order_by(Some("-total")).unwrap().contains("p.total_investment DESC"));
    assert!(order_by(Some("name; DROP TABLE projects")).is_err());
    assert_eq!(order_by(Some("")).unwrap(), order_by(None).unwrap(), "an empty sort is the default");
}
