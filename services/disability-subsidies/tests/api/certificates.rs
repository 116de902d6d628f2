//! Certificate changes, re-assessments, revocations and expiry: the rate, the stops and the
//! reminders that follow.

use super::support::*;

fn expiring(id: &str, level: u8, issued_on: &str, expires_on: &str) -> CertificateIssued {
    let mut c = certificate(id, level, issued_on, LIANGLU_VILLAGE);
    c.expires_on = date(expires_on);
    c
}

async fn wait_changed(app: &TestApp, id: &str) -> SubsidyChanged {
    let r = person_ref(id);
    eventually("the rate changes", WAIT, || async {
        app.events::<SubsidyChanged>()
            .await
            .into_iter()
            .map(|(_, e)| e)
            .find(|e| e.person_ref.as_str() == r)
    })
    .await
}

async fn wait_ended(app: &TestApp, id: &str, n: usize) -> Vec<SubsidyEnded> {
    let r = person_ref(id);
    eventually("the subsidies end", WAIT, || async {
        let ended: Vec<SubsidyEnded> = app
            .events::<SubsidyEnded>()
            .await
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| e.person_ref.as_str() == r)
            .collect();
        (ended.len() >= n).then_some(ended)
    })
    .await
}

#[tokio::test]
async fn a_level_change_keeps_the_old_rate_through_the_month_of_the_change() {
    let app = spawn().await;
    let holder = id_number("50011219700111123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 2, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let granted = wait_granted(&app, &holder, SubsidyKind::Nursing).await;
    assert_eq!(granted.monthly_amount_fen, 10_000, "level 2");

    on_day("2026-04-20");
    app.publish(&changed(&holder, 1, "2026-04-20", "2031-04-20"))
        .await;
    let change = wait_changed(&app, &holder).await;
    assert_eq!(
        (
            change.reason,
            change.effective_month,
            change.monthly_amount_fen,
            change.subsidy_id
        ),
        (
            SubsidyChangeReason::LevelChanged,
            month("2026-05"),
            11_000,
            granted.subsidy_id
        )
    );

    let batch = pay(&app, "2026-05").await;
    let lines: Vec<(String, i64, i64)> = lines_of(&app, &batch, &holder)
        .await
        .into_iter()
        .map(|(m, a, l, _)| (m, a, l))
        .collect();
    let expected: Vec<(String, i64, i64)> = [
        ("2026-01", 10_000, 2),
        ("2026-02", 10_000, 2),
        ("2026-03", 10_000, 2),
        ("2026-04", 10_000, 2),
        ("2026-05", 11_000, 1),
    ]
    .iter()
    .map(|(m, a, l)| ((*m).to_owned(), *a, *l))
    .collect();
    assert_eq!(
        lines, expected,
        "April, the month of the change, at the old rate"
    );
}

#[tokio::test]
async fn during_a_reassessment_the_old_grade_keeps_paying_past_the_expiry_until_the_outcome() {
    let app = spawn().await;
    let holder = id_number("50011219700112123");
    on_day("2026-01-10");
    app.publish(&expiring(&holder, 2, "2026-01-10", "2026-03-31"))
        .await;
    wait_granted(&app, &holder, SubsidyKind::Nursing).await;

    on_day("2026-03-05");
    let path = format!("/v1/holders/{}/reassessment", person_ref(&holder));
    let other = TestApp::token(Role::TownshipClerk, "500112017");
    let (status, _) = app
        .post(&path, &other, &json!({ "since": "2026-03-01" }))
        .await;
    assert_eq!(status, 404, "another township does not see the holder");
    let clerk = TestApp::token(Role::TownshipClerk, LIANGLU);
    let (status, body) = app
        .post(&path, &clerk, &json!({ "since": "2026-03-01" }))
        .await;
    assert_eq!(status, 200, "{body}");

    let summary = compare(&app, "2026-05").await;
    assert_eq!(
        summary["stopped"], 0,
        "an expiry under re-assessment does not stop"
    );
    wait_case(&app, &holder, "nursing", "still granted", |c| {
        c["status"] == "granted"
    })
    .await;

    on_day("2026-06-10");
    app.publish(&changed(&holder, 1, "2026-06-10", "2032-06-10"))
        .await;
    let change = wait_changed(&app, &holder).await;
    assert_eq!(
        (change.effective_month, change.monthly_amount_fen),
        (month("2026-07"), 11_000)
    );
    let batch = pay(&app, "2026-07").await;
    let lines = lines_of(&app, &batch, &holder).await;
    assert_eq!(lines.len(), 7, "{lines:?}");
    assert!(
        lines[..6]
            .iter()
            .all(|(_, a, l, _)| (*a, *l) == (10_000, 2)),
        "the old grade through June, the month of the outcome: {lines:?}"
    );
    assert_eq!((lines[6].0.as_str(), lines[6].1), ("2026-07", 11_000));
}

#[tokio::test]
async fn an_expired_certificate_is_reminded_six_months_before_and_stops_after_its_month() {
    let app = spawn().await;
    let holder = id_number("50011219700113123");
    on_day("2026-01-10");
    app.publish(&expiring(&holder, 1, "2026-01-10", "2026-09-15"))
        .await;
    wait_granted(&app, &holder, SubsidyKind::Nursing).await;
    let clerk = TestApp::token(Role::TownshipClerk, LIANGLU);
    let reminders = format!("/v1/reminders?person_ref={}", person_ref(&holder));

    compare(&app, "2026-02").await;
    let (status, page) = app.get(&reminders, &clerk).await;
    assert_eq!(
        (status, &page["items"]),
        (200, &json!([])),
        "seven months before: not yet"
    );

    let summary = compare(&app, "2026-03").await;
    assert_eq!(summary["reminders"], 1, "{summary}");
    let (_, page) = app.get(&reminders, &clerk).await;
    assert_eq!(page["items"][0]["expires_on"], "2026-09-15");
    assert_eq!(page["items"][0]["due_month"], "2026-03");
    assert_eq!(page["items"][0]["township_code"], LIANGLU);
    compare(&app, "2026-04").await;
    let (_, page) = app.get("/v1/reminders?due_month=2026-03", &clerk).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "raised once");
    let (_, page) = app
        .get(
            &reminders,
            &TestApp::token(Role::TownshipClerk, "500112017"),
        )
        .await;
    assert_eq!(page["items"], json!([]), "another township sees none");
    let (status, _) = app
        .get(
            &reminders,
            &TestApp::token(Role::VillageStaff, LIANGLU_VILLAGE),
        )
        .await;
    assert_eq!(status, 403);
    let (status, problem) = app.get("/v1/reminders?cursor=nonsense", &clerk).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("cursor"))
    );

    let summary = compare(&app, "2026-09").await;
    assert_eq!(summary["stopped"], 0, "valid on the first of September");
    let summary = compare(&app, "2026-10").await;
    assert_eq!(summary["stopped"], 1);
    let ended = wait_ended(&app, &holder, 1).await;
    assert_eq!(
        (ended[0].reason, ended[0].end_month),
        (SubsidyEndReason::CertificateExpired, month("2026-09")),
        "the month of the expiry is the last paid"
    );
}

#[tokio::test]
async fn a_revoked_certificate_stops_both_subsidies_with_the_month_of_the_revocation() {
    let app = spawn().await;
    let holder = id_number("50011219700114123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    app.publish(&dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20"))
        .await;
    wait_granted(&app, &holder, SubsidyKind::Living).await;
    wait_granted(&app, &holder, SubsidyKind::Nursing).await;
    on_day("2026-05-12");
    app.publish(&CertificateRevoked {
        certificate_number: CertificateNumber::parse(&format!("{holder}41")).unwrap(),
        id_number: WireId::parse(&holder).unwrap(),
        reason: RevocationReason::Fraudulent,
        revoked_on: date("2026-05-12"),
    })
    .await;
    let ended = wait_ended(&app, &holder, 2).await;
    for e in &ended {
        assert_eq!(
            (e.reason, e.end_month),
            (SubsidyEndReason::CertificateRevoked, month("2026-05")),
            "{:?}",
            e.kind
        );
    }
    let (_, view) = app
        .get(&format!("/v1/holders/{}", person_ref(&holder)), &officer())
        .await;
    assert_eq!(view["revoked_on"], "2026-05-12");
}

#[tokio::test]
async fn a_revocation_for_death_stops_as_a_death_and_one_arriving_first_opens_nothing() {
    let app = spawn().await;
    let dead = id_number("50011219400115123");
    on_day("2026-01-10");
    app.publish(&certificate(&dead, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    wait_granted(&app, &dead, SubsidyKind::Nursing).await;
    on_day("2026-06-03");
    app.publish(&CertificateRevoked {
        certificate_number: CertificateNumber::parse(&format!("{dead}41")).unwrap(),
        id_number: WireId::parse(&dead).unwrap(),
        reason: RevocationReason::Death,
        revoked_on: date("2026-06-03"),
    })
    .await;
    let ended = wait_ended(&app, &dead, 1).await;
    assert_eq!(
        (ended[0].reason, ended[0].end_month),
        (SubsidyEndReason::Death, month("2026-05"))
    );

    let early = id_number("50011219700116123");
    on_day("2026-03-01");
    app.publish(&CertificateRevoked {
        certificate_number: CertificateNumber::parse(&format!("{early}41")).unwrap(),
        id_number: WireId::parse(&early).unwrap(),
        reason: RevocationReason::Surrendered,
        revoked_on: date("2026-03-01"),
    })
    .await;
    let path = format!("/v1/holders/{}", person_ref(&early));
    // The revocation is applied before the certificate is even published.
    eventually("the revocation is recorded", WAIT, || async {
        let (status, view) = app.get(&path, &officer()).await;
        (status == 200 && view["revoked_on"] == "2026-03-01").then_some(())
    })
    .await;
    on_day("2026-03-02");
    app.publish(&certificate(&early, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    eventually("the certificate is recorded", WAIT, || async {
        let (status, view) = app.get(&path, &officer()).await;
        (status == 200 && view["level"] == 1 && view["revoked_on"] == "2026-03-01").then_some(())
    })
    .await;
    let (_, cases) = app
        .get(
            &format!("/v1/subsidies?person_ref={}", person_ref(&early)),
            &officer(),
        )
        .await;
    assert_eq!(
        cases["items"],
        json!([]),
        "a revoked certificate opens nothing"
    );
}

#[tokio::test]
async fn a_certificate_reaching_the_mesh_late_is_back_paid_at_most_three_months() {
    let app = spawn().await;
    // Issued in January, delivered by the federation's feed in July: paid from July, not January.
    // Whatever the feed says it sent it (`ce-time`): the day it was received counts.
    let late = id_number("50011219600101123");
    on_day("2026-07-15");
    app.publish_at(
        &certificate(&late, 1, "2026-01-10", LIANGLU_VILLAGE),
        "2026-01-10T12:00:00+08:00".parse().unwrap(),
    )
    .await;
    assert_eq!(
        wait_granted(&app, &late, SubsidyKind::Nursing)
            .await
            .start_month,
        month("2026-07")
    );
    // Issued in January, delivered in March: within the window, paid from January.
    let prompt = id_number("50011219600102123");
    on_day("2026-03-01");
    app.publish(&certificate(&prompt, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    assert_eq!(
        wait_granted(&app, &prompt, SubsidyKind::Nursing)
            .await
            .start_month,
        month("2026-01")
    );
}
