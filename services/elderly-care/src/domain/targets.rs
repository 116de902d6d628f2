//! Progress against the notice's targets: home care beds, rehabilitation stations and public-area
//! retrofits counted by the year they were established or completed, and service-centre coverage
//! of the named townships. The targets themselves are reference data.

use serde::Serialize;

/// One target and how far the year got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// What is counted, e.g. `home_care_beds`.
    pub measure: String,
    /// The target in force; absent when none is set.
    pub target: Option<i64>,
    /// Achieved so far.
    pub achieved: i64,
    /// Still to do (0 once met); absent without a target.
    pub remaining: Option<i64>,
    /// Achieved in per mille (‰) of the target, rounded down; absent without a positive target.
    pub per_mille: Option<i64>,
    /// Whether the target is met.
    pub met: bool,
}

/// Progress of `achieved` against `target`.
pub fn progress(measure: &str, target: Option<i64>, achieved: i64) -> Progress {
    Progress {
        measure: measure.to_owned(),
        target,
        achieved,
        remaining: target.map(|t| (t - achieved).max(0)),
        per_mille: target.filter(|t| *t > 0).map(|t| achieved * 1000 / t),
        met: target.is_some_and(|t| achieved >= t),
    }
}

/// Service-centre coverage of one township that has a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CentreCoverage {
    /// Township code.
    pub township_code: String,
    /// Township name.
    pub township_name: String,
    /// Centres required.
    pub target: i64,
    /// Centres operating.
    pub operating: i64,
    /// Whether the township is covered.
    pub covered: bool,
}

/// Coverage of one township.
pub fn centre_coverage(code: &str, name: &str, target: i64, operating: i64) -> CentreCoverage {
    CentreCoverage {
        township_code: code.to_owned(),
        township_name: name.to_owned(),
        target,
        operating,
        covered: operating >= target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reports_remaining_share_and_whether_met() {
        let cases = [
            (Some(200), 0, Some(200), Some(0), false),
            (Some(200), 150, Some(50), Some(750), false),
            (Some(200), 200, Some(0), Some(1000), true),
            (Some(12), 13, Some(0), Some(1083), true),
            (Some(0), 0, Some(0), None, true),
            (None, 5, None, None, false),
        ];
        for (target, achieved, remaining, per_mille, met) in cases {
            let p = progress("m", target, achieved);
            assert_eq!(
                (p.remaining, p.per_mille, p.met),
                (remaining, per_mille, met),
                "{target:?} {achieved}"
            );
        }
    }

    #[test]
    fn a_township_is_covered_when_enough_centres_operate() {
        assert!(!centre_coverage("500112142", "石船镇", 1, 0).covered);
        assert!(centre_coverage("500112142", "石船镇", 1, 1).covered);
    }
}
