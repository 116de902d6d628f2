//! Community workers and staffing, service centres, and the committee's duties.

use super::*;

#[tokio::test]
async fn communities_under_the_staffing_standard_are_reported_and_pay_follows_the_scale() {
    let app = spawn().await;
    register_village(&app, COMMUNITY, "community", 1_500).await;
    register_village(&app, VILLAGE, "village", 900).await;
    let worker = |village: &str, level: &str, q: &str, cert: Option<&str>, started: &str| {
        json!({ "village_code": village,
        "name": "社工", "pay_level": level, "qualification": q, "certificate_number": cert, "started_on": started })
    };
    let (s, p) = app
        .post(
            "/v1/community-workers",
            &clerk(),
            &worker(COMMUNITY, "member", "assistant", None, "2020-01-01"),
        )
        .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("certificate_number")),
        "{p}"
    );
    let ten_years_ago = today()
        .checked_sub_months(chrono::Months::new(120))
        .unwrap()
        .to_string();
    let (s, head) = app
        .post(
            "/v1/community-workers",
            &clerk(),
            &worker(
                COMMUNITY,
                "head",
                "assistant",
                Some("ZS-001"),
                &ten_years_ago,
            ),
        )
        .await;
    assert_eq!(s, 201, "{head}");
    assert_eq!(
        (
            head["full_years"].as_i64(),
            head["monthly_pay_fen"].as_i64()
        ),
        (Some(10), Some(340_000 + 10 * 3_000 + 20_000))
    );
    for _ in 0..3 {
        assert_eq!(
            app.post(
                "/v1/community-workers",
                &clerk(),
                &worker(COMMUNITY, "member", "none", None, "2021-01-01")
            )
            .await
            .0,
            201
        );
        assert_eq!(
            app.post(
                "/v1/community-workers",
                &clerk(),
                &worker(VILLAGE, "member", "none", None, "2021-01-01")
            )
            .await
            .0,
            201
        );
    }
    let (s, report) = app
        .get(
            &format!("/v1/reports/community-staffing?township_code={YUFENGSHAN}"),
            &clerk(),
        )
        .await;
    assert_eq!(
        (
            s,
            report["communities"].as_i64(),
            report["under_standard"].as_i64()
        ),
        (200, Some(2), Some(1)),
        "{report}"
    );
    let item = &report["items"][0];
    assert_eq!(item["village_code"], COMMUNITY);
    assert_eq!(
        (
            item["staffing"]["required"].as_i64(),
            item["staffing"]["actual"].as_i64(),
            item["staffing"]["shortfall"].as_i64()
        ),
        (Some(5), Some(4), Some(1))
    );
    assert_eq!(item["qualified_workers"], 1);
    assert_eq!(
        app.post(
            "/v1/community-workers",
            &village_staff(),
            &worker(VILLAGE, "member", "none", None, "2021-01-01")
        )
        .await
        .0,
        403
    );
}

#[tokio::test]
async fn service_centre_progress_only_moves_forward_and_counts_against_the_years_target() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 900).await;
    register_village(&app, OTHER_VILLAGE, "village", 400).await;
    let project = |v: &str| json!({ "village_code": v, "name": "村级综合服务中心", "year": 2022, "planned_completion_on": "2022-12-31" });
    let (s, a) = app
        .post("/v1/service-centre-projects", &clerk(), &project(VILLAGE))
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(
        app.post(
            "/v1/service-centre-projects",
            &clerk(),
            &project(OTHER_VILLAGE)
        )
        .await
        .0,
        201
    );
    let path = format!(
        "/v1/service-centre-projects/{}/progress",
        a["id"].as_str().unwrap()
    );
    let report = |stage: &str, pct: i32, on: &str| json!({ "reported_on": on, "stage": stage, "percent_complete": pct });
    let (s, v, etag) = step(
        &app,
        &path,
        &village_staff(),
        "\"v1\"",
        &report("construction", 40, "2022-06-01"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, _, _) = step(
        &app,
        &path,
        &village_staff(),
        "\"v1\"",
        &report("construction", 60, "2022-07-01"),
    )
    .await;
    assert_eq!(s, 412);
    let (s, p, _) = step(
        &app,
        &path,
        &village_staff(),
        &etag,
        &report("design", 60, "2022-07-01"),
    )
    .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("stage")));
    let (s, p, _) = step(
        &app,
        &path,
        &village_staff(),
        &etag,
        &report("completed", 90, "2022-07-01"),
    )
    .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("percent_complete"))
    );
    let (s, _, _) = step(
        &app,
        &path,
        &village_staff(),
        &etag,
        &report("completed", 100, "2022-11-30"),
    )
    .await;
    assert_eq!(s, 200);
    let (s, r) = app
        .get("/v1/reports/service-centres?year=2022", &district())
        .await;
    assert_eq!(
        (
            s,
            r["target"].as_i64(),
            r["projects"].as_i64(),
            r["built"].as_i64(),
            r["remaining"].as_i64()
        ),
        (200, Some(7), Some(2), Some(1), Some(6)),
        "{r}"
    );
}

#[tokio::test]
async fn a_duty_report_answers_the_years_pledge_and_deliberation_counts_must_add_up() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 900).await;
    let staff = village_staff();
    let (s, m) = app.post("/v1/committee-members", &staff, &json!({ "village_code": VILLAGE, "name": "孙八", "position": "director", "term_from": "2021-01-01" })).await;
    assert_eq!(s, 201, "{m}");
    let member = m["id"].as_str().unwrap();
    let report = json!({ "year": 2022, "summary": "全年走访农户 120 户", "reported_on": "2023-01-10", "assessment": "competent" });
    let (s, p) = app
        .post(
            &format!("/v1/committee-members/{member}/duty-reports"),
            &staff,
            &report,
        )
        .await;
    assert_eq!(
        (s, p["type"].as_str()),
        (409, Some("urn:minzheng:problem:no-duty-pledge")),
        "{p}"
    );
    let pledge =
        json!({ "year": 2022, "commitments": ["每月走访困难群众"], "pledged_on": "2022-01-15" });
    assert_eq!(
        app.post(
            &format!("/v1/committee-members/{member}/duty-pledges"),
            &staff,
            &pledge
        )
        .await
        .0,
        201
    );
    assert_eq!(
        app.post(
            &format!("/v1/committee-members/{member}/duty-pledges"),
            &staff,
            &pledge
        )
        .await
        .0,
        409
    );
    let (s, v) = app
        .post(
            &format!("/v1/committee-members/{member}/duty-reports"),
            &staff,
            &report,
        )
        .await;
    assert_eq!(
        (s, v["duty_reports"][0]["assessment"].as_str()),
        (201, Some("competent")),
        "{v}"
    );

    let session = |yes: i32| {
        json!({ "village_code": VILLAGE, "held_on": "2022-05-01", "topic": "村道维修", "participants": 15,
        "resolutions": [{ "text": "一事一议筹资", "votes_for": yes, "votes_against": 2, "abstentions": 1, "adopted": true }] })
    };
    let (s, p) = app.post("/v1/deliberations", &staff, &session(13)).await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("resolutions[0].votes_for"))
    );
    assert_eq!(
        app.post("/v1/deliberations", &staff, &session(12)).await.0,
        201
    );
    let contact = json!({ "member_id": member, "contacted_on": "2022-05-02", "channel": "visit", "households_reached": 6, "issues": "饮水困难" });
    assert_eq!(
        app.post("/v1/contact-records", &staff, &contact).await.0,
        201
    );
    let elsewhere = TestApp::token(Role::VillageStaff, OTHER_VILLAGE);
    assert_eq!(
        app.post("/v1/contact-records", &elsewhere, &contact)
            .await
            .0,
        404
    );
}
