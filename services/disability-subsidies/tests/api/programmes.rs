//! Programme cases (福康工程 decisions, listing), withdrawing a subsidy case.

use super::support::*;

async fn etag_version(app: &TestApp, path: &str, token: &str) -> i64 {
    let resp = app
        .http
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    etag.trim_matches('"')
        .trim_start_matches('v')
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_fukang_application_is_listed_in_its_township_and_decided_by_an_approver_with_reasons() {
    let app = spawn().await;
    let person = id_number("50011219900401123");
    let clerk = TestApp::token_for("clerk-a", Role::TownshipClerk, LIANGLU);
    let (status, case) = app
        .post(
            "/v1/fukang-applications",
            &clerk,
            &json!({ "id_number": person, "village_code": LIANGLU_VILLAGE,
                     "item": "assistive_device", "description": "wheelchair" }),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    assert_eq!(
        (case["status"].as_str(), case["version"].as_i64()),
        (Some("open"), Some(1))
    );
    let id = case["id"].as_str().unwrap().to_owned();

    let (_, page) = app
        .get("/v1/programme-cases?programme=fukang", &clerk)
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["person_ref"], person_ref(&person));
    let village = TestApp::token(Role::VillageStaff, LIANGLU_VILLAGE);
    let (_, page) = app.get("/v1/programme-cases", &village).await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        1,
        "its village sees it"
    );
    let elsewhere = TestApp::token(Role::TownshipApprover, "500112017");
    let (_, page) = app.get("/v1/programme-cases", &elsewhere).await;
    assert_eq!(page["items"], json!([]), "another township does not");
    let (_, page) = app
        .get("/v1/programme-cases?programme=rehabilitation", &clerk)
        .await;
    assert_eq!(page["items"], json!([]));

    let path = format!("/v1/fukang-applications/{id}/decision");
    let approver = TestApp::token_for("approver-b", Role::TownshipApprover, LIANGLU);
    let (status, _) = decide(&app, &path, &clerk, 1, json!({ "approve": true })).await;
    assert_eq!(status, 403, "a clerk does not decide");
    let (status, _) = decide(&app, &path, &elsewhere, 1, json!({ "approve": true })).await;
    assert_eq!(status, 404, "another township's approver does not see it");
    let (status, problem) = decide(&app, &path, &approver, 1, json!({ "approve": false })).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    let (status, _) = decide(&app, &path, &approver, 5, json!({ "approve": true })).await;
    assert_eq!(status, 412, "a stale version is refused");
    let (status, decided) = decide(
        &app,
        &path,
        &approver,
        1,
        json!({ "approve": false, "reason": "a device was provided in 2025" }),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(
        (
            decided["status"].as_str(),
            decided["decided_by"].as_str(),
            decided["decision_reason"].as_str()
        ),
        (
            Some("rejected"),
            Some("approver-b"),
            Some("a device was provided in 2025")
        )
    );
    let version = etag_version(&app, &format!("/v1/programme-cases/{id}"), &clerk).await;
    assert_eq!(version, 2);
    let (status, problem) = decide(&app, &path, &approver, 2, json!({ "approve": true })).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (409, Some("urn:minzheng:problem:already-decided"))
    );
    let (_, page) = app
        .get(
            "/v1/programme-cases?programme=fukang&status=rejected",
            &clerk,
        )
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);

    // A district approver decides another; 精康融合 enrollments are not decided there.
    let (_, second) = app
        .post(
            "/v1/fukang-applications",
            &clerk,
            &json!({ "id_number": person, "village_code": LIANGLU_VILLAGE, "item": "surgery" }),
        )
        .await;
    let district = TestApp::token(Role::DistrictApprover, "500112");
    let (status, decided) = decide(
        &app,
        &format!(
            "/v1/fukang-applications/{}/decision",
            second["id"].as_str().unwrap()
        ),
        &district,
        1,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(
        (status, decided["status"].as_str()),
        (200, Some("approved"))
    );
    let (status, rehab) = app
        .post(
            "/v1/rehabilitation-enrollments",
            &clerk,
            &json!({ "id_number": person, "village_code": LIANGLU_VILLAGE }),
        )
        .await;
    assert_eq!(status, 201, "{rehab}");
    let (status, _) = decide(
        &app,
        &format!(
            "/v1/fukang-applications/{}/decision",
            rehab["id"].as_str().unwrap()
        ),
        &district,
        1,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_granted_subsidy_withdrawn_ends_with_its_month_paid_and_an_application_is_closed() {
    let app = spawn().await;
    let holder = id_number("50011219900402123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let granted = wait_granted(&app, &holder, SubsidyKind::Nursing).await;
    let path = format!("/v1/subsidies/{}/withdrawal", granted.subsidy_id);
    let clerk = TestApp::token(Role::TownshipClerk, LIANGLU);
    let version = etag_version(
        &app,
        &format!("/v1/subsidies/{}", granted.subsidy_id),
        &clerk,
    )
    .await;

    let (status, problem) = decide(&app, &path, &clerk, version, json!({ "reason": " " })).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    let (status, problem) = decide(
        &app,
        &path,
        &clerk,
        version,
        json!({ "reason": "moving in with family", "requested_on": "2099-01-01" }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("requested_on"))
    );
    let (status, _) = decide(
        &app,
        &path,
        &TestApp::token(Role::VillageStaff, LIANGLU_VILLAGE),
        version,
        json!({ "reason": "x" }),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = decide(
        &app,
        &path,
        &TestApp::token(Role::TownshipClerk, "500112017"),
        version,
        json!({ "reason": "x" }),
    )
    .await;
    assert_eq!(status, 404);
    on_day("2026-06-12");
    let (status, case) = decide(
        &app,
        &path,
        &clerk,
        version,
        json!({ "reason": "the holder asked to stop", "requested_on": "2026-06-10" }),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(
        (
            case["status"].as_str(),
            case["end_month"].as_str(),
            case["end_reason"].as_str()
        ),
        (Some("ended"), Some("2026-06"), Some("withdrawn"))
    );
    let ended = app.expect_events::<SubsidyEnded>(1).await;
    assert_eq!(
        (ended[0].1.reason, ended[0].1.end_month),
        (SubsidyEndReason::Withdrawn, month("2026-06"))
    );
    let (status, problem) = decide(
        &app,
        &path,
        &clerk,
        case["version"].as_i64().unwrap(),
        json!({ "reason": "again" }),
    )
    .await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (409, Some("urn:minzheng:problem:case-closed"))
    );

    // An application not yet decided is closed, with nothing published.
    let applicant = id_number("50011219900403123");
    app.publish(&certificate(&applicant, 1, "2025-12-20", LIANGLU))
        .await;
    wait_finding(&app, &applicant, AnomalyKind::EligibleNotClaiming).await;
    let submitter = TestApp::token_for("clerk-a", Role::TownshipClerk, LIANGLU);
    let (status, applied) = apply(
        &app,
        &submitter,
        &applicant,
        "nursing",
        "2026-01-15",
        "张三",
    )
    .await;
    assert_eq!(status, 201, "{applied}");
    let (status, closed) = decide(
        &app,
        &format!(
            "/v1/subsidies/{}/withdrawal",
            applied["id"].as_str().unwrap()
        ),
        &clerk,
        1,
        json!({ "reason": "the applicant withdrew" }),
    )
    .await;
    assert_eq!(
        (
            status,
            closed["status"].as_str(),
            closed["end_reason"].as_str()
        ),
        (200, Some("closed"), Some("withdrawn"))
    );
    let (status, _) = apply(
        &app,
        &submitter,
        &applicant,
        "nursing",
        "2026-02-15",
        "张三",
    )
    .await;
    assert_eq!(
        status, 201,
        "a withdrawn case no longer blocks a new application"
    );
    assert_eq!(app.events::<SubsidyEnded>().await.len(), 1);
}
