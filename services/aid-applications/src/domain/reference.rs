//! Effective-dated reference data: every amount, ratio, time limit and threshold of the aid rules
//! is a value with a `from` date, never a constant in code, because standards rise every year and
//! a payment for March is computed with March's standard.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::household::{Residence, SevereFrom};
use super::money::{Fen, PerMille};
use super::programme::{CareLevel, SupportMode};
use super::property::PropertyLimits;

/// Why reference data cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// No value of the parameter was in force on the date (the date is before its first entry).
    #[error("no value of `{parameter}` is in force on {date}")]
    NotInForce {
        /// Parameter name, as in [`ParameterSet`].
        parameter: &'static str,
        /// The date asked about.
        date: NaiveDate,
    },
    /// Two entries of one timeline start on the same date.
    #[error("two values start on {0}")]
    DuplicateDate(NaiveDate),
}

/// One value of a parameter and the date from which it applies (until the next entry's date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effective<T> {
    /// First day the value applies.
    pub from: NaiveDate,
    /// The value.
    pub value: T,
}

/// The history of one parameter: entries ordered by `from`, at most one per date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Timeline<T>(Vec<Effective<T>>);

impl<T> Timeline<T> {
    /// A timeline from entries in any order; refuses two entries on one date.
    pub fn new(mut entries: Vec<Effective<T>>) -> Result<Self, ReferenceError> {
        entries.sort_by_key(|e| e.from);
        if let Some(w) = entries.windows(2).find(|w| w[0].from == w[1].from) {
            return Err(ReferenceError::DuplicateDate(w[0].from));
        }
        Ok(Self(entries))
    }

    /// A timeline with one value in force from `from` on.
    pub fn starting(from: NaiveDate, value: T) -> Self {
        Self(vec![Effective { from, value }])
    }

    /// Sets the value from `from` on (a new standard, or a correction of the entry on that date).
    pub fn set(&mut self, from: NaiveDate, value: T) {
        match self.0.binary_search_by_key(&from, |e| e.from) {
            Ok(i) => self.0[i].value = value,
            Err(i) => self.0.insert(i, Effective { from, value }),
        }
    }

    /// The value in force on `date`: the latest entry starting on or before it.
    pub fn at(&self, date: NaiveDate) -> Option<&T> {
        self.0
            .iter()
            .rev()
            .find(|e| e.from <= date)
            .map(|e| &e.value)
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> &[Effective<T>] {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Timeline<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = Vec::<Effective<T>>::deserialize(deserializer)?;
        Timeline::new(entries).map_err(serde::de::Error::custom)
    }
}

/// How an add-on (分类施保) amount is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddOnAmount {
    /// A fixed amount per person per month, by residence.
    Fixed {
        /// For urban households.
        urban: Fen,
        /// For rural households.
        rural: Fen,
    },
    /// A share of the household's dibao standard.
    ShareOfStandard(PerMille),
}

impl AddOnAmount {
    /// The monthly amount for one person.
    pub fn amount(self, residence: Residence, standard: Fen) -> Fen {
        match (self, residence) {
            (AddOnAmount::Fixed { urban, .. }, Residence::Urban) => urban,
            (AddOnAmount::Fixed { rural, .. }, Residence::Rural) => rural,
            (AddOnAmount::ShareOfStandard(ratio), _) => ratio.of(standard),
        }
    }
}

/// Whether a person who falls in several add-on categories gets each, or only the largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddOnStacking {
    /// Only the largest of the person's add-ons.
    Highest,
    /// Every add-on the person qualifies for.
    Sum,
}

/// Per-person add-ons (分类施保) paid on top of dibao and single-person dibao; `None` = not paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddOns {
    /// 重残 (level 1–2 certificate, or a declared severe disability).
    pub severe_disability: Option<AddOnAmount>,
    /// 重病.
    pub severe_illness: Option<AddOnAmount>,
    /// Aged `aged_from_age` or more.
    pub aged: Option<AddOnAmount>,
    /// Younger than `child_below_age`.
    pub child: Option<AddOnAmount>,
    /// Age from which the aged add-on applies (70).
    pub aged_from_age: u32,
    /// Age below which the child add-on applies (18).
    pub child_below_age: u32,
    /// One add-on per person or all of them.
    pub stacking: AddOnStacking,
}

/// Monthly care allowance (照料护理费) of extreme-poverty support, by self-care ability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareAllowance {
    /// 全自理.
    pub full_self_care: Fen,
    /// 半护理.
    pub partial_care: Fen,
    /// 全护理.
    pub full_care: Fen,
}

impl CareAllowance {
    /// The allowance for a care level.
    pub fn for_level(&self, level: CareLevel) -> Fen {
        match level {
            CareLevel::FullSelfCare => self.full_self_care,
            CareLevel::PartialCare => self.partial_care,
            CareLevel::FullCare => self.full_care,
        }
    }
}

/// Care allowances for both support modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareAllowances {
    /// 集中供养.
    pub institutional: CareAllowance,
    /// 分散供养.
    pub dispersed: CareAllowance,
}

impl CareAllowances {
    /// The allowance for a mode and care level.
    pub fn amount(&self, mode: SupportMode, level: CareLevel) -> Fen {
        match mode {
            SupportMode::Institutional => self.institutional.for_level(level),
            SupportMode::Dispersed => self.dispersed.for_level(level),
        }
    }
}

/// Why a household's income rose above the line; each reason may have its own gradual exit length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradualExitReason {
    /// A member found work.
    Employment,
    /// A member started a business or farming for the market.
    SelfEmployment,
    /// A member found work after graduating.
    GraduateEmployment,
    /// A hard-to-employ member was placed by the public employment service.
    PlacedByEmploymentService,
    /// A disabled member found work.
    DisabledMemberEmployed,
}

/// Gradual exit (渐退) length in months: a default and per-reason overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradualExitMonths {
    /// Months for a reason without an override.
    pub default: u32,
    /// Overrides by reason.
    pub by_reason: BTreeMap<GradualExitReason, u32>,
}

impl GradualExitMonths {
    /// Months of gradual exit for `reason`.
    pub fn months_for(&self, reason: GradualExitReason) -> u32 {
        self.by_reason.get(&reason).copied().unwrap_or(self.default)
    }
}

/// How single-person dibao (单人保) is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SinglePersonDibaoMode {
    /// A fixed monthly amount, by residence.
    FixedAmount {
        /// For urban households.
        urban: Fen,
        /// For rural households.
        rural: Fen,
    },
    /// 补差 of a household of one: the standard less the person's own countable income.
    TopUpOfOne,
}

/// 重残 under the definitions aid applies (DOMAIN "Identity"; each programme has its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SevereDisability {
    /// The dibao add-on (分类施保): level 1–2 of any category, as in the Chongqing add-on text.
    pub dibao_add_on: SevereFrom,
    /// Single-person dibao (单人保): level 1–2, or level 3 intellectual or mental.
    pub single_person_dibao: SevereFrom,
}

/// Declares the parameters once and derives both the effective-dated store ([`Parameters`]) and
/// the values in force on one date ([`ParameterSet`]), so the two can never drift apart.
macro_rules! parameters {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty, )*) => {
        /// Every aid parameter as an effective-dated timeline; the bureau edits these.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Parameters {
            $( $(#[$doc])* pub $name: Timeline<$ty>, )*
        }

        /// The aid parameters in force on one date; computations take this.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct ParameterSet {
            /// The date the values were read for.
            pub date: NaiveDate,
            $( $(#[$doc])* pub $name: $ty, )*
        }

        impl Parameters {
            /// Every parameter's name, as used in errors and in [`SEED_PLACEHOLDERS`].
            pub const NAMES: &'static [&'static str] = &[$( stringify!($name), )*];

            /// The values in force on `date`; names the first parameter that has none.
            pub fn at(&self, date: NaiveDate) -> Result<ParameterSet, ReferenceError> {
                Ok(ParameterSet {
                    date,
                    $( $name: self.$name.at(date).cloned().ok_or(ReferenceError::NotInForce {
                        parameter: stringify!($name),
                        date,
                    })?, )*
                })
            }
        }
    };
}

parameters! {
    /// Urban dibao standard, per person per month.
    urban_dibao_standard: Fen,
    /// Rural dibao standard, per person per month.
    rural_dibao_standard: Fen,
    /// Extreme-poverty basic living standard, per person per month (≥ 1.3 × the dibao standard).
    extreme_poverty_basic_living: Fen,
    /// Marginal household: per-capita income below this multiple of the standard (1 500 ‰).
    marginal_multiplier: PerMille,
    /// Employment-cost deduction: this share of the standard off each employed member's work
    /// income (300 ‰).
    employment_cost_deduction: PerMille,
    /// Per-person add-ons (分类施保).
    add_ons: AddOns,
    /// Extreme-poverty care allowances.
    care_allowances: CareAllowances,
    /// Temporary assistance: the township approves up to this multiple of the urban standard
    /// (3 000 ‰), the district above it.
    temporary_township_cap_multiplier: PerMille,
    /// Act-first (先行救助) paperwork due this many working days after the payment.
    act_first_paperwork_working_days: u32,
    /// Publicity (公示) length in calendar days, the opening day included.
    publicity_days: u32,
    /// Investigation must start within this many working days of acceptance.
    investigation_start_working_days: u32,
    /// Filing (备案) with the district within this many working days of confirmation.
    filing_working_days: u32,
    /// Overall limit from submission to decision, in working days.
    overall_limit_working_days: u32,
    /// Overall limit once extended, in working days.
    overall_limit_extended_working_days: u32,
    /// Gradual exit (渐退) months by reason.
    gradual_exit_months: GradualExitMonths,
    /// Review interval for stable households, months.
    review_months_stable: u32,
    /// Review interval for households with members able to work, months.
    review_months_able_to_work: u32,
    /// Temporary-assistance grants allowed per household per calendar year per emergency type.
    temporary_limit_per_year_per_emergency_type: u32,
    /// How single-person dibao is paid.
    single_person_dibao_mode: SinglePersonDibaoMode,
    /// The property predicates (家庭财产) applied to the registered property.
    property_limits: PropertyLimits,
    /// Where 重残 begins for the dibao add-on and for single-person dibao.
    severe_disability: SevereDisability,
}

impl ParameterSet {
    /// The dibao standard for a residence.
    pub fn dibao_standard(&self, residence: Residence) -> Fen {
        match residence {
            Residence::Urban => self.urban_dibao_standard,
            Residence::Rural => self.rural_dibao_standard,
        }
    }

    /// Highest amount the township may approve for temporary assistance.
    pub fn temporary_township_cap(&self) -> Fen {
        self.temporary_township_cap_multiplier
            .of(self.urban_dibao_standard)
    }
}

/// The parameters a monthly amount is computed from: a change to one of them is followed by the
/// enrollments paying months from then on (the others set eligibility tests, deadlines, caps and
/// limits, which apply to decisions, not to amounts already decided).
pub const AMOUNT_PARAMETERS: &[&str] = &[
    "urban_dibao_standard",
    "rural_dibao_standard",
    "extreme_poverty_basic_living",
    "employment_cost_deduction",
    "add_ons",
    "care_allowances",
    "single_person_dibao_mode",
    "severe_disability",
];

/// Parameters in [`seed`] that are defaults or placeholders, not sourced Chongqing values: the
/// bureau must confirm each before go-live (the wiring can list them at start-up).
pub const SEED_PLACEHOLDERS: &[&str] = &[
    "employment_cost_deduction",
    "add_ons",
    "care_allowances",
    "temporary_township_cap_multiplier",
    "act_first_paperwork_working_days",
    "overall_limit_working_days",
    "overall_limit_extended_working_days",
    "gradual_exit_months",
    "temporary_limit_per_year_per_emergency_type",
    "single_person_dibao_mode",
    "property_limits",
];

/// The Chongqing values of docs/domain.md, in force from 2021-09-01 (the standard raise of September
/// 2021, the latest found before the notice of 2022-04-25).
pub fn seed() -> Parameters {
    let from = NaiveDate::from_ymd_opt(2021, 9, 1).expect("a real date");
    Parameters {
        // Sourced: Chongqing standards raised in September 2021 (research §1.3).
        urban_dibao_standard: Timeline::starting(from, Fen::from_yuan(636)),
        rural_dibao_standard: Timeline::starting(from, Fen::from_yuan(515)),
        // Sourced: 827 = 636 × 1.3 rounded; one city-wide value for urban and rural.
        extreme_poverty_basic_living: Timeline::starting(from, Fen::from_yuan(827)),
        // National norm for income-type marginal households (research §1.5).
        marginal_multiplier: Timeline::starting(from, PerMille(1_500)),
        // PLACEHOLDER: DOMAIN's default is borrowed from 赣州; Chongqing's own is NOT FOUND.
        employment_cost_deduction: Timeline::starting(from, PerMille(300)),
        // PLACEHOLDER: the historical Chongqing text (early 2010s) paid +45 urban / +30 rural per
        // person; the current add-ons are NOT FOUND. Stacking "highest" is our conservative choice.
        add_ons: Timeline::starting(
            from,
            AddOns {
                severe_disability: Some(HISTORICAL_ADD_ON),
                severe_illness: Some(HISTORICAL_ADD_ON),
                aged: Some(HISTORICAL_ADD_ON),
                child: Some(HISTORICAL_ADD_ON),
                aged_from_age: 70,
                child_below_age: 18,
                stacking: AddOnStacking::Highest,
            },
        ),
        // PLACEHOLDER: Chongqing's care allowance amounts are NOT FOUND; these round figures only
        // keep the three tiers distinct until the bureau sets them.
        care_allowances: Timeline::starting(
            from,
            CareAllowances {
                institutional: PLACEHOLDER_CARE,
                dispersed: PLACEHOLDER_CARE,
            },
        ),
        // DEFAULT (DOMAIN): 渝北's township/district cut-off is NOT FOUND.
        temporary_township_cap_multiplier: Timeline::starting(from, PerMille(3_000)),
        // DEFAULT (DOMAIN): the national texts give no number of days.
        act_first_paperwork_working_days: Timeline::starting(from, 5),
        // Sourced from other localities applying the national procedure (research §1.7).
        publicity_days: Timeline::starting(from, 7),
        investigation_start_working_days: Timeline::starting(from, 3),
        filing_working_days: Timeline::starting(from, 5),
        // DEFAULT: "30, extendable to 45" is the commonly quoted national rule, unsourced.
        overall_limit_working_days: Timeline::starting(from, 30),
        overall_limit_extended_working_days: Timeline::starting(from, 45),
        // DEFAULT: Chongqing's 渐退 length is NOT FOUND; 6 months for every reason.
        gradual_exit_months: Timeline::starting(
            from,
            GradualExitMonths {
                default: 6,
                by_reason: BTreeMap::new(),
            },
        ),
        // Sourced (research §1.8).
        review_months_stable: Timeline::starting(from, 12),
        review_months_able_to_work: Timeline::starting(from, 6),
        // DEFAULT (DOMAIN): 1 per emergency type per year.
        temporary_limit_per_year_per_emergency_type: Timeline::starting(from, 1),
        // DEFAULT: 补差 of one; DOMAIN leaves fixed-or-top-up to the bureau.
        single_person_dibao_mode: Timeline::starting(from, SinglePersonDibaoMode::TopUpOfOne),
        // PLACEHOLDER: Chongqing's property tests are NOT FOUND; these are the kinds of test other
        // localities publish (潍坊 2017: two or more homes, a vehicle in regular use, financial
        // assets above twice the yearly standard per person, employing others).
        property_limits: Timeline::starting(from, PLACEHOLDER_PROPERTY_LIMITS),
        severe_disability: Timeline::starting(from, SEVERE_DISABILITY),
    }
}

/// DOMAIN "Identity": 重残 is level 1–2 for the dibao add-on; level 1–2, or 3 intellectual or
/// mental, for single-person dibao.
pub const SEVERE_DISABILITY: SevereDisability = SevereDisability {
    dibao_add_on: SevereFrom {
        level: 2,
        cognitive_level: 2,
    },
    single_person_dibao: SevereFrom {
        level: 2,
        cognitive_level: 3,
    },
};

/// The property predicates seeded until the bureau sets Chongqing's.
pub const PLACEHOLDER_PROPERTY_LIMITS: PropertyLimits = PropertyLimits {
    max_homes: Some(1),
    financial_assets_months_per_member: Some(24),
    vehicle_fails: true,
    business_employing_others_fails: true,
};

const HISTORICAL_ADD_ON: AddOnAmount = AddOnAmount::Fixed {
    urban: Fen::from_yuan(45),
    rural: Fen::from_yuan(30),
};

const PLACEHOLDER_CARE: CareAllowance = CareAllowance {
    full_self_care: Fen::from_yuan(100),
    partial_care: Fen::from_yuan(300),
    full_care: Fen::from_yuan(600),
};

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_timeline_answers_with_the_latest_value_started_on_or_before_the_date() {
        let mut standard = Timeline::starting(date(2021, 9, 1), Fen::from_yuan(636));
        standard.set(date(2022, 7, 1), Fen::from_yuan(660));
        let cases = [
            (date(2021, 8, 31), None),
            (date(2021, 9, 1), Some(636)),
            (date(2022, 6, 30), Some(636)),
            (date(2022, 7, 1), Some(660)),
            (date(2030, 1, 1), Some(660)),
        ];
        for (on, expected) in cases {
            assert_eq!(
                standard.at(on).copied(),
                expected.map(Fen::from_yuan),
                "on {on}"
            );
        }
    }

    #[test]
    fn setting_a_value_on_an_existing_date_corrects_it() {
        let mut t = Timeline::starting(date(2022, 1, 1), 7);
        t.set(date(2022, 1, 1), 8);
        assert_eq!(t.entries().len(), 1);
        assert_eq!(t.at(date(2022, 1, 1)), Some(&8));
    }

    #[test]
    fn a_timeline_refuses_two_entries_on_one_date() {
        let entries = vec![
            Effective {
                from: date(2022, 1, 1),
                value: 1,
            },
            Effective {
                from: date(2022, 1, 1),
                value: 2,
            },
        ];
        assert_eq!(
            Timeline::new(entries),
            Err(ReferenceError::DuplicateDate(date(2022, 1, 1)))
        );
    }

    #[test]
    fn the_seed_holds_the_chongqing_standards_from_september_2021() {
        let p = seed().at(date(2022, 4, 25)).unwrap();
        assert_eq!(p.dibao_standard(Residence::Urban), Fen::from_yuan(636));
        assert_eq!(p.dibao_standard(Residence::Rural), Fen::from_yuan(515));
        assert_eq!(p.extreme_poverty_basic_living, Fen::from_yuan(827));
        assert_eq!(p.temporary_township_cap(), Fen::from_yuan(1_908));
        assert_eq!(
            p.gradual_exit_months
                .months_for(GradualExitReason::Employment),
            6
        );
    }

    #[test]
    fn parameters_before_the_first_entry_name_what_is_missing() {
        let err = seed().at(date(2021, 8, 31)).unwrap_err();
        assert_eq!(
            err,
            ReferenceError::NotInForce {
                parameter: "urban_dibao_standard",
                date: date(2021, 8, 31)
            }
        );
    }

    #[test]
    fn every_seed_placeholder_names_a_parameter() {
        for name in SEED_PLACEHOLDERS {
            assert!(Parameters::NAMES.contains(name), "{name}");
        }
        assert_eq!(Parameters::NAMES.len(), 21);
    }

    #[test]
    fn a_gradual_exit_override_applies_only_to_its_reason() {
        let mut months = GradualExitMonths {
            default: 6,
            by_reason: BTreeMap::new(),
        };
        months
            .by_reason
            .insert(GradualExitReason::DisabledMemberEmployed, 36);
        assert_eq!(
            months.months_for(GradualExitReason::DisabledMemberEmployed),
            36
        );
        assert_eq!(months.months_for(GradualExitReason::Employment), 6);
    }
}
