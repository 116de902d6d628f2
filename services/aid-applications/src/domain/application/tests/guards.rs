//! Each refused transition, and the ones the guards let through.

use super::*;

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
