//! The composite score that ranks units (the 14 市州, or the parks): each weighted indicator is
//! scaled so the best unit gets 100 points, and the score is the weighted mean of the points.

use super::indicators::{Facts, def, value};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub facts: Facts,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Ranked {
    pub code: String,
    pub name: String,
    /// (indicator, value, points) for every weighted indicator, in the weights' order.
    pub parts: Vec<(String, Option<f64>, f64)>,
    pub score: f64,
    /// 1-based; units with the same score share a rank ("1, 2, 2, 4").
    pub rank: usize,
    pub facts: Facts,
}

/// Points for one value against the unit set's best: 100 for the best; an undefined value gets 0.
pub fn points(v: Option<f64>, all: &[Option<f64>], higher_is_better: bool) -> f64 {
    let Some(v) = v else { return 0.0 };
    let known = all.iter().flatten().copied();
    if higher_is_better {
        let best = known.fold(f64::MIN, f64::max);
        if best > 0.0 && v > 0.0 { (v / best * 100.0).min(100.0) } else { 0.0 }
    } else {
        let best = known.filter(|x| *x > 0.0).fold(f64::MAX, f64::min);
        if v > 0.0 && best < f64::MAX { (best / v * 100.0).min(100.0) } else { 0.0 }
    }
}

/// Ranks units by the weighted mean of their points; weights of zero (or unknown indicators) are ignored.
pub fn rank(units: &[Unit], weights: &[(String, i64)]) -> Vec<Ranked> {
    let weighted: Vec<(&str, i64, bool)> = weights
        .iter()
        .filter(|(_, w)| *w > 0)
        .filter_map(|(c, w)| def(c).map(|d| (d.code, *w, d.higher_is_better)))
        .collect();
    let total_weight: i64 = weighted.iter().map(|(_, w, _)| w).sum();
    let columns: Vec<Vec<Option<f64>>> =
        weighted.iter().map(|(c, _, _)| units.iter().map(|u| value(c, &u.facts)).collect()).collect();
    let mut out: Vec<Ranked> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let parts: Vec<(String, Option<f64>, f64)> = weighted
                .iter()
                .zip(&columns)
                .map(|((c, _, higher), col)| (c.to_string(), col[i], points(col[i], col, *higher)))
                .collect();
            let sum: f64 = parts.iter().zip(&weighted).map(|((_, _, p), (_, w, _))| p * *w as f64).sum();
            let score = if total_weight > 0 { sum / total_weight as f64 } else { 0.0 };
            Ranked { code: u.code.clone(), name: u.name.clone(), parts, score, rank: 0, facts: u.facts }
        })
        .collect();
    // Scores are compared at the precision shown (two decimals), so a published tie is a real tie.
    let key = |s: f64| (s * 100.0).round() as i64;
    out.sort_by(|a, b| key(b.score).cmp(&key(a.score)).then_with(|| a.code.cmp(&b.code)));
    for i in 0..out.len() {
        out[i].rank = if i > 0 && key(out[i].score) == key(out[i - 1].score) { out[i - 1].rank } else { i + 1 };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const YI: i64 = 10_000_000_000;

    fn unit(code: &str, signed_amount: i64, funds: i64, due: i64, started: i64) -> Unit {
        Unit {
            code: code.into(),
            name: code.into(),
            facts: Facts {
                signed_amount: signed_amount * YI,
                funds_of_signed: funds * YI,
                due_to_start: due,
                started,
                ..Default::default()
            },
        }
    }

    fn w(v: &[(&str, i64)]) -> Vec<(String, i64)> {
        v.iter().map(|(c, n)| (c.to_string(), *n)).collect()
    }

    #[test]
    fn the_best_unit_gets_100_points_and_the_score_is_the_weighted_mean() {
        // 资金到位率: A 50%, B 25%, C —; 开工率: A 50%, B 100%, C 0%.
        let units = [unit("A", 100, 50, 4, 2), unit("B", 100, 25, 2, 2), unit("C", 0, 0, 3, 0)];
        let r = rank(&units, &w(&[("funds_rate", 3), ("start_rate", 1)]));
        // A: (3×100 + 1×50) / 4 = 87.5; B: (3×50 + 1×100) / 4 = 62.5; C: 0.
        assert_eq!(
            r.iter().map(|x| (x.code.as_str(), x.score, x.rank)).collect::<Vec<_>>(),
            [("A", 87.5, 1), ("B", 62.5, 2), ("C", 0.0, 3)]
        );
        assert_eq!(r[2].parts[0], ("funds_rate".to_string(), None, 0.0), "an undefined rate earns nothing");
    }

    #[test]
    fn equal_scores_share_a_rank() {
        let units = [unit("A", 10, 5, 1, 1), unit("B", 20, 10, 1, 1), unit("C", 10, 1, 1, 1)];
        let r = rank(&units, &w(&[("funds_rate", 1)]));
        assert_eq!(r.iter().map(|x| x.rank).collect::<Vec<_>>(), [1, 1, 3]);
        assert_eq!((r[0].code.as_str(), r[1].code.as_str()), ("A", "B"), "ties in code order");
    }

    #[test]
    fn zero_or_unknown_weights_are_ignored_and_no_weights_score_nothing() {
        let units = [unit("A", 10, 5, 1, 1)];
        assert_eq!(rank(&units, &w(&[("funds_rate", 0), ("nonsense", 5)]))[0].score, 0.0);
        assert!(rank(&units, &w(&[("funds_rate", 0)]))[0].parts.is_empty());
    }

    #[test]
    fn lower_is_better_points_favour_the_smallest_positive_value() {
        assert_eq!(points(Some(10.0), &[Some(10.0), Some(20.0), None], false), 100.0);
        assert_eq!(points(Some(20.0), &[Some(10.0), Some(20.0), None], false), 50.0);
        assert_eq!(points(None, &[Some(10.0)], false), 0.0);
    }
}
