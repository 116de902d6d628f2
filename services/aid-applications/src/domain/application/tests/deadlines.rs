//! The full procedure's events, and its working-day deadlines.

use super::*;

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
