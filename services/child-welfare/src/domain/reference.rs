//! Effective-dated reference data: every amount, term and threshold of the child-welfare rules is
//! a named value with a `valid_from` date (a March payment uses March's standard). Standards rise
//! by the natural-growth rule: a per-mille increase applied from a date, rounded up to whole yuan.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    category::{CareMode, Category},
    eligibility::Thresholds,
    entitlement::AgeRules,
};

/// Names of the reference values.
pub mod names {
    pub const STANDARD_ORPHAN_INSTITUTIONAL: &str = "standard.orphan.institutional_fen";
    pub const STANDARD_ORPHAN_FAMILY_BASED: &str = "standard.orphan.family_based_fen";
    pub const ADULTHOOD_YEARS: &str = "age.adulthood_years";
    pub const EDUCATION_MAX_YEARS: &str = "age.education_max_years";
    pub const IMPRISONMENT_MIN_MONTHS: &str = "term.imprisonment_min_months";
    pub const COMPULSORY_DETOX_MIN_MONTHS: &str = "term.compulsory_detox_min_months";
    pub const DEPRIVED_OF_LIBERTY_MIN_MONTHS: &str = "term.deprived_of_liberty_min_months";
    pub const OUT_OF_CONTACT_MIN_MONTHS: &str = "term.out_of_contact_min_months";
    pub const SEVERE_MAX_LEVEL_ANY: &str = "disability.severe_max_level_any";
    pub const SEVERE_MAX_LEVEL_MIND: &str = "disability.severe_max_level_intellectual_mental";
    pub const FUCAI_DREAM_ANNUAL: &str = "programme.fucai_dream_education.annual_fen";
}

/// Which standard pays a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standard {
    /// 集中养育孤儿基本生活费.
    OrphanInstitutional,
    /// 社会散居孤儿基本生活费.
    OrphanFamilyBased,
}

impl Standard {
    /// The reference value holding the standard.
    pub fn name(self) -> &'static str {
        match self {
            Standard::OrphanInstitutional => names::STANDARD_ORPHAN_INSTITUTIONAL,
            Standard::OrphanFamilyBased => names::STANDARD_ORPHAN_FAMILY_BASED,
        }
    }

    /// The standard for a category and care mode: orphans (HIV-infected children included) by
    /// care mode; de facto unsupported children follow the family-based orphan standard.
    pub fn for_child(category: Category, care_mode: CareMode) -> Standard {
        match (category, care_mode) {
            (Category::DeFactoUnsupported, _) | (_, CareMode::FamilyBased) => {
                Standard::OrphanFamilyBased
            }
            (_, CareMode::Institutional) => Standard::OrphanInstitutional,
        }
    }
}

/// A value missing for a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no value of `{name}` is in force on {date}")]
pub struct NotInForce {
    pub name: String,
    pub date: NaiveDate,
}

/// Every reference value with its history.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    values: BTreeMap<String, BTreeMap<NaiveDate, i64>>,
}

impl Reference {
    /// From rows `(name, valid_from, value)` in any order.
    pub fn new(rows: impl IntoIterator<Item = (String, NaiveDate, i64)>) -> Self {
        let mut values: BTreeMap<String, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
        for (name, from, value) in rows {
            values.entry(name).or_default().insert(from, value);
        }
        Self { values }
    }

    /// The value of `name` in force on `date`, if any.
    pub fn optional(&self, name: &str, date: NaiveDate) -> Option<i64> {
        self.values
            .get(name)?
            .range(..=date)
            .next_back()
            .map(|(_, v)| *v)
    }

    /// The value of `name` in force on `date`.
    pub fn at(&self, name: &str, date: NaiveDate) -> Result<i64, NotInForce> {
        self.optional(name, date).ok_or_else(|| NotInForce {
            name: name.to_owned(),
            date,
        })
    }

    fn small<T: TryFrom<i64>>(&self, name: &str, date: NaiveDate) -> Result<T, NotInForce> {
        T::try_from(self.at(name, date)?).map_err(|_| NotInForce {
            name: name.to_owned(),
            date,
        })
    }

    /// The predicate's thresholds on `date`.
    pub fn thresholds(&self, date: NaiveDate) -> Result<Thresholds, NotInForce> {
        Ok(Thresholds {
            imprisonment_min_months: self.small(names::IMPRISONMENT_MIN_MONTHS, date)?,
            compulsory_detox_min_months: self.small(names::COMPULSORY_DETOX_MIN_MONTHS, date)?,
            deprived_of_liberty_min_months: self
                .small(names::DEPRIVED_OF_LIBERTY_MIN_MONTHS, date)?,
            out_of_contact_min_months: self.small(names::OUT_OF_CONTACT_MIN_MONTHS, date)?,
            severe_max_level_any: self.small(names::SEVERE_MAX_LEVEL_ANY, date)?,
            severe_max_level_intellectual_mental: self.small(names::SEVERE_MAX_LEVEL_MIND, date)?,
        })
    }

    /// The age rules on `date`.
    pub fn age_rules(&self, date: NaiveDate) -> Result<AgeRules, NotInForce> {
        Ok(AgeRules {
            adulthood_years: self.small(names::ADULTHOOD_YEARS, date)?,
            education_max_years: self
                .optional(names::EDUCATION_MAX_YEARS, date)
                .and_then(|v| u32::try_from(v).ok()),
        })
    }

    /// The monthly amount in fen of a standard on `date`.
    pub fn standard(&self, standard: Standard, date: NaiveDate) -> Result<i64, NotInForce> {
        self.at(standard.name(), date)
    }
}

/// The natural-growth rule: `amount` raised by `per_mille` ‰, rounded up to a whole yuan.
pub fn grown(amount_fen: i64, per_mille: i64) -> i64 {
    let raised = amount_fen * (1000 + per_mille);
    let fen = raised.div_euclid(1000) + i64::from(raised.rem_euclid(1000) != 0);
    fen.div_euclid(100) * 100 + if fen.rem_euclid(100) == 0 { 0 } else { 100 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_value_applies_from_its_date_until_the_next() {
        let r = Reference::new([
            (
                names::STANDARD_ORPHAN_FAMILY_BASED.into(),
                d(2022, 1, 1),
                120_000,
            ),
            (
                names::STANDARD_ORPHAN_FAMILY_BASED.into(),
                d(2023, 7, 1),
                126_000,
            ),
        ]);
        let s = Standard::OrphanFamilyBased;
        assert!(r.standard(s, d(2021, 12, 31)).is_err());
        assert_eq!(r.standard(s, d(2022, 1, 1)), Ok(120_000));
        assert_eq!(r.standard(s, d(2023, 6, 30)), Ok(120_000));
        assert_eq!(r.standard(s, d(2023, 7, 1)), Ok(126_000));
    }

    #[test]
    fn de_facto_unsupported_children_follow_the_family_based_orphan_standard() {
        use CareMode::*;
        use Category::*;
        for (category, mode, expected) in [
            (Orphan, Institutional, Standard::OrphanInstitutional),
            (Orphan, FamilyBased, Standard::OrphanFamilyBased),
            (HivInfected, Institutional, Standard::OrphanInstitutional),
            (HivInfected, FamilyBased, Standard::OrphanFamilyBased),
            (
                DeFactoUnsupported,
                Institutional,
                Standard::OrphanFamilyBased,
            ),
            (DeFactoUnsupported, FamilyBased, Standard::OrphanFamilyBased),
        ] {
            assert_eq!(Standard::for_child(category, mode), expected);
        }
    }

    #[test]
    fn natural_growth_rounds_up_to_whole_yuan() {
        assert_eq!(grown(120_000, 50), 126_000);
        assert_eq!(grown(120_000, 33), 124_000);
        assert_eq!(grown(160_000, 0), 160_000);
        assert_eq!(grown(99_950, 1), 100_100);
    }

    #[test]
    fn an_unset_education_maximum_means_no_cap() {
        let r = Reference::new([(names::ADULTHOOD_YEARS.into(), d(2022, 1, 1), 18)]);
        assert_eq!(
            r.age_rules(d(2026, 1, 1)),
            Ok(AgeRules {
                adulthood_years: 18,
                education_max_years: None
            })
        );
    }
}
