//! Effective-dated reference data: subsidy standards by subsidy and level, and the rule
//! parameters (back-pay limit, reminder lead time, finding due days…). The store loads them from
//! tables seeded by a migration; a month is always computed with the values in force on its first
//! day, so a standard raised in January never changes what December paid.

use chrono::NaiveDate;
use contracts::{common::Month, disability::SubsidyKind};

use super::money::Fen;

/// One row of the standards table: the monthly amount of a subsidy (for one level, or any level)
/// from `valid_from` until the next row of the same subsidy and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standard {
    pub kind: SubsidyKind,
    /// `None`: every level.
    pub level: Option<u8>,
    pub valid_from: NaiveDate,
    pub monthly: Fen,
    /// A value seeded as a stand-in because the real figure was not found.
    pub placeholder: bool,
}

/// The standards table.
#[derive(Debug, Clone, Default)]
pub struct Standards(Vec<Standard>);

impl Standards {
    /// A table from rows in any order.
    pub fn new(rows: Vec<Standard>) -> Self {
        Self(rows)
    }

    /// The standard in force on the first day of `month` for a subsidy at a level: the latest
    /// row starting on or before that day; a row for the exact level wins over an any-level row
    /// of the same date.
    pub fn for_month(&self, kind: SubsidyKind, level: u8, month: Month) -> Option<&Standard> {
        let day = month.first_day()?;
        self.0
            .iter()
            .filter(|s| s.kind == kind && s.level.is_none_or(|l| l == level) && s.valid_from <= day)
            .max_by_key(|s| (s.valid_from, s.level.is_some()))
    }
}

/// Names of the rule parameters in the parameters table.
pub mod names {
    pub const BACK_PAY_MAX_MONTHS: &str = "back_pay_max_months";
    pub const EXPIRY_REMINDER_MONTHS: &str = "expiry_reminder_months";
    pub const FINDING_DUE_DAYS: &str = "finding_due_days";
    pub const SHARED_ACCOUNT_MIN_PEOPLE: &str = "shared_account_min_people";
    pub const NURSING_MAX_LEVEL: &str = "nursing_max_level";
    pub const NURSING_LEVEL3_INTELLECTUAL_MENTAL: &str = "nursing_level3_intellectual_mental";
    pub const COMPARISON_LOOKBACK_MONTHS: &str = "comparison_lookback_months";
}

/// One row of the parameters table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    pub valid_from: NaiveDate,
    pub value: i64,
}

/// The rule parameters in force on one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Back-pay reaches at most this many months before the month of application (3).
    pub back_pay_max_months: i64,
    /// Remind the holder this many months before the certificate expires (6).
    pub expiry_reminder_months: i64,
    /// Days the township has to settle a comparison finding.
    pub finding_due_days: i64,
    /// An account paying this many people or more is a finding.
    pub shared_account_min_people: i64,
    /// Highest (least severe) level that qualifies for the nursing subsidy (2).
    pub nursing_max_level: u8,
    /// Whether level 3 intellectual or mental disability also qualifies (not in Chongqing: false).
    pub nursing_level3_intellectual_mental: bool,
    /// How many months back the comparison looks at paid lines.
    pub comparison_lookback_months: i64,
}

/// A parameter without a value in force on the date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no value of `{name}` is in force on {date}")]
pub struct NotInForce {
    pub name: &'static str,
    pub date: NaiveDate,
}

impl Rules {
    /// The parameters in force on `date`.
    pub fn at(rows: &[Parameter], date: NaiveDate) -> Result<Self, NotInForce> {
        let get = |name: &'static str| {
            rows.iter()
                .filter(|p| p.name == name && p.valid_from <= date)
                .max_by_key(|p| p.valid_from)
                .map(|p| p.value)
                .ok_or(NotInForce { name, date })
        };
        Ok(Self {
            back_pay_max_months: get(names::BACK_PAY_MAX_MONTHS)?,
            expiry_reminder_months: get(names::EXPIRY_REMINDER_MONTHS)?,
            finding_due_days: get(names::FINDING_DUE_DAYS)?,
            shared_account_min_people: get(names::SHARED_ACCOUNT_MIN_PEOPLE)?,
            nursing_max_level: u8::try_from(get(names::NURSING_MAX_LEVEL)?).unwrap_or(0),
            nursing_level3_intellectual_mental: get(names::NURSING_LEVEL3_INTELLECTUAL_MENTAL)?
                != 0,
            comparison_lookback_months: get(names::COMPARISON_LOOKBACK_MONTHS)?,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub fn month(s: &str) -> Month {
        s.parse().unwrap()
    }

    /// The seed of the migration: 2022 placeholders, the 2026-01 Chongqing values.
    pub fn seeded() -> Standards {
        let row = |kind, level, valid_from, yuan, placeholder| Standard {
            kind,
            level,
            valid_from,
            monthly: Fen::from_yuan(yuan),
            placeholder,
        };
        Standards::new(vec![
            row(SubsidyKind::Living, None, date(2022, 1, 1), 90, true),
            row(SubsidyKind::Nursing, Some(1), date(2022, 1, 1), 100, true),
            row(SubsidyKind::Nursing, Some(2), date(2022, 1, 1), 90, true),
            row(SubsidyKind::Living, None, date(2026, 1, 1), 100, false),
            row(SubsidyKind::Nursing, Some(1), date(2026, 1, 1), 110, false),
            row(SubsidyKind::Nursing, Some(2), date(2026, 1, 1), 100, false),
        ])
    }

    pub fn rules() -> Rules {
        Rules {
            back_pay_max_months: 3,
            expiry_reminder_months: 6,
            finding_due_days: 30,
            shared_account_min_people: 3,
            nursing_max_level: 2,
            nursing_level3_intellectual_mental: false,
            comparison_lookback_months: 12,
        }
    }

    #[test]
    fn amounts_follow_the_standard_in_force_each_month_across_a_mid_year_change() {
        let mut standards = seeded();
        // A mid-year raise of the living subsidy from July 2026.
        standards.0.push(Standard {
            kind: SubsidyKind::Living,
            level: None,
            valid_from: date(2026, 7, 1),
            monthly: Fen::from_yuan(105),
            placeholder: false,
        });
        let cases = [
            (SubsidyKind::Living, 1, "2022-04", 9_000, true),
            (SubsidyKind::Living, 3, "2025-12", 9_000, true),
            (SubsidyKind::Living, 3, "2026-01", 10_000, false),
            (SubsidyKind::Living, 4, "2026-06", 10_000, false),
            (SubsidyKind::Living, 4, "2026-07", 10_500, false),
            (SubsidyKind::Nursing, 1, "2025-12", 10_000, true),
            (SubsidyKind::Nursing, 1, "2026-01", 11_000, false),
            (SubsidyKind::Nursing, 2, "2025-12", 9_000, true),
            (SubsidyKind::Nursing, 2, "2026-07", 10_000, false),
        ];
        for (kind, level, m, fen, placeholder) in cases {
            let s = standards.for_month(kind, level, month(m)).unwrap();
            assert_eq!(
                (s.monthly, s.placeholder),
                (Fen(fen), placeholder),
                "{kind:?} level {level} {m}"
            );
        }
    }

    #[test]
    fn no_standard_before_the_first_row_and_none_for_a_level_without_one() {
        let standards = seeded();
        assert!(
            standards
                .for_month(SubsidyKind::Living, 1, month("2021-12"))
                .is_none()
        );
        assert!(
            standards
                .for_month(SubsidyKind::Nursing, 3, month("2026-03"))
                .is_none()
        );
    }

    #[test]
    fn parameters_take_the_latest_value_in_force_and_name_a_missing_one() {
        let p = |name: &str, from, value| Parameter {
            name: name.into(),
            valid_from: from,
            value,
        };
        let mut rows: Vec<Parameter> = [
            names::BACK_PAY_MAX_MONTHS,
            names::EXPIRY_REMINDER_MONTHS,
            names::FINDING_DUE_DAYS,
            names::SHARED_ACCOUNT_MIN_PEOPLE,
            names::NURSING_MAX_LEVEL,
            names::NURSING_LEVEL3_INTELLECTUAL_MENTAL,
            names::COMPARISON_LOOKBACK_MONTHS,
        ]
        .into_iter()
        .map(|n| p(n, date(2022, 1, 1), 2))
        .collect();
        rows.push(p(names::BACK_PAY_MAX_MONTHS, date(2024, 1, 1), 6));
        assert_eq!(
            Rules::at(&rows, date(2023, 5, 1))
                .unwrap()
                .back_pay_max_months,
            2
        );
        assert_eq!(
            Rules::at(&rows, date(2024, 5, 1))
                .unwrap()
                .back_pay_max_months,
            6
        );
        let err = Rules::at(&rows, date(2021, 5, 1)).unwrap_err();
        assert_eq!(err.name, names::BACK_PAY_MAX_MONTHS);
    }
}
