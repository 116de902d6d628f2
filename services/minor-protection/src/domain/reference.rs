//! Effective-dated reference data: every time limit and threshold of the protection rules is a
//! value with a `valid_from` date (seeded by a migration, corrected by the district as data), never
//! a constant in code. A date is answered with the values in force on it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::level::Level;

/// A parameter of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Param {
    /// Calendar days a level has to handle a supervised (督办) matter before it goes one level up.
    SupervisionDays(Level),
    /// Calendar days between a child director's visits to a left-behind child.
    VisitCadenceDays,
    /// Calendar days between reviews of a fallback guardianship (兜底监护).
    GuardianshipReviewDays,
    /// Minimum months of imprisonment, compulsory detox or other deprivation of liberty that
    /// counts towards the de facto unsupported conditions.
    LibertyMinMonths,
    /// Minimum months out of contact (失联), counted from the police's acceptance of the report.
    OutOfContactMinMonths,
    /// Age at which a person is no longer a minor.
    AdultAge,
}

impl Param {
    /// Every parameter, for listing and for checking the seed is complete.
    pub const ALL: [Param; 8] = [
        Param::SupervisionDays(Level::Village),
        Param::SupervisionDays(Level::Township),
        Param::SupervisionDays(Level::District),
        Param::VisitCadenceDays,
        Param::GuardianshipReviewDays,
        Param::LibertyMinMonths,
        Param::OutOfContactMinMonths,
        Param::AdultAge,
    ];

    /// The parameter's name in the reference table.
    pub fn name(self) -> &'static str {
        match self {
            Param::SupervisionDays(Level::Village) => "supervision_days_village",
            Param::SupervisionDays(Level::Township) => "supervision_days_township",
            Param::SupervisionDays(Level::District) => "supervision_days_district",
            Param::VisitCadenceDays => "visit_cadence_days",
            Param::GuardianshipReviewDays => "guardianship_review_days",
            Param::LibertyMinMonths => "liberty_min_months",
            Param::OutOfContactMinMonths => "out_of_contact_min_months",
            Param::AdultAge => "adult_age",
        }
    }

    /// The parameter named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether `value` is a sensible value of the parameter (all are positive counts).
    pub fn accepts(self, value: i64) -> bool {
        match self {
            Param::AdultAge => (14..=25).contains(&value),
            _ => (1..=3650).contains(&value),
        }
    }
}

/// Why reference data cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no value of `{parameter}` is in force on {date}")]
pub struct NotInForce {
    /// Parameter name.
    pub parameter: &'static str,
    /// The date asked about.
    pub date: NaiveDate,
}

/// The reference table as read: every value of every parameter with its start date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reference {
    values: BTreeMap<&'static str, BTreeMap<NaiveDate, i64>>,
}

impl Reference {
    /// Builds from `(name, valid_from, value)` rows; rows of unknown parameters are ignored.
    pub fn new<'a>(rows: impl IntoIterator<Item = (&'a str, NaiveDate, i64)>) -> Self {
        let mut values: BTreeMap<&'static str, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
        for (name, from, value) in rows {
            if let Some(p) = Param::parse(name) {
                values.entry(p.name()).or_default().insert(from, value);
            }
        }
        Self { values }
    }

    /// The value of `param` in force on `date`: the latest entry starting on or before it.
    pub fn value(&self, param: Param, date: NaiveDate) -> Result<i64, NotInForce> {
        self.values
            .get(param.name())
            .and_then(|t| t.range(..=date).next_back())
            .map(|(_, v)| *v)
            .ok_or(NotInForce {
                parameter: param.name(),
                date,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_value_in_force_is_the_latest_started_on_or_before_the_date() {
        let r = Reference::new([
            ("visit_cadence_days", d("2022-01-01"), 30),
            ("visit_cadence_days", d("2023-07-01"), 15),
            ("not_a_parameter", d("2022-01-01"), 1),
        ]);
        let table = [
            ("2021-12-31", None),
            ("2022-01-01", Some(30)),
            ("2023-06-30", Some(30)),
            ("2023-07-01", Some(15)),
            ("2030-01-01", Some(15)),
        ];
        for (date, expected) in table {
            assert_eq!(
                r.value(Param::VisitCadenceDays, d(date)).ok(),
                expected,
                "{date}"
            );
        }
        assert_eq!(
            r.value(Param::AdultAge, d("2022-05-01")),
            Err(NotInForce {
                parameter: "adult_age",
                date: d("2022-05-01")
            })
        );
    }

    #[test]
    fn every_parameter_has_a_distinct_name_that_parses_back() {
        for p in Param::ALL {
            assert_eq!(Param::parse(p.name()), Some(p));
        }
        assert!(Param::AdultAge.accepts(18) && !Param::AdultAge.accepts(0));
        assert!(!Param::VisitCadenceDays.accepts(0));
    }
}
