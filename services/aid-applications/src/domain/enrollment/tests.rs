//! Enrollment months: start, changes, reviews, gradual exit, death.

use chrono::NaiveDate;
use uuid::Uuid;

use super::*;
use crate::domain::household::{Member, PropertyCheck, Residence};
use crate::domain::reference::seed;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn m(y: i32, mo: u32) -> Month {
    Month::new(y, mo).unwrap()
}

fn params() -> ParameterSet {
    seed().at(d(2022, 6, 1)).unwrap()
}

/// Dibao of 599 yuan confirmed on 2022-04-20: paid from May 2022, reviewed yearly.
fn enrolled() -> Enrollment {
    let (enrollment, event) = Enrollment::start(NewEnrollment {
        id: Uuid::from_u128(1),
        application_id: Uuid::from_u128(2),
        household_id: Uuid::from_u128(3),
        programme: Programme::Dibao,
        confirmed_on: d(2022, 4, 20),
        monthly_amount: Fen(59_900),
        review_interval_months: 12,
    });
    assert!(
        matches!(event, EnrollmentEvent::Started { start_month, review_due, .. } if start_month == m(2022, 5) && review_due == m(2023, 5))
    );
    enrollment
}

#[test]
fn payment_starts_the_month_after_confirmation_even_across_a_year_end() {
    let cases = [
        (d(2022, 4, 20), m(2022, 5)),
        (d(2022, 4, 30), m(2022, 5)),
        (d(2022, 12, 31), m(2023, 1)),
    ];
    for (confirmed_on, start) in cases {
        let (e, _) = Enrollment::start(NewEnrollment {
            id: Uuid::nil(),
            application_id: Uuid::nil(),
            household_id: Uuid::nil(),
            programme: Programme::Dibao,
            confirmed_on,
            monthly_amount: Fen(100),
            review_interval_months: 12,
        });
        assert_eq!(e.start_month, start);
        assert_eq!(e.amount_for(start.plus(-1)), None);
        assert_eq!(e.amount_for(start), Some(Fen(100)));
    }
}

#[test]
fn households_with_a_member_able_to_work_are_reviewed_every_six_months() {
    let member = |able_to_work| Member {
        id: Uuid::nil(),
        label: "申请人 applicant".into(),
        birth_date: d(1980, 1, 1),
        income: Vec::new(),
        employed: false,
        able_to_work,
        disability: None,
        severe_illness: false,
        has_capable_supporter: false,
        extreme_poverty_support: false,
    };
    let household = |able| Household {
        id: Uuid::nil(),
        residence: Residence::Urban,
        local_hukou: true,
        property: PropertyCheck::WithinLimits,
        assets: Vec::new(),
        members: vec![member(false), member(able)],
    };
    assert_eq!(review_interval_months(&household(false), &params()), 12);
    assert_eq!(review_interval_months(&household(true), &params()), 6);
}

#[test]
fn a_review_raises_lowers_keeps_or_stops_the_benefit_from_the_next_month() {
    // (outcome, event's amount and effective month or None, amount paid in July, next review due)
    let cases = [
        (
            ReviewOutcome::Unchanged,
            None,
            Some(Fen(59_900)),
            m(2023, 5),
        ),
        (
            ReviewOutcome::Increase(Fen(65_000)),
            Some((Fen(65_000), m(2022, 6))),
            Some(Fen(65_000)),
            m(2023, 5),
        ),
        (
            ReviewOutcome::Decrease(Fen(30_000)),
            Some((Fen(30_000), m(2022, 6))),
            Some(Fen(30_000)),
            m(2023, 5),
        ),
        (ReviewOutcome::Stop, None, None, m(2023, 5)),
    ];
    for (outcome, change, july, next_due) in cases {
        let mut e = enrolled();
        let event = e.record_review(d(2022, 5, 20), outcome, 12).unwrap();
        match (&event, change) {
            (
                EnrollmentEvent::Changed {
                    monthly_amount,
                    effective_month,
                    ..
                },
                Some((amount, from)),
            ) => {
                assert_eq!((*monthly_amount, *effective_month), (amount, from));
            }
            (
                EnrollmentEvent::Reviewed {
                    next_review_due, ..
                },
                None,
            ) => assert_eq!(*next_review_due, next_due),
            (
                EnrollmentEvent::Ended {
                    reason: EndReason::ReviewStop,
                    last_month,
                    ..
                },
                None,
            ) => assert_eq!(*last_month, m(2022, 5)),
            other => panic!("{outcome:?} gave {other:?}"),
        }
        assert_eq!(
            e.amount_for(m(2022, 5)),
            Some(Fen(59_900)),
            "{outcome:?}: the review month is paid as before"
        );
        assert_eq!(e.amount_for(m(2022, 7)), july, "{outcome:?}");
    }
}

#[test]
fn a_review_whose_amount_contradicts_its_outcome_is_refused() {
    let mut e = enrolled();
    assert_eq!(
        e.record_review(d(2022, 5, 20), ReviewOutcome::Increase(Fen(50_000)), 12),
        Err(EnrollmentError::OutcomeMismatch {
            current: Fen(59_900),
            new: Fen(50_000)
        })
    );
    assert!(
        e.record_review(d(2022, 5, 20), ReviewOutcome::Decrease(Fen::ZERO), 12)
            .is_err()
    );
    assert_eq!(
        e.change_amount(d(2022, 5, 20), Fen::ZERO, ChangeReason::MembersChanged),
        Err(EnrollmentError::AmountNotPositive)
    );
}

#[test]
fn the_next_review_is_due_one_interval_after_the_last_review() {
    let mut e = enrolled();
    assert_eq!(e.next_review_due(), m(2023, 5));
    e.record_review(d(2023, 5, 10), ReviewOutcome::Unchanged, 6)
        .unwrap();
    assert_eq!(e.next_review_due(), m(2023, 11));
}

#[test]
fn an_amount_change_applies_from_the_month_after_the_decision() {
    let mut e = enrolled();
    e.change_amount(d(2022, 8, 31), Fen(70_000), ChangeReason::StandardRaised)
        .unwrap();
    let paid = e.payment_months(m(2022, 4), m(2022, 10));
    assert_eq!(
        paid,
        vec![
            (m(2022, 5), Fen(59_900)),
            (m(2022, 6), Fen(59_900)),
            (m(2022, 7), Fen(59_900)),
            (m(2022, 8), Fen(59_900)),
            (m(2022, 9), Fen(70_000)),
            (m(2022, 10), Fen(70_000))
        ]
    );
    // A change decided before the first paid month replaces the starting amount.
    let mut early = enrolled();
    early
        .change_amount(d(2022, 4, 25), Fen(60_000), ChangeReason::MembersChanged)
        .unwrap();
    assert_eq!(early.amount_for(m(2022, 5)), Some(Fen(60_000)));
    assert_eq!(early.amounts().len(), 1);
}

#[test]
fn gradual_exit_keeps_the_old_amount_for_six_months_across_the_year_end_then_ends() {
    // (decision date, last paid month)
    let cases = [
        (d(2022, 9, 15), m(2023, 3)),
        (d(2022, 11, 2), m(2023, 5)),
        (d(2022, 12, 31), m(2023, 6)),
    ];
    for (decided_on, last) in cases {
        let mut e = enrolled();
        let event = e
            .start_gradual_exit(decided_on, GradualExitReason::Employment, &params())
            .unwrap();
        assert!(matches!(
            event,
            EnrollmentEvent::Changed { reason: ChangeReason::GradualExitStarted, monthly_amount: Fen(59_900), gradual_exit_last_month: Some(l), .. } if l == last
        ));
        let exit_months = e.payment_months(Month::of(decided_on).next(), last.plus(2));
        assert_eq!(exit_months.len(), 6, "{decided_on}");
        assert!(exit_months.iter().all(|(_, a)| *a == Fen(59_900)));
        assert_eq!(exit_months.last().map(|(mo, _)| *mo), Some(last));
        assert_eq!(e.finish_gradual_exit(last.first_day()), None);
        assert!(matches!(
            e.finish_gradual_exit(last.next().first_day()),
            Some(EnrollmentEvent::Ended {
                reason: EndReason::GradualExitCompleted,
                ..
            })
        ));
    }
}

#[test]
fn the_gradual_exit_length_follows_the_reason() {
    let mut p = params();
    p.gradual_exit_months
        .by_reason
        .insert(GradualExitReason::DisabledMemberEmployed, 36);
    let mut e = enrolled();
    e.start_gradual_exit(
        d(2022, 9, 15),
        GradualExitReason::DisabledMemberEmployed,
        &p,
    )
    .unwrap();
    assert_eq!(e.gradual_exit().map(|x| x.last_month), Some(m(2025, 9)));
}

#[test]
fn the_amount_is_frozen_during_gradual_exit_and_gradual_exit_is_for_dibao_only() {
    let mut e = enrolled();
    e.start_gradual_exit(d(2022, 9, 15), GradualExitReason::Employment, &params())
        .unwrap();
    assert_eq!(
        e.change_amount(d(2022, 10, 1), Fen(10_000), ChangeReason::MembersChanged),
        Err(EnrollmentError::GradualExitRunning(m(2023, 3)))
    );
    assert_eq!(
        e.record_review(d(2022, 10, 1), ReviewOutcome::Unchanged, 12),
        Err(EnrollmentError::GradualExitRunning(m(2023, 3)))
    );

    let (mut marginal, _) = Enrollment::start(NewEnrollment {
        id: Uuid::nil(),
        application_id: Uuid::nil(),
        household_id: Uuid::nil(),
        programme: Programme::Marginal,
        confirmed_on: d(2022, 4, 20),
        monthly_amount: Fen::ZERO,
        review_interval_months: 12,
    });
    assert_eq!(
        marginal.start_gradual_exit(d(2022, 9, 15), GradualExitReason::Employment, &params()),
        Err(EnrollmentError::NoGradualExit(Programme::Marginal))
    );
}

#[test]
fn the_month_of_death_is_the_last_paid_and_later_payments_are_listed_for_recovery() {
    let mut e = enrolled();
    let event = e.end_on_death(d(2022, 8, 3), d(2022, 10, 12)).unwrap();
    assert!(
        matches!(event, EnrollmentEvent::Ended { reason: EndReason::Death, last_month, .. } if last_month == m(2022, 8))
    );
    assert_eq!(e.amount_for(m(2022, 8)), Some(Fen(59_900)));
    assert_eq!(e.amount_for(m(2022, 9)), None);
    // The bank was paid through October before the death record arrived.
    assert_eq!(e.paid_after_end(m(2022, 10)), vec![m(2022, 9), m(2022, 10)]);
    assert_eq!(
        e.change_amount(d(2022, 10, 13), Fen(1), ChangeReason::MembersChanged),
        Err(EnrollmentError::Ended(m(2022, 8)))
    );
}

#[test]
fn a_death_before_the_first_paid_month_leaves_nothing_to_pay() {
    let mut e = enrolled();
    e.end_on_death(d(2022, 4, 28), d(2022, 5, 3)).unwrap();
    assert_eq!(e.payment_months(m(2022, 1), m(2022, 12)), Vec::new());
    assert_eq!(e.paid_after_end(m(2022, 5)), vec![m(2022, 5)]);
}

#[test]
fn a_death_during_gradual_exit_ends_it_early_but_not_after_it_ended() {
    let mut e = enrolled();
    e.start_gradual_exit(d(2022, 9, 15), GradualExitReason::Employment, &params())
        .unwrap();
    e.end_on_death(d(2022, 12, 5), d(2022, 12, 20)).unwrap();
    assert_eq!(
        e.end().map(|x| (x.last_month, x.reason)),
        Some((m(2022, 12), EndReason::Death))
    );

    let mut finished = enrolled();
    finished
        .start_gradual_exit(d(2022, 9, 15), GradualExitReason::Employment, &params())
        .unwrap();
    assert_eq!(
        finished.end_on_death(d(2023, 6, 1), d(2023, 6, 5)),
        Err(EnrollmentError::Ended(m(2023, 3)))
    );
    assert_eq!(
        finished
            .stop(d(2022, 11, 30), EndReason::MovedAway)
            .ok()
            .map(|_| finished.end().map(|x| x.last_month)),
        Some(Some(m(2022, 11)))
    );
}

#[test]
fn steps_dated_before_confirmation_are_refused() {
    let mut e = enrolled();
    assert_eq!(
        e.stop(d(2022, 4, 1), EndReason::MovedAway),
        Err(EnrollmentError::BeforeConfirmation(d(2022, 4, 1)))
    );
}

#[test]
fn a_standard_raised_back_to_a_paid_month_replaces_that_months_amount_and_keeps_the_later_changes()
{
    let mut e = enrolled();
    // A review in August 2022 raised the amount from September.
    e.record_review(d(2022, 8, 10), ReviewOutcome::Increase(Fen(62_000)), 12)
        .unwrap();
    // In October the standard raised with effect from July is announced: July and August follow
    // it (the run pays the difference); September keeps the review's own amount until the
    // approvers recompute it.
    let event = e
        .follow_standard(m(2022, 7), Fen(66_500), d(2022, 10, 8))
        .unwrap();
    assert_eq!(
        event,
        EnrollmentEvent::Changed {
            enrollment_id: e.id,
            reason: ChangeReason::StandardRaised,
            monthly_amount: Fen(66_500),
            effective_month: m(2022, 7),
            gradual_exit_last_month: None,
        }
    );
    let history: Vec<_> = e
        .amounts()
        .iter()
        .map(|p| (p.from, p.amount, p.reason))
        .collect();
    assert_eq!(
        history,
        [
            (m(2022, 5), Fen(59_900), None),
            (m(2022, 7), Fen(66_500), Some(ChangeReason::StandardRaised)),
            (m(2022, 9), Fen(62_000), Some(ChangeReason::ReviewIncrease)),
        ]
    );
    assert_eq!(e.amount_for(m(2022, 8)), Some(Fen(66_500)));
    // The same month again replaces its amount; before the start it applies from the start.
    e.follow_standard(m(2022, 7), Fen(67_000), d(2022, 10, 9))
        .unwrap();
    e.follow_standard(m(2022, 1), Fen(60_500), d(2022, 10, 9))
        .unwrap();
    assert_eq!(
        (
            e.amount_for(m(2022, 5)),
            e.amount_for(m(2022, 7)),
            e.amounts().len()
        ),
        (Some(Fen(60_500)), Some(Fen(67_000)), 3)
    );
    // A gradual exit keeps the old amount.
    e.start_gradual_exit(d(2022, 11, 1), GradualExitReason::Employment, &params())
        .unwrap();
    assert_eq!(
        e.follow_standard(m(2022, 12), Fen(70_000), d(2022, 11, 2)),
        Err(EnrollmentError::GradualExitRunning(m(2023, 5)))
    );
}
