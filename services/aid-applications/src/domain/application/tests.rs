use chrono::NaiveDate;
use uuid::Uuid;

use super::*;
use crate::domain::actor::Office;
use crate::domain::calendar;
use crate::domain::integrity::{DutyConflict, StaffRelation};
use crate::domain::programme::Programme;
use crate::domain::reference::seed;

const TOWNSHIP: &str = "500112016";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn id(n: u128) -> ActorId {
    ActorId(Uuid::from_u128(n))
}

fn township(n: u128) -> Actor {
    Actor {
        id: id(n),
        office: Office::Township {
            code: TOWNSHIP.into(),
        },
    }
}

fn other_township(n: u128) -> Actor {
    Actor {
        id: id(n),
        office: Office::Township {
            code: "500112017".into(),
        },
    }
}

fn district(n: u128) -> Actor {
    Actor {
        id: id(n),
        office: Office::District,
    }
}

fn village(n: u128) -> Actor {
    Actor {
        id: id(n),
        office: Office::Village {
            code: "500112016001".into(),
        },
    }
}

// Staff: 1 took the application in, 2 and 3 investigate, 4 reviews, 5 is the township head,
// 10 decides for the district, 11 makes the district's home visit.
const CLERK: u128 = 1;
const REVIEWER: u128 = 4;
const HEAD: u128 = 5;
const DISTRICT: u128 = 10;
const VISITOR: u128 = 11;

fn assessment(eligible: bool) -> Assessment {
    Assessment {
        programme: Programme::Dibao,
        eligible,
        reasons: if eligible {
            Vec::new()
        } else {
            vec!["income above the line".into()]
        },
        monthly_amount: if eligible { Fen(59_900) } else { Fen::ZERO },
        terms: Vec::new(),
        parameters_on: d(2022, 10, 10),
    }
}

fn submitted(relatives: StaffRelativeLookup) -> Application {
    let (app, event) = Application::submit(NewApplication {
        id: Uuid::from_u128(100),
        household_id: Uuid::from_u128(200),
        claim: Claim::Dibao,
        channel: Channel::Window,
        township: TOWNSHIP.into(),
        submitted_on: d(2022, 9, 26),
        submitted_by: id(CLERK),
        staff_relatives: relatives,
    });
    assert!(
        matches!(event, ApplicationEvent::Submitted { staff_relative, .. } if staff_relative == app.staff_relatives.is_registered())
    );
    app
}

fn relatives() -> StaffRelativeLookup {
    StaffRelativeLookup::Registered {
        relations: vec![StaffRelation {
            staff: id(77),
            office: Office::Village {
                code: "500112016001".into(),
            },
            relation: "子 son".into(),
        }],
    }
}

type Step<'a> = (
    Status,
    &'a dyn Fn(&mut Application) -> Result<ApplicationEvent, ApplicationError>,
);

/// Walks the procedure up to `until` (inclusive) with the regular actors.
fn walk(relatives: StaffRelativeLookup, until: Status) -> Application {
    let cal = calendar::seed();
    let params = seed();
    let mut app = submitted(relatives);
    let steps: [Step<'_>; 5] = [
        (Status::Accepted, &|a| {
            a.accept(&township(CLERK), d(2022, 9, 28), &cal, &params)
        }),
        (Status::Investigating, &|a| {
            a.start_investigation(
                &township(CLERK),
                &[id(2), id(3)],
                d(2022, 9, 29),
                &cal,
                &params,
            )
        }),
        (Status::Reviewed, &|a| {
            a.review(&township(REVIEWER), d(2022, 10, 10), &assessment(true))
        }),
        (Status::InPublicity, &|a| {
            a.open_publicity(&township(REVIEWER), d(2022, 10, 11), &params)
        }),
        (Status::PublicityClosed, &|a| {
            a.close_publicity(&township(REVIEWER), d(2022, 10, 18))
        }),
    ];
    for (status, step) in steps {
        if app.status() == until {
            break;
        }
        step(&mut app).unwrap();
        assert_eq!(app.status(), status);
    }
    app
}

#[test]
fn an_application_goes_from_submission_to_filing_and_each_step_says_what_happened() {
    let cal = calendar::seed();
    let params = seed();
    let mut app = submitted(StaffRelativeLookup::NotRegistered);

    let accepted = app
        .accept(&township(CLERK), d(2022, 9, 28), &cal, &params)
        .unwrap();
    // 3 working days after Wednesday 9-28: Thu, Fri, then National Day; the adjusted Saturday 10-8.
    assert!(
        matches!(accepted, ApplicationEvent::Accepted { investigation_due, .. } if investigation_due == d(2022, 10, 8))
    );

    let started = app
        .start_investigation(
            &township(CLERK),
            &[id(2), id(3), id(2)],
            d(2022, 9, 29),
            &cal,
            &params,
        )
        .unwrap();
    assert!(
        matches!(&started, ApplicationEvent::VerificationRequested { investigators, late: false, round: 1, .. } if investigators.len() == 2)
    );

    let reviewed = app
        .review(&township(REVIEWER), d(2022, 10, 10), &assessment(true))
        .unwrap();
    assert!(matches!(
        reviewed,
        ApplicationEvent::Reviewed {
            proposed_monthly_amount: Fen(59_900),
            ..
        }
    ));

    let opened = app
        .open_publicity(&township(REVIEWER), d(2022, 10, 11), &params)
        .unwrap();
    assert!(
        matches!(opened, ApplicationEvent::PublicityOpened { round: 1, closes_on, .. } if closes_on == d(2022, 10, 17))
    );

    app.close_publicity(&township(REVIEWER), d(2022, 10, 18))
        .unwrap();
    let decided = app
        .confirm(
            &district(DISTRICT),
            TownshipAuthority::DistrictConfirms,
            d(2022, 10, 31),
        )
        .unwrap();
    match decided {
        ApplicationEvent::Decided {
            outcome:
                Outcome::Approved {
                    monthly_amount,
                    start_month,
                },
            level,
            ..
        } => {
            assert_eq!(monthly_amount, Fen(59_900));
            assert_eq!(start_month, Month::new(2022, 11).unwrap());
            assert_eq!(level, DecisionLevel::District);
        }
        other => panic!("unexpected {other:?}"),
    }
    let filed = app
        .file(&township(CLERK), d(2022, 11, 4), &cal, &params)
        .unwrap();
    // 5 working days after Monday 10-31 is Monday 11-7.
    assert!(
        matches!(filed, ApplicationEvent::Filed { due, late: false, .. } if due == d(2022, 11, 7))
    );
    assert_eq!(app.status(), Status::Filed);
    assert!(
        !app.deadlines(&cal, &params)
            .unwrap()
            .is_overdue(d(2023, 1, 1))
    );
}

#[test]
fn a_township_with_delegated_authority_confirms_itself() {
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::PublicityClosed);
    let event = app
        .confirm(
            &township(HEAD),
            TownshipAuthority::Delegated,
            d(2022, 10, 19),
        )
        .unwrap();
    assert!(matches!(
        event,
        ApplicationEvent::Decided {
            level: DecisionLevel::Township,
            ..
        }
    ));
}

#[test]
fn a_township_without_delegated_authority_cannot_confirm() {
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::PublicityClosed);
    assert_eq!(
        app.confirm(
            &township(HEAD),
            TownshipAuthority::DistrictConfirms,
            d(2022, 10, 19)
        ),
        Err(ApplicationError::NoDelegatedAuthority)
    );
    assert_eq!(app.status(), Status::PublicityClosed);
}

#[test]
fn only_the_district_or_the_applications_own_township_can_decide() {
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::PublicityClosed);
    for actor in [village(HEAD), other_township(HEAD)] {
        assert!(matches!(
            app.confirm(&actor, TownshipAuthority::Delegated, d(2022, 10, 19)),
            Err(ApplicationError::WrongOffice { .. })
        ));
    }
}

#[test]
fn the_investigator_or_the_clerk_who_took_the_application_cannot_review_or_confirm() {
    // (actor who tries, their earlier role)
    let cases = [
        (2, Duty::Investigation),
        (3, Duty::Investigation),
        (CLERK, Duty::Submission),
    ];
    for (who, earlier) in cases {
        let mut app = walk(StaffRelativeLookup::NotRegistered, Status::Investigating);
        assert_eq!(
            app.review(&township(who), d(2022, 10, 10), &assessment(true)),
            Err(ApplicationError::Duty(DutyConflict::EarlierRole {
                actor: id(who),
                earlier,
                attempted: Duty::Review
            }))
        );
        let mut app = walk(StaffRelativeLookup::NotRegistered, Status::PublicityClosed);
        assert_eq!(
            app.confirm(
                &township(who),
                TownshipAuthority::Delegated,
                d(2022, 10, 19)
            ),
            Err(ApplicationError::Duty(DutyConflict::EarlierRole {
                actor: id(who),
                earlier,
                attempted: Duty::Decision
            }))
        );
        assert_eq!(
            app.reject(
                &township(who),
                d(2022, 10, 19),
                &["income above the line".into()]
            ),
            Err(ApplicationError::Duty(DutyConflict::EarlierRole {
                actor: id(who),
                earlier,
                attempted: Duty::Decision
            }))
        );
    }
}

#[test]
fn a_staff_relative_cannot_be_confirmed_by_a_township_even_with_delegated_authority() {
    let mut app = walk(relatives(), Status::PublicityClosed);
    assert_eq!(
        app.confirm(
            &township(HEAD),
            TownshipAuthority::Delegated,
            d(2022, 10, 19)
        ),
        Err(ApplicationError::StaffRelativeNeedsDistrict)
    );
}

#[test]
fn a_staff_relative_needs_the_districts_home_visit_before_the_district_confirms() {
    let mut app = walk(relatives(), Status::PublicityClosed);
    assert_eq!(
        app.confirm(
            &district(DISTRICT),
            TownshipAuthority::Delegated,
            d(2022, 10, 19)
        ),
        Err(ApplicationError::DistrictHomeVisitMissing)
    );
    assert!(matches!(
        app.record_district_home_visit(&township(HEAD), d(2022, 10, 19)),
        Err(ApplicationError::WrongOffice { .. })
    ));
    app.record_district_home_visit(&district(VISITOR), d(2022, 10, 19))
        .unwrap();
    // The visitor investigated, so another district officer decides.
    assert!(matches!(
        app.confirm(
            &district(VISITOR),
            TownshipAuthority::Delegated,
            d(2022, 10, 20)
        ),
        Err(ApplicationError::Duty(_))
    ));
    app.confirm(
        &district(DISTRICT),
        TownshipAuthority::Delegated,
        d(2022, 10, 20),
    )
    .unwrap();
    assert_eq!(app.status(), Status::Confirmed);
}

#[test]
fn the_staff_member_related_to_the_household_cannot_investigate_it() {
    let cal = calendar::seed();
    let params = seed();
    let mut app = walk(relatives(), Status::Accepted);
    assert_eq!(
        app.start_investigation(
            &township(CLERK),
            &[id(77), id(3)],
            d(2022, 9, 29),
            &cal,
            &params
        ),
        Err(ApplicationError::Duty(DutyConflict::Relative {
            actor: id(77),
            attempted: Duty::Investigation
        }))
    );
}

#[test]
fn a_home_visit_needs_two_different_staff() {
    let cal = calendar::seed();
    let params = seed();
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::Accepted);
    assert_eq!(
        app.start_investigation(
            &township(CLERK),
            &[id(2), id(2)],
            d(2022, 9, 29),
            &cal,
            &params
        ),
        Err(ApplicationError::TooFewInvestigators(1))
    );
}

#[test]
fn an_objection_during_publicity_sends_the_case_back_to_investigation() {
    let cal = calendar::seed();
    let params = seed();
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::InPublicity);
    assert_eq!(
        app.lodge_objection(&village(30), d(2022, 10, 13), "  "),
        Err(ApplicationError::TextRequired("the objection's summary"))
    );
    let event = app
        .lodge_objection(&village(30), d(2022, 10, 13), "the son works in the city")
        .unwrap();
    assert!(matches!(
        event,
        ApplicationEvent::ObjectionLodged { round: 1, .. }
    ));
    assert_eq!(app.status(), Status::Investigating);
    assert!(app.objection_pending());
    assert_eq!(app.proposed_amount(), None);

    // Neither closing nor confirming is possible, and no review until re-investigated.
    assert!(matches!(
        app.close_publicity(&township(REVIEWER), d(2022, 10, 18)),
        Err(ApplicationError::WrongStatus { .. })
    ));
    assert!(matches!(
        app.confirm(
            &district(DISTRICT),
            TownshipAuthority::Delegated,
            d(2022, 10, 18)
        ),
        Err(ApplicationError::WrongStatus { .. })
    ));
    assert_eq!(
        app.review(&township(REVIEWER), d(2022, 10, 14), &assessment(true)),
        Err(ApplicationError::ReinvestigationRequired)
    );

    let again = app
        .start_investigation(
            &township(CLERK),
            &[id(6), id(7)],
            d(2022, 10, 14),
            &cal,
            &params,
        )
        .unwrap();
    assert!(matches!(
        again,
        ApplicationEvent::VerificationRequested { round: 2, .. }
    ));
    app.review(&township(REVIEWER), d(2022, 10, 17), &assessment(true))
        .unwrap();
    let reopened = app
        .open_publicity(&township(REVIEWER), d(2022, 10, 18), &params)
        .unwrap();
    assert!(matches!(
        reopened,
        ApplicationEvent::PublicityOpened { round: 2, .. }
    ));
}

#[test]
fn publicity_cannot_close_before_its_seven_days() {
    // Opened Tuesday 2022-10-11: on the board through 10-17, closable from 10-18.
    let cases = [
        (d(2022, 10, 11), false),
        (d(2022, 10, 16), false),
        (d(2022, 10, 17), false),
        (d(2022, 10, 18), true),
        (d(2022, 10, 25), true),
    ];
    for (on, closes) in cases {
        let mut app = walk(StaffRelativeLookup::NotRegistered, Status::InPublicity);
        let result = app.close_publicity(&township(REVIEWER), on);
        if closes {
            assert!(result.is_ok(), "{on}: {result:?}");
        } else {
            assert_eq!(
                result,
                Err(ApplicationError::PublicityNotElapsed {
                    closes_on: d(2022, 10, 17),
                    earliest: d(2022, 10, 18)
                }),
                "{on}"
            );
        }
    }
}

#[test]
fn a_rejection_without_written_reasons_is_refused() {
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::Investigating);
    for reasons in [Vec::new(), vec![String::new(), "   ".to_owned()]] {
        assert_eq!(
            app.reject(&township(REVIEWER), d(2022, 10, 10), &reasons),
            Err(ApplicationError::ReasonsRequired)
        );
    }
    let event = app
        .reject(
            &township(REVIEWER),
            d(2022, 10, 10),
            &[" household income is above the line ".into()],
        )
        .unwrap();
    assert!(
        matches!(event, ApplicationEvent::Decided { outcome: Outcome::Rejected { reasons }, .. } if reasons == ["household income is above the line"])
    );
}

#[test]
fn rejection_is_possible_from_acceptance_to_the_end_of_publicity_only() {
    let reasons = ["property over the limits".to_owned()];
    let cases = [
        (Status::Submitted, false),
        (Status::Accepted, true),
        (Status::Investigating, true),
        (Status::Reviewed, true),
        (Status::InPublicity, true),
        (Status::PublicityClosed, true),
    ];
    for (status, allowed) in cases {
        let mut app = walk(StaffRelativeLookup::NotRegistered, status);
        assert_eq!(app.status(), status);
        assert_eq!(
            app.reject(&district(DISTRICT), d(2022, 10, 20), &reasons)
                .is_ok(),
            allowed,
            "{status:?}"
        );
    }
    let mut confirmed = walk(StaffRelativeLookup::NotRegistered, Status::PublicityClosed);
    confirmed
        .confirm(
            &district(DISTRICT),
            TownshipAuthority::DistrictConfirms,
            d(2022, 10, 20),
        )
        .unwrap();
    assert!(matches!(
        confirmed.reject(&district(DISTRICT), d(2022, 10, 21), &reasons),
        Err(ApplicationError::WrongStatus { .. })
    ));
}

#[test]
fn the_review_only_proposes_what_an_eligible_assessment_of_the_claim_supports() {
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::Investigating);
    assert!(matches!(
        app.review(&township(REVIEWER), d(2022, 10, 10), &assessment(false)),
        Err(ApplicationError::AssessmentRefused(_))
    ));
    let mut marginal = assessment(true);
    marginal.programme = Programme::Marginal;
    assert!(matches!(
        app.review(&township(REVIEWER), d(2022, 10, 10), &marginal),
        Err(ApplicationError::AssessmentRefused(_))
    ));
    assert!(matches!(
        app.review(&district(DISTRICT), d(2022, 10, 10), &assessment(true)),
        Err(ApplicationError::WrongOffice { .. })
    ));
}

#[test]
fn a_township_cannot_act_on_another_townships_application() {
    let cal = calendar::seed();
    let params = seed();
    let mut app = submitted(StaffRelativeLookup::NotRegistered);
    assert!(matches!(
        app.accept(&other_township(9), d(2022, 9, 28), &cal, &params),
        Err(ApplicationError::WrongOffice { .. })
    ));
}

#[test]
fn a_step_dated_before_the_previous_one_is_refused() {
    let cal = calendar::seed();
    let params = seed();
    let mut app = submitted(StaffRelativeLookup::NotRegistered);
    assert_eq!(
        app.accept(&township(CLERK), d(2022, 9, 25), &cal, &params),
        Err(ApplicationError::DateBeforePreviousStep {
            on: d(2022, 9, 25),
            previous: d(2022, 9, 26)
        })
    );
}

#[test]
fn an_investigation_not_started_in_time_is_listed_as_overdue_and_flagged_late() {
    let cal = calendar::seed();
    let params = seed();
    let app = walk(StaffRelativeLookup::NotRegistered, Status::Accepted);
    let deadlines = app.deadlines(&cal, &params).unwrap();
    let due = deadlines.get(Stage::InvestigationStart).unwrap().due;
    assert_eq!(due, d(2022, 10, 8));
    assert!(!deadlines.is_overdue(d(2022, 10, 8)));
    assert!(deadlines.is_overdue(d(2022, 10, 9)));

    let others = [submitted(StaffRelativeLookup::NotRegistered), app.clone()];
    let list = list_overdue(&others, d(2022, 10, 9), &cal, &params).unwrap();
    assert_eq!(
        list,
        vec![Overdue {
            application_id: app.id,
            stage: Stage::InvestigationStart,
            due
        }]
    );

    let mut late = app;
    let event = late
        .start_investigation(
            &township(CLERK),
            &[id(2), id(3)],
            d(2022, 10, 10),
            &cal,
            &params,
        )
        .unwrap();
    assert!(matches!(
        event,
        ApplicationEvent::VerificationRequested { late: true, .. }
    ));
    let deadlines = late.deadlines(&cal, &params).unwrap();
    assert!(!deadlines.is_overdue(d(2022, 10, 10)));
    assert!(deadlines.get(Stage::InvestigationStart).unwrap().was_late());
}

#[test]
fn the_overall_limit_is_thirty_working_days_and_forty_five_once_extended() {
    let cal = calendar::seed();
    let params = seed();
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::Investigating);
    let decision_due = |a: &Application| {
        a.deadlines(&cal, &params)
            .unwrap()
            .get(Stage::Decision)
            .unwrap()
            .due
    };
    // From Monday 2022-09-26: 4 working days in September, the 2 adjusted weekend days after
    // National Day, 16 more in October, 8 in November.
    assert_eq!(decision_due(&app), d(2022, 11, 10));
    assert_eq!(
        app.extend_time_limit(&township(HEAD), d(2022, 10, 12), " "),
        Err(ApplicationError::TextRequired(
            "the reason for the extension"
        ))
    );
    app.extend_time_limit(&township(HEAD), d(2022, 10, 12), "bank records awaited")
        .unwrap();
    assert_eq!(decision_due(&app), d(2022, 12, 1));
    assert_eq!(
        app.extend_time_limit(&township(HEAD), d(2022, 10, 12), "again"),
        Err(ApplicationError::AlreadyExtended)
    );
}

#[test]
fn a_withdrawn_application_has_nothing_overdue() {
    let cal = calendar::seed();
    let params = seed();
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::Accepted);
    app.withdraw(&township(CLERK), d(2022, 9, 30)).unwrap();
    assert!(
        !app.deadlines(&cal, &params)
            .unwrap()
            .is_overdue(d(2023, 6, 1))
    );
    assert!(matches!(
        app.withdraw(&township(CLERK), d(2022, 9, 30)),
        Err(ApplicationError::WrongStatus { .. })
    ));
}

#[test]
fn late_filing_is_flagged_and_overdue_until_done() {
    let cal = calendar::seed();
    let params = seed();
    let mut app = walk(StaffRelativeLookup::NotRegistered, Status::PublicityClosed);
    app.confirm(
        &township(HEAD),
        TownshipAuthority::Delegated,
        d(2022, 10, 19),
    )
    .unwrap();
    let due = app
        .deadlines(&cal, &params)
        .unwrap()
        .get(Stage::Filing)
        .unwrap()
        .due;
    assert_eq!(due, d(2022, 10, 26));
    assert!(
        app.deadlines(&cal, &params)
            .unwrap()
            .is_overdue(d(2022, 10, 27))
    );
    let filed = app
        .file(&township(CLERK), d(2022, 10, 28), &cal, &params)
        .unwrap();
    assert!(matches!(filed, ApplicationEvent::Filed { late: true, .. }));
}
