//! Partner and aid facts arriving in order, out of order and twice: cases opened and stopped.

use contracts::aid::{ChangeReason, EnrollmentChanged};
use kit::testing::eventually;
use sea_orm::{ConnectionTrait, Statement};

use super::support::*;

#[tokio::test]
async fn a_dibao_enrollment_with_a_certified_member_opens_the_living_subsidy_by_itself() {
    let app = spawn().await;
    let holder = id_number("50011219700101123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let nursing = wait_granted(&app, &holder, SubsidyKind::Nursing).await;
    assert_eq!(
        (
            nursing.origin,
            nursing.start_month,
            nursing.monthly_amount_fen
        ),
        (SubsidyOrigin::ActiveDiscovery, month("2026-01"), 11_000)
    );

    let household = Uuid::now_v7();
    app.publish(&dibao(
        household,
        &[&holder, &id_number("50011220100101456")],
        "2026-03",
        "2026-02-20",
    ))
    .await;
    let living = wait_granted(&app, &holder, SubsidyKind::Living).await;
    assert_eq!(living.origin, SubsidyOrigin::ActiveDiscovery);
    assert_eq!(
        living.start_month,
        month("2026-03"),
        "the living subsidy starts with dibao"
    );
    assert_eq!(
        (living.monthly_amount_fen, living.household_id),
        (10_000, Some(household))
    );
    for (raw, _) in app.events::<SubsidyGranted>().await {
        assert!(
            !raw.contains(&holder) && !raw.contains(&holder[6..14]),
            "personal data leaked: {raw}"
        );
    }
}

#[tokio::test]
async fn an_enrollment_before_the_certificate_opens_the_living_subsidy_when_the_certificate_arrives()
 {
    let app = spawn().await;
    let holder = id_number("50011219700202123");
    on_day("2026-02-20");
    app.publish(&dibao(Uuid::now_v7(), &[&holder], "2026-03", "2026-02-20"))
        .await;
    // The certificate of January reaches the mesh the next day.
    on_day("2026-02-21");
    app.publish(&certificate(&holder, 4, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let living = wait_granted(&app, &holder, SubsidyKind::Living).await;
    assert_eq!(living.start_month, month("2026-03"));
    let (_, cases) = app
        .get(
            &format!("/v1/subsidies?person_ref={}", person_ref(&holder)),
            &officer(),
        )
        .await;
    let kinds: Vec<&str> = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["living"],
        "level 4 does not qualify for the nursing subsidy"
    );
}

#[tokio::test]
async fn a_death_record_before_the_certificate_opens_no_case() {
    let app = spawn().await;
    let holder = id_number("50011219500303123");
    on_day("2026-02-03");
    app.publish(&death(&holder, "2026-02-01", "2026-02-03"))
        .await;
    // The death is applied before the certificate is even published.
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let r = person_ref(&holder);
    eventually(
        "the death is recorded",
        std::time::Duration::from_secs(20),
        || async {
            let row = db
                .query_one_raw(sea_orm::Statement::from_sql_and_values(
                    db.get_database_backend(),
                    "SELECT person_ref FROM deaths WHERE person_ref = $1",
                    [r.clone().into()],
                ))
                .await
                .unwrap();
            row.map(|_| ())
        },
    )
    .await;
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let path = format!("/v1/holders/{}", person_ref(&holder));
    let view = eventually(
        "the holder is recorded",
        std::time::Duration::from_secs(20),
        || async {
            let (status, body) = app.get(&path, &officer()).await;
            (status == 200 && body["level"] == 1).then_some(body)
        },
    )
    .await;
    assert_eq!(
        view["id_number"],
        format!("{}********{}", &holder[..6], &holder[14..]),
        "masked by default"
    );
    let (_, cases) = app
        .get(
            &format!("/v1/subsidies?person_ref={}", person_ref(&holder)),
            &officer(),
        )
        .await;
    assert_eq!(
        cases["items"],
        json!([]),
        "nothing is opened for a dead person"
    );
    assert!(
        granted_for(
            &app.events::<SubsidyGranted>().await,
            &holder,
            SubsidyKind::Nursing
        )
        .is_empty()
    );
}

#[tokio::test]
async fn a_death_stops_both_subsidies_in_the_month_of_the_comparison() {
    let app = spawn().await;
    let holder = id_number("50011219600404123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 2, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    app.publish(&dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20"))
        .await;
    wait_granted(&app, &holder, SubsidyKind::Living).await;
    on_day("2026-05-10");
    app.publish(&death(&holder, "2026-04-28", "2026-05-10"))
        .await;
    let ended = app.expect_events::<SubsidyEnded>(2).await;
    for (_, e) in &ended {
        assert_eq!(
            (e.reason, e.end_month),
            (SubsidyEndReason::Death, month("2026-04")),
            "{:?}",
            e.kind
        );
    }
}

#[tokio::test]
async fn leaving_dibao_stops_only_the_living_subsidy_from_the_next_month() {
    let app = spawn().await;
    let holder = id_number("50011219600505123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let started = dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20");
    app.publish(&started).await;
    wait_granted(&app, &holder, SubsidyKind::Living).await;
    app.publish(&EnrollmentEnded {
        enrollment_id: started.enrollment_id,
        household_id: started.household_id,
        programme: Programme::Dibao,
        reason: EndReason::IncomeAboveLine,
        members: started.members.clone(),
        beneficiaries: started.beneficiaries.clone(),
        end_month: month("2026-06"),
        ended_on: date("2026-06-12"),
        township_code: started.township_code.clone(),
        village_code: started.village_code.clone(),
    })
    .await;
    let ended = app.expect_events::<SubsidyEnded>(1).await;
    assert_eq!(
        (ended[0].1.kind, ended[0].1.reason, ended[0].1.end_month),
        (
            SubsidyKind::Living,
            SubsidyEndReason::LeftDibao,
            month("2026-06")
        )
    );
    let (_, cases) = app
        .get(
            &format!(
                "/v1/subsidies?person_ref={}&kind=nursing",
                person_ref(&holder)
            ),
            &officer(),
        )
        .await;
    assert_eq!(
        cases["items"][0]["status"], "granted",
        "the nursing subsidy goes on"
    );
}

#[tokio::test]
async fn extreme_poverty_support_stops_the_living_subsidy_in_the_month_of_the_comparison() {
    let app = spawn().await;
    let holder = id_number("50011219600606123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 3, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    app.publish(&dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20"))
        .await;
    wait_granted(&app, &holder, SubsidyKind::Living).await;
    let mut support = dibao(Uuid::now_v7(), &[&holder], "2026-05", "2026-04-15");
    support.programme = Programme::ExtremePoverty;
    support.support_mode = Some(contracts::aid::SupportMode::Dispersed);
    support.care_level = Some(contracts::aid::CareLevel::FullSelfCare);
    app.publish(&support).await;
    let ended = app.expect_events::<SubsidyEnded>(1).await;
    assert_eq!(
        (ended[0].1.reason, ended[0].1.end_month),
        (SubsidyEndReason::ExtremePovertySupport, month("2026-03"))
    );
}

#[tokio::test]
async fn a_duplicated_enrollment_opens_one_case() {
    let app = spawn().await;
    let holder = id_number("50011219600707123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 4, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let started = dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20");
    let event_id = Uuid::now_v7().to_string();
    app.publish_with_id(&started, &event_id).await;
    app.publish_with_id(&started, &event_id).await;
    app.publish(&started).await;
    // A later enrollment on the same consumer shows the earlier ones were handled.
    let sentinel = id_number("50011219600708123");
    on_day("2026-01-10");
    app.publish(&certificate(&sentinel, 4, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    app.publish(&dibao(
        Uuid::now_v7(),
        &[&sentinel],
        "2026-02",
        "2026-01-20",
    ))
    .await;
    wait_granted(&app, &sentinel, SubsidyKind::Living).await;
    assert_eq!(
        granted_for(
            &app.events::<SubsidyGranted>().await,
            &holder,
            SubsidyKind::Living
        )
        .len(),
        1
    );
}

#[tokio::test]
async fn a_member_the_household_dibao_no_longer_pays_for_leaves_dibao_and_is_not_found_again() {
    let app = spawn().await;
    let holder = id_number("50011219600707123");
    let mother = id_number("50011219400707123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let started = dibao(Uuid::now_v7(), &[&mother, &holder], "2026-02", "2026-01-20");
    app.publish(&started).await;
    wait_granted(&app, &holder, SubsidyKind::Living).await;
    // From June the household's dibao pays for the mother alone (the holder went into
    // extreme-poverty support, which aid announces separately): he is still a member, no longer
    // a beneficiary.
    let changed = EnrollmentChanged {
        enrollment_id: started.enrollment_id,
        household_id: started.household_id,
        programme: Programme::Dibao,
        residence: Residence::Urban,
        support_mode: None,
        care_level: None,
        reason: ChangeReason::MembersChanged,
        members: started.members.clone(),
        beneficiaries: vec![started.members[0].clone()],
        monthly_amount_fen: 63_600,
        effective_month: month("2026-06"),
        gradual_exit_last_month: None,
        changed_on: date("2026-05-20"),
        township_code: started.township_code.clone(),
        village_code: started.village_code.clone(),
    };
    app.publish(&changed).await;
    let ended = app.expect_events::<SubsidyEnded>(1).await;
    assert_eq!(
        (ended[0].1.kind, ended[0].1.reason, ended[0].1.end_month),
        (
            SubsidyKind::Living,
            SubsidyEndReason::LeftDibao,
            month("2026-05")
        )
    );
    // The same change again (another event id) opens no living subsidy for him.
    app.publish(&changed).await;
    let db = database(&app).await;
    eventually(
        "the second change handled",
        std::time::Duration::from_secs(20),
        || async {
            let row = db
                .query_one_raw(Statement::from_sql_and_values(
                    db.get_database_backend(),
                    "SELECT COUNT(*) AS n FROM kit_inbox WHERE subject = $1",
                    ["aid.enrollment.changed.v1".into()],
                ))
                .await
                .ok()??;
            (row.try_get::<i64>("", "n").ok()? >= 2).then_some(())
        },
    )
    .await;
    assert_eq!(
        granted_for(
            &app.events::<SubsidyGranted>().await,
            &holder,
            SubsidyKind::Living
        )
        .len(),
        1
    );
}
