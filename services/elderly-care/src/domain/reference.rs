//! Effective-dated reference data: every interval, threshold and target of elderly care is a value
//! with a `valid_from` date (and, for per-township targets, a township scope), never a constant in
//! code — the bureau sets next year's targets and corrects intervals as data.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A parameter the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Parameter {
    /// Months between dispersed-support visits (分散特困探访); default 1.
    #[serde(rename = "visit.dispersed_support.interval_months")]
    DispersedSupportVisitIntervalMonths,
    /// Months between visits to left-behind rural elderly; default 1.
    #[serde(rename = "visit.left_behind.interval_months")]
    LeftBehindVisitIntervalMonths,
    /// Days after a due date before a visit counts as missed; default 0.
    #[serde(rename = "visit.overdue_grace_days")]
    VisitOverdueGraceDays,
    /// Age from which a person is elderly (老年人, 60 周岁); gates home care beds and the register of
    /// left-behind elderly.
    #[serde(rename = "elderly.min_age_years")]
    ElderlyMinAgeYears,
    /// Lowest capability-assessment level (0 intact … 4 complete impairment) that qualifies for a
    /// home care bed; default 1 (mild impairment).
    #[serde(rename = "home_bed.min_capability_level")]
    HomeBedMinCapabilityLevel,
    /// Home care beds (家庭养老床位) to establish in the year; 2022: 200.
    #[serde(rename = "target.home_care_beds")]
    TargetHomeCareBeds,
    /// Chronic-disease rehabilitation stations to open in the year; 2022: 28.
    #[serde(rename = "target.rehab_stations")]
    TargetRehabStations,
    /// Public-area age-friendly retrofits (适老化改造) to complete in the year; 2022: 12.
    #[serde(rename = "target.age_friendly_retrofits")]
    TargetAgeFriendlyRetrofits,
    /// Township elderly service centres a township must have operating (scoped by township);
    /// 2022: 1 each in 石船镇, 玉峰山镇, 统景镇.
    #[serde(rename = "target.service_centres")]
    TargetServiceCentres,
}

impl Parameter {
    /// Every parameter.
    pub const ALL: [Parameter; 9] = [
        Parameter::DispersedSupportVisitIntervalMonths,
        Parameter::LeftBehindVisitIntervalMonths,
        Parameter::VisitOverdueGraceDays,
        Parameter::ElderlyMinAgeYears,
        Parameter::HomeBedMinCapabilityLevel,
        Parameter::TargetHomeCareBeds,
        Parameter::TargetRehabStations,
        Parameter::TargetAgeFriendlyRetrofits,
        Parameter::TargetServiceCentres,
    ];

    /// The stored key, e.g. `target.home_care_beds`.
    pub fn key(self) -> &'static str {
        match self {
            Parameter::DispersedSupportVisitIntervalMonths => {
                "visit.dispersed_support.interval_months"
            }
            Parameter::LeftBehindVisitIntervalMonths => "visit.left_behind.interval_months",
            Parameter::VisitOverdueGraceDays => "visit.overdue_grace_days",
            Parameter::ElderlyMinAgeYears => "elderly.min_age_years",
            Parameter::HomeBedMinCapabilityLevel => "home_bed.min_capability_level",
            Parameter::TargetHomeCareBeds => "target.home_care_beds",
            Parameter::TargetRehabStations => "target.rehab_stations",
            Parameter::TargetAgeFriendlyRetrofits => "target.age_friendly_retrofits",
            Parameter::TargetServiceCentres => "target.service_centres",
        }
    }

    /// The parameter stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    /// Whether values are set per township (scope = township code) rather than district-wide.
    pub fn per_township(self) -> bool {
        self == Parameter::TargetServiceCentres
    }

    /// The values a parameter may take.
    pub fn accepts(self, value: i64) -> bool {
        match self {
            Parameter::DispersedSupportVisitIntervalMonths
            | Parameter::LeftBehindVisitIntervalMonths => (1..=12).contains(&value),
            Parameter::VisitOverdueGraceDays => (0..=31).contains(&value),
            Parameter::ElderlyMinAgeYears => (50..=80).contains(&value),
            Parameter::HomeBedMinCapabilityLevel => (0..=4).contains(&value),
            _ => value >= 0,
        }
    }
}

/// One value and the first day it applies (until the next value's `from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effective {
    /// First day in force.
    pub from: NaiveDate,
    /// The value.
    pub value: i64,
}

/// The value in force on `on`: the entry with the latest `from` on or before it.
pub fn in_force(entries: &[Effective], on: NaiveDate) -> Option<i64> {
    entries
        .iter()
        .filter(|e| e.from <= on)
        .max_by_key(|e| e.from)
        .map(|e| e.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_latest_value_starting_on_or_before_the_date_is_in_force() {
        let entries = [
            Effective {
                from: d("2023-01-01"),
                value: 250,
            },
            Effective {
                from: d("2022-01-01"),
                value: 200,
            },
        ];
        let cases = [
            ("2021-12-31", None),
            ("2022-01-01", Some(200)),
            ("2022-12-31", Some(200)),
            ("2023-01-01", Some(250)),
            ("2030-06-01", Some(250)),
        ];
        for (on, value) in cases {
            assert_eq!(in_force(&entries, d(on)), value, "{on}");
        }
    }

    #[test]
    fn keys_round_trip_and_only_service_centres_are_per_township() {
        for p in Parameter::ALL {
            assert_eq!(Parameter::from_key(p.key()), Some(p));
            assert_eq!(
                serde_json::to_value(p).unwrap().as_str(),
                Some(p.key()),
                "serde name of {p:?}"
            );
            assert_eq!(p.per_township(), p == Parameter::TargetServiceCentres);
        }
        assert_eq!(Parameter::from_key("target.unknown"), None);
    }

    #[test]
    fn values_outside_a_parameters_range_are_not_accepted() {
        let cases = [
            (Parameter::DispersedSupportVisitIntervalMonths, 0, false),
            (Parameter::DispersedSupportVisitIntervalMonths, 1, true),
            (Parameter::DispersedSupportVisitIntervalMonths, 13, false),
            (Parameter::VisitOverdueGraceDays, -1, false),
            (Parameter::HomeBedMinCapabilityLevel, 5, false),
            (Parameter::TargetHomeCareBeds, -1, false),
            (Parameter::TargetHomeCareBeds, 200, true),
        ];
        for (p, v, ok) in cases {
            assert_eq!(p.accepts(v), ok, "{p:?} {v}");
        }
    }
}
