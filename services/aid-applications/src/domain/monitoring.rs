//! Low-income monitoring (动态监测): who belongs to the low-income population, which partner facts
//! open an active-discovery task (主动发现), and how a task is closed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::household::{DisabilityGrade, SevereFrom, age_on};
use super::programme::Programme;

/// Age of majority (民法典 第十七条): single-person dibao is for adult members. A legal
/// definition, not a policy parameter the bureau sets.
pub const ADULT_AGE: u32 = 18;

/// Why a household belongs to the low-income population.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowIncomeCategory {
    /// Enrolled in dibao (or single-person dibao for a member).
    Dibao,
    /// Enrolled in extreme-poverty support.
    ExtremePoverty,
    /// Enrolled as a marginal household.
    Marginal,
    /// Flagged by the rural revitalisation bureau (防返贫监测对象).
    PartnerFlagged,
}

/// The categories of a household from its active enrollments and whether a partner flagged it;
/// empty when it is not in the low-income population.
pub fn categories(active: &[Programme], partner_flagged: bool) -> Vec<LowIncomeCategory> {
    let mut out: Vec<LowIncomeCategory> = active
        .iter()
        .map(|p| match p {
            Programme::Dibao | Programme::SinglePersonDibao => LowIncomeCategory::Dibao,
            Programme::ExtremePoverty => LowIncomeCategory::ExtremePoverty,
            Programme::Marginal => LowIncomeCategory::Marginal,
        })
        .collect();
    if partner_flagged {
        out.push(LowIncomeCategory::PartnerFlagged);
    }
    out.sort();
    out.dedup();
    out
}

/// What an active-discovery task asks staff to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// A partner flagged the household: visit and assess it for assistance.
    AssessHousehold,
    /// A severely disabled adult in a marginal household: a single-person dibao candidate (flow 6).
    SinglePersonDibaoCandidate,
}

/// Whether a newly certified member of a marginal household is a single-person dibao candidate:
/// an adult on the certificate's issue date whose grade is 重残 under single-person dibao's
/// definition (`severe`, reference data: level 1–2, or level 3 intellectual or mental).
pub fn single_person_dibao_candidate(
    grade: DisabilityGrade,
    birth: NaiveDate,
    issued_on: NaiveDate,
    severe: SevereFrom,
) -> bool {
    age_on(birth, issued_on) >= ADULT_AGE && grade.is_severe_for(severe)
}

/// How a discovery task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskOutcome {
    /// An application was taken in (channel `active_discovery`).
    ApplicationSubmitted,
    /// Referred to a specialised assistance.
    Referred,
    /// Visited; no assistance needed or not eligible.
    NotEligible,
    /// Already assisted under another record.
    AlreadyAssisted,
}

/// Why a task cannot be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// Closed before.
    #[error("the task was already closed")]
    AlreadyClosed,
    /// A closing note is the evidence of the visit.
    #[error("a note on what was found is required")]
    NoteRequired,
}

/// Closes an open task with its outcome and the visit's note.
pub fn close_task(
    already_closed: bool,
    outcome: TaskOutcome,
    note: &str,
) -> Result<TaskOutcome, TaskError> {
    if already_closed {
        return Err(TaskError::AlreadyClosed);
    }
    if note.trim().is_empty() {
        return Err(TaskError::NoteRequired);
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_population_lists_each_category_once_from_enrollments_and_partner_flags() {
        use LowIncomeCategory as C;
        let cases: [(&[Programme], bool, &[C]); 5] = [
            (&[], false, &[]),
            (&[], true, &[C::PartnerFlagged]),
            (
                &[Programme::Dibao, Programme::SinglePersonDibao],
                false,
                &[C::Dibao],
            ),
            (
                &[Programme::Marginal, Programme::SinglePersonDibao],
                true,
                &[C::Dibao, C::Marginal, C::PartnerFlagged],
            ),
            (&[Programme::ExtremePoverty], false, &[C::ExtremePoverty]),
        ];
        for (active, flagged, expected) in cases {
            assert_eq!(
                categories(active, flagged),
                expected,
                "{active:?} {flagged}"
            );
        }
    }

    #[test]
    fn a_candidate_is_an_adult_whose_grade_is_severe_under_the_single_person_rule() {
        let born = d(1990, 6, 15);
        // (category, level, birth, issued_on, candidate)
        let cases = [
            (4, 1, born, d(2022, 6, 20), true),
            (1, 2, born, d(2022, 6, 20), true),
            (5, 3, born, d(2022, 6, 20), true),
            (6, 3, born, d(2022, 6, 20), true),
            (4, 3, born, d(2022, 6, 20), false),
            (5, 4, born, d(2022, 6, 20), false),
            (4, 1, d(2004, 6, 21), d(2022, 6, 20), false),
            (4, 1, d(2004, 6, 20), d(2022, 6, 20), true),
        ];
        for (category, level, birth, on, expected) in cases {
            let grade = DisabilityGrade::new(category, level).unwrap();
            assert_eq!(
                single_person_dibao_candidate(
                    grade,
                    birth,
                    on,
                    crate::domain::reference::SEVERE_DISABILITY.single_person_dibao
                ),
                expected,
                "{category}/{level} born {birth}"
            );
        }
    }

    #[test]
    fn a_task_closes_once_and_only_with_a_note() {
        assert_eq!(
            close_task(false, TaskOutcome::Referred, "入户核实，转医疗救助"),
            Ok(TaskOutcome::Referred)
        );
        assert_eq!(
            close_task(false, TaskOutcome::NotEligible, "  "),
            Err(TaskError::NoteRequired)
        );
        assert_eq!(
            close_task(true, TaskOutcome::NotEligible, "x"),
            Err(TaskError::AlreadyClosed)
        );
    }
}
