//! The application procedure, the monthly payment run and bank returns.

use super::support::*;

#[tokio::test]
async fn an_application_is_reviewed_by_the_township_and_approved_by_the_district_with_refusals_naming_the_field()
 {
    let app = spawn().await;
    let holder = id_number("50011219800808123");
    // Registered to the township only: the village is unknown, so the case is not opened by
    // itself but handed to the township as "eligible but not claiming".
    on_day("2025-12-05");
    app.publish(&certificate(&holder, 1, "2025-12-05", LIANGLU))
        .await;
    let finding = app.expect_events::<AnomalyDetected>(1).await;
    assert_eq!(finding[0].1.kind, AnomalyKind::EligibleNotClaiming);

    let submitter = TestApp::token_for("clerk-a", Role::TownshipClerk, LIANGLU);
    let (status, problem) = apply(&app, &submitter, &holder, "living", "2026-01-15", "张三").await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (409, Some("kind")),
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["reason"], "not_in_dibao");
    let (status, problem) = apply(
        &app,
        &submitter,
        "500112198008081230",
        "nursing",
        "2026-01-15",
        "张三",
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("id_number")),
        "{problem}"
    );

    let (status, case) = apply(&app, &submitter, &holder, "nursing", "2026-01-15", "张三").await;
    assert_eq!(status, 201, "{case}");
    assert_eq!(
        case["start_month"], "2025-12",
        "back-paid to the certificate's month"
    );
    let path = format!("/v1/subsidies/{}", case["id"].as_str().unwrap());
    let (status, _) = decide(
        &app,
        &format!("{path}/review"),
        &submitter,
        1,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 403, "whoever submitted cannot review");
    let reviewer = TestApp::token_for("clerk-b", Role::TownshipApprover, LIANGLU);
    let (status, problem) = decide(
        &app,
        &format!("{path}/review"),
        &reviewer,
        1,
        json!({ "approve": false }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    let (status, _) = decide(
        &app,
        &format!("{path}/review"),
        &reviewer,
        7,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 412, "a stale version is refused");
    let other_township = TestApp::token_for("clerk-c", Role::TownshipApprover, "500112017");
    let (status, _) = decide(
        &app,
        &format!("{path}/review"),
        &other_township,
        1,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 404, "another township does not see the case");
    let (status, _) = decide(
        &app,
        &format!("{path}/review"),
        &reviewer,
        1,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 200);
    let approver = TestApp::token_for("approver", Role::DistrictApprover, "500112");
    let (status, case) = decide(
        &app,
        &format!("{path}/approval"),
        &approver,
        2,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(
        (status, case["status"].as_str()),
        (200, Some("granted")),
        "{case}"
    );
    let granted = wait_granted(&app, &holder, SubsidyKind::Nursing).await;
    assert_eq!(
        (
            granted.origin,
            granted.start_month,
            granted.monthly_amount_fen
        ),
        (SubsidyOrigin::Application, month("2025-12"), 10_000)
    );
}

#[tokio::test]
async fn the_monthly_run_pays_each_month_at_its_standard_holds_a_mismatched_account_and_reissues_a_return()
 {
    let app = spawn().await;
    let paid = id_number("50011219800909123");
    let mismatched = id_number("50011219800910123");
    for id in [&paid, &mismatched] {
        app.publish(&certificate(id, 1, "2025-11-20", LIANGLU))
            .await;
    }
    app.expect_events::<AnomalyDetected>(2).await;
    grant_by_application(&app, &paid, "nursing", "2026-01-15", "张三").await;
    grant_by_application(&app, &mismatched, "nursing", "2026-01-15", "王五").await;

    // A batch pays the current month or the next one (or an earlier month not yet issued):
    // one issued years ahead is refused, naming the month.
    let far = contracts::common::Month::from_date(kit::clock::today()).plus(3);
    let (status, problem) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": far.to_string() }),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("month")),
        "{problem}"
    );
    let (status, batch) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": "2026-02" }),
        )
        .await;
    assert_eq!(status, 201, "{batch}");
    // 2025-11 and 2025-12 at the (placeholder) 2022 standard, 2026-01 and 2026-02 at the 2026 one.
    assert_eq!(
        (
            batch["line_count"].as_i64(),
            batch["total_fen"].as_i64(),
            batch["held_count"].as_i64()
        ),
        (Some(4), Some(42_000), Some(4))
    );
    let issued = app.expect_events::<PaymentBatchIssued>(1).await;
    assert_eq!(issued[0].1.total_fen, 42_000);
    assert_eq!(issued[0].1.townships[0].township_code.as_str(), LIANGLU);
    let findings = app.expect_events::<AnomalyDetected>(3).await;
    assert!(
        findings
            .iter()
            .any(|(_, f)| f.kind == AnomalyKind::CardNameMismatch
                && f.person_ref.as_str() == person_ref(&mismatched))
    );
    for (raw, _) in &findings {
        assert!(
            !raw.contains("王五") && !raw.contains("6228480000000001"),
            "personal data leaked: {raw}"
        );
    }

    let batch_id = batch["id"].as_str().unwrap();
    let (_, lines) = app
        .get(&format!("/v1/payment-batches/{batch_id}/lines"), &officer())
        .await;
    let lines = lines["items"].as_array().unwrap().clone();
    let ours: Vec<&Value> = lines
        .iter()
        .filter(|l| l["person_ref"] == person_ref(&paid))
        .collect();
    let months: Vec<(&str, i64)> = ours
        .iter()
        .map(|l| {
            (
                l["month"].as_str().unwrap(),
                l["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2025-11", 10_000),
            ("2025-12", 10_000),
            ("2026-01", 11_000),
            ("2026-02", 11_000)
        ]
    );
    assert!(
        ours[0]["trail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str().unwrap().contains("placeholder"))
    );
    assert!(
        lines
            .iter()
            .filter(|l| l["person_ref"] == person_ref(&mismatched))
            .all(|l| l["status"] == "held" && l["hold_reason"] == "card_name_mismatch")
    );
    // Written as arrays, a missing value is stored as NULL, not as '': no account on a held
    // line, no hold reason on an issued one.
    assert!(
        ours.iter()
            .all(|l| l["hold_reason"].is_null() && l["return_reason"].is_null()),
        "{ours:?}"
    );
    let db = database(&app).await;
    let stored = texts(
        &db,
        "SELECT COALESCE(bank_code, 'null') || '|' || COALESCE(account_number, 'null') || '|' \
         || COALESCE(account_holder_name, 'null') || '|' || COALESCE(hold_reason, 'null') \
         FROM payment_lines WHERE person_ref = $1",
        vec![person_ref(&mismatched).into()],
    )
    .await;
    assert!(
        !stored.is_empty()
            && stored
                .iter()
                .all(|s| s == "null|null|null|card_name_mismatch"),
        "{stored:?}"
    );

    let resp = app
        .http
        .get(format!(
            "{}/v1/payment-batches/{batch_id}/bank-file",
            app.base
        ))
        .bearer_auth(officer())
        .send()
        .await
        .unwrap();
    let csv = resp.text().await.unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(!csv.contains("王五"), "a held line is not sent to the bank");
    let clerk = TestApp::token(Role::TownshipClerk, LIANGLU);
    let (status, _) = app
        .get(&format!("/v1/payment-batches/{batch_id}/bank-file"), &clerk)
        .await;
    assert_eq!(status, 403);

    // The bank returns January: the next run pays it again with March.
    let january = ours[2]["id"].as_str().unwrap().parse::<Uuid>().unwrap();
    app.publish(&PaymentReturned {
        return_id: Uuid::now_v7(),
        payer: Payer::Disability,
        batch_id: batch_id.parse().unwrap(),
        line_id: january,
        amount_fen: 11_000,
        reason_code: ReturnReason::AccountFrozen,
        returned_on: date("2026-02-20"),
    })
    .await;
    eventually(
        "the line is failed",
        std::time::Duration::from_secs(20),
        || async {
            let (_, lines) = app
                .get(&format!("/v1/payment-batches/{batch_id}/lines"), &officer())
                .await;
            lines["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["id"] == january.to_string() && l["status"] == "failed")
                .then_some(())
        },
    )
    .await;
    let (status, again) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": "2026-02" }),
        )
        .await;
    assert_eq!(
        (status, again["type"].as_str()),
        (409, Some("urn:minzheng:problem:batch-exists"))
    );
    let (_, march) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": "2026-03" }),
        )
        .await;
    assert_eq!(
        (march["line_count"].as_i64(), march["total_fen"].as_i64()),
        (Some(2), Some(22_000)),
        "{march}"
    );
}
