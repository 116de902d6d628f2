//! Benefits other departments pay a member (child-welfare's basic living allowance,
//! disability-subsidies' living and nursing subsidies) and the member's disability certificate as
//! the 残联 last announced it: what low-income monitoring shows per member, and what a
//! certificate fact means for single-person dibao (单人保: 重残 = level 1–2, or 3 intellectual or
//! mental, of an adult member).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::household::{DisabilityCategory, DisabilityGrade, SevereFrom};
use super::money::Fen;
use super::monitoring::single_person_dibao_candidate;
use super::month::Month;

/// Which benefit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenefitKind {
    /// 孤儿 / 事实无人抚养儿童 basic living allowance (child-welfare).
    ChildAllowance,
    /// 困难残疾人生活补贴 (disability-subsidies).
    LivingSubsidy,
    /// 重度残疾人护理补贴 (disability-subsidies).
    NursingSubsidy,
}

/// One benefit as far as its events have arrived (an end may come before its start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Benefit {
    pub kind: BenefitKind,
    /// First month paid; unknown while only a change or the end has arrived.
    pub start: Option<Month>,
    /// Last month paid, once ended.
    pub end: Option<Month>,
    /// The latest monthly amount announced.
    pub monthly_amount: Option<Fen>,
}

impl Benefit {
    /// Whether it is paid for `m`: started by then (an unknown start counts as started) and not
    /// ended before.
    pub fn paid_in(&self, m: Month) -> bool {
        self.start.is_none_or(|s| s <= m) && self.end.is_none_or(|e| m <= e)
    }
}

/// What the member's benefits from other departments add up to for `m`.
pub fn monthly_total(benefits: &[Benefit], m: Month) -> Fen {
    benefits
        .iter()
        .filter(|b| b.paid_in(m))
        .filter_map(|b| b.monthly_amount)
        .sum()
}

/// The category's digit on the certificate (1 视力 … 7 多重), the inverse of
/// `DisabilityGrade::new`.
pub fn category_digit(c: DisabilityCategory) -> u8 {
    match c {
        DisabilityCategory::Visual => 1,
        DisabilityCategory::Hearing => 2,
        DisabilityCategory::Speech => 3,
        DisabilityCategory::Physical => 4,
        DisabilityCategory::Intellectual => 5,
        DisabilityCategory::Mental => 6,
        DisabilityCategory::Multiple => 7,
    }
}

/// What a certificate fact means for single-person dibao.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinglePersonDibao {
    /// The holder is an adult and the grade is 重残 for single-person dibao: a candidate in a
    /// marginal household; an enrollment of theirs stands.
    Qualifies,
    /// The grade no longer counts (re-assessed lower, or the certificate revoked): a candidate
    /// task closes, an enrollment of theirs is reviewed.
    DoesNotQualify,
}

/// The effect of a certificate now graded `grade` (`None`: revoked) for a holder born on `birth`,
/// on `on`.
pub fn single_person_dibao_effect(
    grade: Option<DisabilityGrade>,
    birth: NaiveDate,
    on: NaiveDate,
    severe: SevereFrom,
) -> SinglePersonDibao {
    match grade {
        Some(g) if single_person_dibao_candidate(g, birth, on, severe) => {
            SinglePersonDibao::Qualifies
        }
        _ => SinglePersonDibao::DoesNotQualify,
    }
}

/// Whether a certificate fact dated `fact_on` is newer than the one kept (`kept_on`): facts may
/// arrive out of order; the later one describes the certificate now (on the same day, the last
/// to arrive).
pub fn supersedes(kept_on: Option<NaiveDate>, fact_on: NaiveDate) -> bool {
    kept_on.is_none_or(|k| fact_on >= k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn benefit(start: Option<Month>, end: Option<Month>, yuan: i64) -> Benefit {
        Benefit {
            kind: BenefitKind::NursingSubsidy,
            start,
            end,
            monthly_amount: Some(Fen::from_yuan(yuan)),
        }
    }

    #[test]
    fn the_monthly_total_counts_benefits_paid_in_the_month() {
        let now = m(2026, 12);
        let cases: Vec<(&str, Vec<Benefit>, i64)> = vec![
            ("none", vec![], 0),
            ("running", vec![benefit(Some(m(2026, 1)), None, 110)], 110),
            (
                "not yet started",
                vec![benefit(Some(m(2027, 1)), None, 110)],
                0,
            ),
            (
                "ended last month",
                vec![benefit(Some(m(2026, 1)), Some(m(2026, 11)), 110)],
                0,
            ),
            (
                "ends this month",
                vec![benefit(Some(m(2026, 1)), Some(m(2026, 12)), 110)],
                110,
            ),
            (
                "only the end known, past",
                vec![benefit(None, Some(m(2026, 3)), 110)],
                0,
            ),
            (
                "two together",
                vec![
                    benefit(Some(m(2026, 1)), None, 110),
                    benefit(Some(m(2025, 6)), None, 100),
                ],
                210,
            ),
        ];
        for (what, benefits, yuan) in cases {
            assert_eq!(
                monthly_total(&benefits, now),
                Fen::from_yuan(yuan),
                "{what}"
            );
        }
    }

    #[test]
    fn a_certificate_counts_for_single_person_dibao_only_when_severe_and_the_holder_adult() {
        let adult = d("1990-05-01");
        let child = d("2015-05-01");
        let on = d("2026-11-01");
        let grade = |c, l| Some(DisabilityGrade::new(c, l).unwrap());
        let cases = [
            (
                "level 1 physical",
                grade(4, 1),
                adult,
                SinglePersonDibao::Qualifies,
            ),
            (
                "level 3 intellectual",
                grade(5, 3),
                adult,
                SinglePersonDibao::Qualifies,
            ),
            (
                "level 3 mental",
                grade(6, 3),
                adult,
                SinglePersonDibao::Qualifies,
            ),
            (
                "level 3 physical",
                grade(4, 3),
                adult,
                SinglePersonDibao::DoesNotQualify,
            ),
            (
                "level 4 intellectual",
                grade(5, 4),
                adult,
                SinglePersonDibao::DoesNotQualify,
            ),
            ("revoked", None, adult, SinglePersonDibao::DoesNotQualify),
            (
                "a child",
                grade(4, 1),
                child,
                SinglePersonDibao::DoesNotQualify,
            ),
        ];
        for (what, grade, birth, expected) in cases {
            assert_eq!(
                single_person_dibao_effect(
                    grade,
                    birth,
                    on,
                    crate::domain::reference::SEVERE_DISABILITY.single_person_dibao
                ),
                expected,
                "{what}"
            );
        }
    }

    #[test]
    fn every_category_digit_reads_back_as_its_grade() {
        for digit in 1..=7 {
            let g = DisabilityGrade::new(digit, 2).unwrap();
            assert_eq!(category_digit(g.category()), digit);
        }
    }

    #[test]
    fn a_later_certificate_fact_supersedes_an_earlier_one() {
        assert!(supersedes(None, d("2026-01-01")));
        assert!(supersedes(Some(d("2026-01-01")), d("2026-02-01")));
        assert!(supersedes(Some(d("2026-01-01")), d("2026-01-01")));
        assert!(!supersedes(Some(d("2026-02-01")), d("2026-01-01")));
    }
}
