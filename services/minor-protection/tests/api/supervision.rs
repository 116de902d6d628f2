//! Supervision (督办): overdue major matters go one level up, once per level; the periodic task
//! does the same by itself; fallback guardianship at the district.

use contracts::minor::{CaseEscalated, CaseLevel, EscalationReason};
use kit::{Role, testing::TestApp};
use minor_protection::{CONTEXT, SERVICE, Schedule, parts_with, store::Migrator};
use serde_json::{Value, json};

use crate::support::*;

async fn run(app: &TestApp, today: &str) -> Value {
    let (status, report) = app
        .post(
            "/v1/supervision/runs",
            &district(),
            &json!({ "today": today }),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    report
}

#[tokio::test]
async fn an_overdue_major_matter_escalates_once_per_level_up_to_the_district() {
    let app = spawn().await;
    register_village(&app, YUFENGSHAN_VILLAGE).await;
    let director = village(YUFENGSHAN_VILLAGE);
    let mut body = report(YUFENGSHAN_VILLAGE, true);
    body["reporter"] = json!("village");
    let id = open(&app, &director, &body).await;
    let (_, v) = case(&app, &director, &id).await;
    assert_eq!(
        (v["level"].as_str(), v["due_on"].as_str()),
        (Some("village"), Some("2022-10-11"))
    );

    // (today, escalated by this run, holder afterwards, deadline afterwards)
    let table = [
        ("2022-10-11", 0, YUFENGSHAN_VILLAGE, "2022-10-11"),
        ("2022-10-12", 1, YUFENGSHAN, "2022-10-18"),
        ("2022-10-12", 0, YUFENGSHAN, "2022-10-18"),
        ("2022-10-18", 0, YUFENGSHAN, "2022-10-18"),
        ("2022-10-19", 1, DISTRICT, "2022-10-25"),
        ("2022-10-30", 0, DISTRICT, "2022-10-25"),
    ];
    for (today, escalated, holder, due) in table {
        let report = run(&app, today).await;
        assert_eq!(
            report["escalated"].as_array().unwrap().len(),
            escalated,
            "{today}: {report}"
        );
        let (_, v) = case(&app, &district(), &id).await;
        assert_eq!(
            (v["owner_unit"].as_str(), v["due_on"].as_str()),
            (Some(holder), Some(due)),
            "{today}"
        );
    }
    assert_eq!(run(&app, "2022-10-31").await["at_top"][0], id.as_str());

    let events = app.expect_events::<CaseEscalated>(2).await;
    let hops: Vec<(CaseLevel, CaseLevel, String, String)> = events
        .iter()
        .map(|(_, e)| {
            (
                e.from_level,
                e.to_level,
                e.escalated_on.to_string(),
                e.due_on.to_string(),
            )
        })
        .collect();
    assert_eq!(
        hops,
        [
            (
                CaseLevel::Village,
                CaseLevel::Township,
                "2022-10-12".into(),
                "2022-10-18".into()
            ),
            (
                CaseLevel::Township,
                CaseLevel::District,
                "2022-10-19".into(),
                "2022-10-25".into()
            ),
        ]
    );
    assert!(events.iter().all(|(raw, e)| e.reason == EscalationReason::DeadlineMissed && !raw.contains("张小明")));
    // The child director now sees the restricted view; the district centre holds the case.
    assert_eq!(case(&app, &director, &id).await.1["view"], "restricted");
    assert_eq!(case(&app, &district(), &id).await.1["view"], "full");
    // The district's overdue list still shows it.
    let (_, overdue) = app
        .get("/v1/cases?overdue_on=2022-10-31", &district())
        .await;
    assert_eq!(overdue["items"][0]["id"], id.as_str());
}

#[tokio::test]
async fn a_supervised_matter_reported_handled_is_not_escalated() {
    let app = spawn().await;
    let token = township(YUFENGSHAN);
    let id = open(&app, &token, &report(YUFENGSHAN_VILLAGE, false)).await;
    // A high-risk assessment makes it a major matter from the assessment date.
    let risk = json!({ "risk_level": "high", "assessed_on": "2022-10-09", "notes": "父亲酗酒" });
    let (status, r) = app
        .post(&format!("/v1/cases/{id}/risk-assessments"), &token, &risk)
        .await;
    assert_eq!(
        (status, r["due_on"].as_str()),
        (201, Some("2022-10-15")),
        "{r}"
    );
    let report_body =
        json!({ "completed_on": "2022-10-14", "notes": "已制定帮扶计划，父亲签订承诺书" });
    assert_eq!(
        app.post(
            &format!("/v1/cases/{id}/supervision-report"),
            &token,
            &report_body
        )
        .await
        .0,
        201
    );
    assert_eq!(
        run(&app, "2022-11-30").await["escalated"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(case(&app, &token, &id).await.1["owner_unit"], YUFENGSHAN);
    // Only district staff and machines run supervision.
    assert_eq!(
        app.post("/v1/supervision/runs", &token, &json!({})).await.0,
        403
    );
}

#[tokio::test]
async fn the_periodic_task_escalates_overdue_matters_by_itself() {
    let app = TestApp::spawn::<Migrator>(SERVICE, CONTEXT, |p| {
        parts_with(p, Schedule::Every(std::time::Duration::from_millis(200)))
    })
    .await;
    let id = open(
        &app,
        &township(YUFENGSHAN),
        &report(YUFENGSHAN_VILLAGE, true),
    )
    .await;
    let events = app.expect_events::<CaseEscalated>(1).await;
    assert_eq!(events[0].1.case_id.to_string(), id);
    assert_eq!(
        (events[0].1.from_level, events[0].1.to_level),
        (CaseLevel::Township, CaseLevel::District)
    );
}

#[tokio::test]
async fn fallback_guardianship_is_the_district_centres_and_shapes_the_closure() {
    let app = spawn().await;
    let token = township(YUFENGSHAN);
    let id = open(&app, &token, &report(YUFENGSHAN_VILLAGE, false)).await;
    let start = json!({ "kind": "temporary", "basis": "未成年人保护法第九十二条", "placement": "protection_centre", "started_on": "2022-10-10" });
    let path = format!("/v1/cases/{id}/guardianship");
    assert_eq!(
        app.post(&path, &token, &start).await.1["type"],
        "urn:minzheng:problem:not-at-district"
    );
    let escalation =
        json!({ "reason": "guardianship_intervention_needed", "escalated_on": "2022-10-09" });
    let (status, e) = app
        .post(&format!("/v1/cases/{id}/escalations"), &token, &escalation)
        .await;
    assert_eq!(
        (status, e["due_on"].as_str()),
        (201, Some("2022-10-15")),
        "{e}"
    );
    let events = app.expect_events::<CaseEscalated>(1).await;
    assert_eq!(
        events[0].1.reason,
        EscalationReason::GuardianshipInterventionNeeded
    );

    let centre = TestApp::token(Role::DistrictApprover, DISTRICT);
    let (status, g) = app.post(&path, &centre, &start).await;
    assert_eq!(status, 201, "{g}");
    assert_eq!(
        app.post(&path, &centre, &start).await.0,
        409,
        "already active"
    );
    let (_, v) = case(&app, &centre, &id).await;
    assert_eq!(
        v["guardianships"][0]["next_review_on"], "2023-01-08",
        "reviewed every 90 days"
    );
    let review = json!({ "reviewed_on": "2023-01-05", "continue_guardianship": true });
    assert_eq!(
        app.post(&format!("{path}/reviews"), &centre, &review)
            .await
            .0,
        201
    );
    assert_eq!(
        case(&app, &centre, &id).await.1["guardianships"][0]["next_review_on"],
        "2023-04-05"
    );

    let closure = format!("/v1/cases/{id}/closure");
    let version = case(&app, &centre, &id).await.1["version"].as_i64();
    let resolved = json!({ "outcome": "resolved", "closed_on": "2023-01-06", "reason": "x" });
    let (status, p) = post_if_match(&app, &closure, &centre, version, &resolved).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("urn:minzheng:problem:case-not-closable"))
    );
    let end = json!({ "ended_on": "2023-02-01", "reason": "relative_appointed" });
    assert_eq!(app.post(&format!("{path}/end"), &centre, &end).await.0, 201);
    let version = case(&app, &centre, &id).await.1["version"].as_i64();
    let resolved = json!({ "outcome": "guardianship_restored", "closed_on": "2023-02-02", "reason": "法院指定祖母为监护人" });
    assert_eq!(
        post_if_match(&app, &closure, &centre, version, &resolved)
            .await
            .0,
        200
    );
}
