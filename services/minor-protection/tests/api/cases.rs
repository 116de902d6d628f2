//! Intake, the restricted view with its audit trail, scope, closure.

use contracts::minor::{CaseClosed, CaseFunction, CaseLevel, CaseOpened, CaseSource};
use kit::{Role, testing::TestApp};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_mandatory_report_opens_a_supervised_case_and_publishes_it_without_person_data() {
    let app = spawn().await;
    let body = report(YUFENGSHAN_VILLAGE, true);
    let token = township(YUFENGSHAN);
    let (status, first) = app
        .post_with_key("/v1/cases", &token, "report-1", &body)
        .await;
    assert_eq!(status, 201, "{first}");
    let (status, retry) = app
        .post_with_key("/v1/cases", &token, "report-1", &body)
        .await;
    assert_eq!(
        (status, &retry),
        (201, &first),
        "a retry answers the first response"
    );
    let id = first["id"].as_str().unwrap().to_owned();
    let events = app.expect_events::<CaseOpened>(1).await;
    assert_eq!(events.len(), 1, "one case for one report");
    let (raw, e) = &events[0];
    assert_eq!(e.case_id.to_string(), id);
    assert_eq!(
        (e.function, e.source, e.level),
        (
            CaseFunction::MandatoryReport,
            CaseSource::School,
            CaseLevel::Township
        )
    );
    assert_eq!(
        e.due_on,
        Some("2022-10-14".parse().unwrap()),
        "township deadline: 6 days"
    );
    assert_eq!(
        e.village_code.as_ref().unwrap().as_str(),
        YUFENGSHAN_VILLAGE
    );
    for secret in [
        "张小明",
        &child_id(),
        &child_id()[6..14],
        "淤伤",
        "3组",
        "person_ref",
    ] {
        assert!(!raw.contains(secret), "{secret} leaked: {raw}");
    }
}

#[tokio::test]
async fn the_holder_sees_the_full_record_everyone_else_a_restricted_view_and_every_read_is_audited()
{
    let app = spawn().await;
    let id = open(
        &app,
        &township(YUFENGSHAN),
        &report(YUFENGSHAN_VILLAGE, false),
    )
    .await;

    let (status, full) = case(&app, &township(YUFENGSHAN), &id).await;
    assert_eq!(status, 200, "{full}");
    assert_eq!(
        (full["view"].as_str(), full["access"].as_str()),
        (Some("full"), Some("owner"))
    );
    assert_eq!(full["child"]["name"], "张小明");
    assert_eq!(
        full["child"]["id_number"],
        format!("500112********{}", &child_id()[14..])
    );
    assert!(full["narrative"].as_str().unwrap().contains("淤伤"));

    let auditor = TestApp::token(Role::Auditor, DISTRICT);
    for token in [district(), village(YUFENGSHAN_VILLAGE), auditor.clone()] {
        let (status, restricted) = case(&app, &token, &id).await;
        assert_eq!(status, 200, "{restricted}");
        assert_eq!(restricted["view"], "restricted");
        let text = restricted.to_string();
        for secret in [
            "张小明",
            &child_id()[6..14],
            &child_id()[14..],
            "3组",
            "淤伤",
            "\"child\"",
            "narrative",
        ] {
            assert!(
                !text.contains(secret),
                "{secret} in the restricted view: {text}"
            );
        }
        assert_eq!(restricted["village_code"], YUFENGSHAN_VILLAGE);
    }
    // Unmasked ID numbers: the holder only.
    let (status, unmasked) = app
        .get(
            &format!("/v1/cases/{id}?unmasked=true"),
            &township(YUFENGSHAN),
        )
        .await;
    assert_eq!(
        (status, unmasked["child"]["id_number"].as_str()),
        (200, Some(child_id().as_str()))
    );
    assert_eq!(
        app.get(&format!("/v1/cases/{id}?unmasked=true"), &district())
            .await
            .0,
        403
    );
    // Lists are summaries, and audited too.
    let (_, page) = app.get("/v1/cases", &district()).await;
    assert_eq!(page["items"][0]["view"], "summary");
    assert!(!page.to_string().contains("张小明"));

    let (status, trail) = app.get(&format!("/v1/cases/{id}/audit"), &auditor).await;
    assert_eq!(status, 200, "{trail}");
    let reads: Vec<(String, String, String)> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "read-case" || e["action"] == "list-case")
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["role"].as_str().unwrap().into(),
                e["detail"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("read-case", "township-clerk", "full"),
        ("read-case", "district-officer", "restricted"),
        ("read-case", "village-staff", "restricted"),
        ("read-case", "auditor", "restricted"),
        ("read-case", "township-clerk", "full-unmasked"),
        ("list-case", "district-officer", "summary"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, r, d)| (a.to_string(), r.to_string(), d.to_string()))
        .collect();
    assert_eq!(reads, expected);
    // Township staff do not read the audit trail.
    assert_eq!(
        app.get(&format!("/v1/cases/{id}/audit"), &township(YUFENGSHAN))
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn another_townships_staff_can_neither_see_nor_work_on_the_case() {
    let app = spawn().await;
    let id = open(
        &app,
        &township(YUFENGSHAN),
        &report(YUFENGSHAN_VILLAGE, false),
    )
    .await;
    let other = township(TONGJING);
    assert_eq!(case(&app, &other, &id).await.0, 404);
    let note = json!({ "on": "2022-10-09", "text": "看一看" });
    assert_eq!(
        app.post(&format!("/v1/cases/{id}/notes"), &other, &note)
            .await
            .0,
        404
    );
    let (_, page) = app.get("/v1/cases", &other).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    assert_eq!(case(&app, &village(TONGJING_VILLAGE), &id).await.0, 404);
    // Nor may they take a report in for a village outside their township.
    let (status, problem) = app
        .post("/v1/cases", &other, &report(YUFENGSHAN_VILLAGE, false))
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("village_code"))
    );
}

#[tokio::test]
async fn intake_refuses_adults_bad_id_numbers_and_callers_who_are_not_protection_staff() {
    let app = spawn().await;
    let token = township(YUFENGSHAN);
    let mut adult = report(YUFENGSHAN_VILLAGE, false);
    adult["child"]["id_number"] = json!(id_number("50011219900101123"));
    let (status, p) = app.post("/v1/cases", &token, &adult).await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("child.id_number")),
        "{p}"
    );
    let mut bad = report(YUFENGSHAN_VILLAGE, false);
    let mut wrong = child_id();
    wrong.replace_range(17.., if wrong.ends_with('0') { "1" } else { "0" });
    bad["child"]["id_number"] = json!(wrong);
    let (status, p) = app.post("/v1/cases", &token, &bad).await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("child.id_number")),
        "{p}"
    );
    // A valid number whose birth date is after today is no child of today's.
    let mut unborn = report(YUFENGSHAN_VILLAGE, false);
    let born = kit::clock::today() + chrono::Days::new(30);
    unborn["child"]["id_number"] = json!(id_number(&format!("500112{}121", born.format("%Y%m%d"))));
    let (status, p) = app.post("/v1/cases", &token, &unborn).await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("child.id_number")),
        "{p}"
    );
    assert!(
        p["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("after today"),
        "{p}"
    );
    let auditor = TestApp::token(Role::Auditor, DISTRICT);
    assert_eq!(
        app.post("/v1/cases", &auditor, &report(YUFENGSHAN_VILLAGE, false))
            .await
            .0,
        403
    );
    // A village without a registered child director post cannot hold a case.
    let (status, p) = app
        .post(
            "/v1/cases",
            &village(YUFENGSHAN_VILLAGE),
            &report(YUFENGSHAN_VILLAGE, false),
        )
        .await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("village_code")),
        "{p}"
    );
    let (_, page) = app.get("/v1/cases", &district()).await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        0,
        "nothing half-written"
    );
}

#[tokio::test]
async fn closure_needs_the_current_version_and_a_reason_and_publishes_the_closed_event() {
    let app = spawn().await;
    let token = township(YUFENGSHAN);
    let id = open(&app, &token, &report(YUFENGSHAN_VILLAGE, false)).await;
    let path = format!("/v1/cases/{id}/closure");
    let body = json!({ "outcome": "resolved", "closed_on": "2022-11-01", "reason": "监护人接受教育，孩子状况稳定" });
    assert_eq!(post_if_match(&app, &path, &token, None, &body).await.0, 428);
    assert_eq!(
        post_if_match(&app, &path, &token, Some(7), &body).await.0,
        412
    );
    let no_reason = json!({ "outcome": "resolved", "closed_on": "2022-11-01", "reason": " " });
    let (status, p) = post_if_match(&app, &path, &token, Some(1), &no_reason).await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    assert_eq!(
        post_if_match(&app, &path, &district(), Some(1), &body)
            .await
            .0,
        403,
        "not the holder"
    );
    let (status, closed) = post_if_match(&app, &path, &token, Some(1), &body).await;
    assert_eq!(status, 200, "{closed}");
    let events = app.expect_events::<CaseClosed>(1).await;
    assert_eq!(events[0].1.case_id.to_string(), id);
    assert!(!events[0].0.contains("监护人"));
    let (_, v) = case(&app, &token, &id).await;
    assert_eq!(
        (v["status"].as_str(), v["closure_reason"].as_str()),
        (Some("closed"), Some("监护人接受教育，孩子状况稳定"))
    );
    let (status, p) = post_if_match(&app, &path, &token, Some(2), &body).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("urn:minzheng:problem:case-closed"))
    );
}
