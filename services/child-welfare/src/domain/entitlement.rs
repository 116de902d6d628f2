//! When the allowance is paid: from the month after registration is approved, through the month
//! of the 18th birthday — or, for a child in full-time education then, through the month the
//! normal course ends — and never past a death, an adoption or the end of the conditions.

use chrono::{Months, NaiveDate};
use contracts::{child::AllowanceEndReason, common::Month};
use serde::{Deserialize, Serialize};

/// Level of schooling (junior and senior secondary, secondary vocational, higher education).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolLevel {
    Primary,
    JuniorSecondary,
    SeniorSecondary,
    SecondaryVocational,
    /// 专科 / 本科.
    HigherEducation,
}

/// A school enrolment as recorded with its proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schooling {
    pub level: SchoolLevel,
    pub full_time: bool,
    pub enrolled_on: NaiveDate,
    /// End of the normal course length (学制内), not of a prolonged stay.
    pub course_end: NaiveDate,
}

/// The age rules in force (reference data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeRules {
    /// 18.
    pub adulthood_years: u32,
    /// Age at which an education extension stops at the latest, when the bureau sets one.
    pub education_max_years: Option<u32>,
}

/// The day a person born on `birth` reaches `years` (a 29 February birthday falls on 28 February
/// in common years).
pub fn birthday(birth: NaiveDate, years: u32) -> NaiveDate {
    birth
        .checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// The last month the allowance may be paid by age and schooling, and the reason it ends then.
pub fn last_entitled_month(
    birth: NaiveDate,
    schooling: Option<&Schooling>,
    rules: &AgeRules,
) -> (Month, AllowanceEndReason) {
    let adult = birthday(birth, rules.adulthood_years);
    let adult_month = Month::from_date(adult);
    let extended = schooling.filter(|s| {
        s.full_time
            && s.level != SchoolLevel::Primary
            && s.enrolled_on <= adult
            && s.course_end > adult
    });
    match extended {
        Some(s) => {
            let mut last = Month::from_date(s.course_end);
            if let Some(max) = rules.education_max_years {
                last = last.min(Month::from_date(birthday(birth, max)));
            }
            if last > adult_month {
                (last, AllowanceEndReason::EducationCompleted)
            } else {
                (adult_month, AllowanceEndReason::ReachedAdulthood)
            }
        }
        None => (adult_month, AllowanceEndReason::ReachedAdulthood),
    }
}

/// The first month paid: the month after approval.
pub fn start_month(approved_on: NaiveDate) -> Month {
    Month::from_date(approved_on).next()
}

/// The last month paid when something that ends the allowance happens on `on` (death, adoption,
/// the conditions ending — a release from prison ends eligibility from the following month): the
/// month of the event, and never before the month preceding the first month paid.
pub fn end_month_for(on: NaiveDate, start: Month) -> Month {
    Month::from_date(on).max(start.prev())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    const RULES: AgeRules = AgeRules {
        adulthood_years: 18,
        education_max_years: None,
    };

    fn school(level: SchoolLevel, enrolled: NaiveDate, end: NaiveDate) -> Schooling {
        Schooling {
            level,
            full_time: true,
            enrolled_on: enrolled,
            course_end: end,
        }
    }

    #[test]
    fn the_allowance_is_paid_through_the_month_of_the_18th_birthday() {
        for (birth, last) in [
            (d(2008, 1, 1), "2026-01"),
            (d(2008, 1, 31), "2026-01"),
            (d(2008, 12, 31), "2026-12"),
            (d(2008, 2, 29), "2026-02"),
            (d(2008, 3, 1), "2026-03"),
        ] {
            assert_eq!(
                last_entitled_month(birth, None, &RULES),
                (m(last), AllowanceEndReason::ReachedAdulthood),
                "born {birth}"
            );
        }
    }

    #[test]
    fn a_leap_day_birthday_is_reached_on_28_february() {
        assert_eq!(birthday(d(2008, 2, 29), 18), d(2026, 2, 28));
        assert_eq!(birthday(d(2008, 2, 29), 16), d(2024, 2, 29));
    }

    #[test]
    fn full_time_education_extends_to_the_month_the_normal_course_ends() {
        let birth = d(2008, 5, 31);
        for (s, expected) in [
            (
                school(SchoolLevel::SeniorSecondary, d(2023, 9, 1), d(2026, 6, 30)),
                (m("2026-06"), AllowanceEndReason::EducationCompleted),
            ),
            (
                school(SchoolLevel::HigherEducation, d(2026, 5, 31), d(2030, 7, 1)),
                (m("2030-07"), AllowanceEndReason::EducationCompleted),
            ),
            // Course ended the day before the birthday: no extension.
            (
                school(SchoolLevel::SeniorSecondary, d(2023, 9, 1), d(2026, 5, 30)),
                (m("2026-05"), AllowanceEndReason::ReachedAdulthood),
            ),
            // Course ends on the birthday itself: nothing left to extend.
            (
                school(SchoolLevel::SeniorSecondary, d(2023, 9, 1), d(2026, 5, 31)),
                (m("2026-05"), AllowanceEndReason::ReachedAdulthood),
            ),
            // Course ends in the birthday month after the birthday: paid through that month only.
            (
                school(
                    SchoolLevel::SecondaryVocational,
                    d(2023, 9, 1),
                    d(2026, 6, 1),
                ),
                (m("2026-06"), AllowanceEndReason::EducationCompleted),
            ),
            // Enrolled only after turning 18: no extension.
            (
                school(SchoolLevel::HigherEducation, d(2026, 9, 1), d(2030, 6, 30)),
                (m("2026-05"), AllowanceEndReason::ReachedAdulthood),
            ),
        ] {
            assert_eq!(
                last_entitled_month(birth, Some(&s), &RULES),
                expected,
                "{s:?}"
            );
        }
    }

    #[test]
    fn part_time_study_does_not_extend() {
        let mut s = school(SchoolLevel::HigherEducation, d(2025, 9, 1), d(2029, 6, 30));
        s.full_time = false;
        assert_eq!(
            last_entitled_month(d(2008, 1, 15), Some(&s), &RULES).0,
            m("2026-01")
        );
    }

    #[test]
    fn a_maximum_age_caps_the_extension_when_the_bureau_sets_one() {
        let capped = AgeRules {
            adulthood_years: 18,
            education_max_years: Some(22),
        };
        let s = school(SchoolLevel::HigherEducation, d(2025, 9, 1), d(2031, 6, 30));
        assert_eq!(
            last_entitled_month(d(2008, 1, 15), Some(&s), &capped),
            (m("2030-01"), AllowanceEndReason::EducationCompleted)
        );
    }

    #[test]
    fn payment_starts_the_month_after_approval_across_year_ends() {
        assert_eq!(start_month(d(2026, 12, 31)), m("2027-01"));
        assert_eq!(start_month(d(2026, 11, 1)), m("2026-12"));
        assert_eq!(start_month(d(2026, 1, 31)), m("2026-02"));
    }

    #[test]
    fn an_end_is_paid_through_its_own_month_and_never_before_the_start() {
        assert_eq!(end_month_for(d(2027, 3, 15), m("2026-12")), m("2027-03"));
        assert_eq!(end_month_for(d(2027, 3, 31), m("2026-12")), m("2027-03"));
        assert_eq!(end_month_for(d(2026, 11, 30), m("2026-12")), m("2026-11"));
        assert_eq!(end_month_for(d(2026, 1, 1), m("2026-12")), m("2026-11"));
    }
}
