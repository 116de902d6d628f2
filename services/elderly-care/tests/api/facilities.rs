//! Facilities, the left-behind register, reference values and the reports: targets per year and
//! coverage per township.

use contracts::partner::DeathRecorded;
use kit::{Role, testing::TestApp};
use serde_json::{Value, json};

use crate::support::*;

async fn facility(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, f) = app.post("/v1/facilities", token, &body).await;
    assert_eq!(status, 201, "{f}");
    f
}

async fn progress(app: &TestApp, f: &Value, body: Value) -> (u16, Value) {
    let path = format!("/v1/facilities/{}/progress", f["id"].as_str().unwrap());
    post_if_match(app, &path, &officer(), Some(&v(&f["version"])), &body).await
}

async fn open(app: &TestApp, body: Value, on: &str) -> Value {
    let f = facility(app, &officer(), body).await;
    let (status, f) = progress(app, &f, json!({ "status": "done", "on": on })).await;
    assert_eq!(status, 200, "{f}");
    f
}

async fn bed(app: &TestApp, id: &str, installed_on: &str) {
    let (_, p) = app
        .post("/v1/providers", &officer(), &json!({ "name": "服务商", "contract_from": "2022-01-01", "contract_to": "2030-12-31" }))
        .await;
    let body = json!({ "village_code": LIANGLU_VILLAGE, "id_number": id, "name": "李奶奶", "address": "两路",
                       "applied_on": installed_on });
    let (_, b) = app.post("/v1/home-beds", &clerk(), &body).await;
    let path = format!("/v1/home-beds/{}/assessment", b["id"].as_str().unwrap());
    let (_, b) = post_if_match(
        app,
        &path,
        &clerk(),
        Some(&v(&b["version"])),
        &json!({ "capability_level": "mild_impairment", "assessed_on": installed_on }),
    )
    .await;
    let path = format!("/v1/home-beds/{}/installation", b["id"].as_str().unwrap());
    let (status, b) = post_if_match(
        app,
        &path,
        &clerk(),
        Some(&v(&b["version"])),
        &json!({ "provider_id": p["id"], "installed_on": installed_on }),
    )
    .await;
    assert_eq!(status, 200, "{b}");
}

#[tokio::test]
async fn the_targets_report_counts_the_years_work_against_effective_dated_targets() {
    let app = spawn().await;
    bed(&app, &id_number("50011219480301123"), "2026-03-10").await;
    bed(&app, &id_number("50011219500301123"), "2025-12-30").await;
    open(
        &app,
        json!({ "kind": "rehab_station", "name": "两路慢病康复站", "township_code": LIANGLU }),
        "2026-04-01",
    )
    .await;
    open(&app, json!({ "kind": "age_friendly_retrofit", "name": "石船镇场镇无障碍改造", "township_code": SHICHUAN }), "2026-05-01").await;
    open(&app, json!({ "kind": "service_centre", "name": "石船镇养老服务中心", "township_code": SHICHUAN }), "2026-02-01").await;
    let planned = facility(&app, &officer(), json!({ "kind": "service_centre", "name": "统景镇养老服务中心", "township_code": "500112133" })).await;
    let (status, building) = progress(
        &app,
        &planned,
        json!({ "status": "in_progress", "progress_percent": 60 }),
    )
    .await;
    assert_eq!(
        (status, building["progress_percent"].as_i64()),
        (200, Some(60))
    );

    let (status, report) = app.get("/v1/reports/targets?year=2026", &officer()).await;
    assert_eq!(status, 200, "{report}");
    let measure = |r: &Value, m: &str| {
        r["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["measure"] == m)
            .cloned()
            .unwrap()
    };
    let beds = measure(&report, "home_care_beds");
    assert_eq!(
        (
            beds["target"].as_i64(),
            beds["achieved"].as_i64(),
            beds["remaining"].as_i64()
        ),
        (Some(200), Some(1), Some(199))
    );
    assert_eq!(beds["per_mille"], 5);
    let stations = measure(&report, "rehab_stations");
    assert_eq!(
        (stations["target"].as_i64(), stations["achieved"].as_i64()),
        (Some(28), Some(1))
    );
    let retrofits = measure(&report, "age_friendly_retrofits");
    assert_eq!(
        (retrofits["target"].as_i64(), retrofits["achieved"].as_i64()),
        (Some(12), Some(1))
    );
    let centres = report["service_centres"].as_array().unwrap();
    assert_eq!(centres.len(), 3, "石船镇, 玉峰山镇, 统景镇: {report}");
    let shichuan = centres
        .iter()
        .find(|c| c["township_code"] == SHICHUAN)
        .unwrap();
    assert_eq!(
        (
            shichuan["township_name"].as_str(),
            shichuan["covered"].as_bool()
        ),
        (Some("石船镇"), Some(true))
    );
    assert_eq!(report["service_centres_fully_covered"], false);

    // A new target from mid-2026 is the year's target; 2025 keeps the old one.
    let raise = json!({ "parameter": "target.home_care_beds", "valid_from": "2026-06-01", "value": 250, "note": "调整" });
    assert_eq!(
        app.post("/v1/reference-values", &officer(), &raise).await.0,
        201
    );
    let (_, report) = app.get("/v1/reports/targets?year=2026", &officer()).await;
    assert_eq!(measure(&report, "home_care_beds")["target"], 250);
    let (_, last_year) = app.get("/v1/reports/targets?year=2025", &officer()).await;
    let beds = measure(&last_year, "home_care_beds");
    assert_eq!(
        (beds["target"].as_i64(), beds["achieved"].as_i64()),
        (Some(200), Some(1))
    );

    assert_eq!(
        app.get("/v1/reports/targets?year=2026", &clerk()).await.0,
        403
    );
    assert_eq!(
        app.get(
            "/v1/reports/targets?year=2026",
            &TestApp::token(Role::Auditor, DISTRICT)
        )
        .await
        .0,
        200
    );
}

#[tokio::test]
async fn the_coverage_report_has_a_row_per_township_of_the_callers_division() {
    let app = spawn().await;
    let home = open(
        &app,
        json!({ "kind": "nursing_home", "name": "石船镇敬老院", "township_code": SHICHUAN,
                                  "operating_model": "public_built_private_operated" }),
        "2022-06-01",
    )
    .await;
    let path = format!("/v1/facilities/{}/occupancy", home["id"].as_str().unwrap());
    let occupancy = json!({ "beds": 60, "occupied_beds": 45, "extreme_poverty_residents": 30 });
    let (status, home) = post_if_match(
        &app,
        &path,
        &officer(),
        Some(&v(&home["version"])),
        &occupancy,
    )
    .await;
    assert_eq!(
        (status, home["occupancy_per_mille"].as_i64()),
        (200, Some(750))
    );
    open(
        &app,
        json!({ "kind": "mutual_aid_point", "name": "互助点", "township_code": SHICHUAN,
                       "village_code": SHICHUAN_VILLAGE }),
        "2023-01-01",
    )
    .await;

    let (status, rows) = app
        .get("/v1/reports/coverage?on=2026-06-30", &officer())
        .await;
    assert_eq!(status, 200, "{rows}");
    assert_eq!(rows.as_array().unwrap().len(), 30);
    let shichuan = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["township_code"] == SHICHUAN)
        .unwrap();
    assert_eq!(shichuan["nursing_homes"], 1);
    assert_eq!(shichuan["nursing_homes_public_built_private_operated"], 1);
    assert_eq!(shichuan["nursing_home_beds"], 60);
    assert_eq!(shichuan["nursing_home_extreme_poverty_residents"], 30);
    assert_eq!(shichuan["mutual_aid_points"], 1);
    assert_eq!(
        (
            shichuan["service_centre_target"].as_i64(),
            shichuan["service_centre_covered"].as_bool()
        ),
        (Some(1), Some(false))
    );
    // Before it opened, the home did not count.
    let (_, before) = app
        .get("/v1/reports/coverage?on=2022-05-31", &officer())
        .await;
    let row = before
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["township_code"] == SHICHUAN)
        .unwrap()
        .clone();
    assert_eq!(row["nursing_homes"], 0);

    let (_, mine) = app.get("/v1/reports/coverage", &clerk()).await;
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["township_name"], "两路街道");
}

#[tokio::test]
async fn facility_refusals_name_the_field_and_clerks_stay_in_their_township() {
    let app = spawn().await;
    let cases = [
        (
            json!({ "kind": "nursing_home", "name": "x", "township_code": SHICHUAN }),
            "operating_model",
        ),
        (
            json!({ "kind": "rehab_station", "name": "x", "township_code": SHICHUAN, "operating_model": "public_operated" }),
            "operating_model",
        ),
        (
            json!({ "kind": "mutual_aid_point", "name": "x", "township_code": SHICHUAN }),
            "village_code",
        ),
        (
            json!({ "kind": "rehab_station", "name": "x", "township_code": "500112999" }),
            "township_code",
        ),
        (
            json!({ "kind": "rehab_station", "name": "x", "township_code": SHICHUAN, "village_code": LIANGLU_VILLAGE }),
            "village_code",
        ),
        (
            json!({ "kind": "rehab_station", "name": " ", "township_code": SHICHUAN }),
            "name",
        ),
        (
            json!({ "kind": "spa", "name": "x", "township_code": SHICHUAN }),
            "kind",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = app.post("/v1/facilities", &officer(), &body).await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{body}: {problem}"
        );
    }
    let (status, _) = app
        .post(
            "/v1/facilities",
            &clerk(),
            &json!({ "kind": "rehab_station", "name": "x", "township_code": SHICHUAN }),
        )
        .await;
    assert_eq!(status, 403);
    let station = facility(
        &app,
        &clerk(),
        json!({ "kind": "rehab_station", "name": "两路站", "township_code": LIANGLU }),
    )
    .await;
    let (status, problem) = progress(&app, &station, json!({ "status": "done" })).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("on"))
    );
    let (status, _) = progress(
        &app,
        &station,
        json!({ "status": "in_progress", "progress_percent": 120 }),
    )
    .await;
    assert_eq!(status, 422);
    let (_, done) = progress(
        &app,
        &station,
        json!({ "status": "done", "on": "2026-02-01" }),
    )
    .await;
    let (status, problem) = progress(&app, &done, json!({ "status": "planned" })).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (409, Some("urn:minzheng:problem:facility-status"))
    );
    let path = format!("/v1/facilities/{}/occupancy", done["id"].as_str().unwrap());
    let occupancy = json!({ "beds": 10, "occupied_beds": 5, "extreme_poverty_residents": 1 });
    let (status, _) = post_if_match(
        &app,
        &path,
        &officer(),
        Some(&v(&done["version"])),
        &occupancy,
    )
    .await;
    assert_eq!(status, 409, "occupancy is for nursing homes");
    let (_, theirs) = app
        .get(
            "/v1/facilities",
            &TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO),
        )
        .await;
    assert!(theirs.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn registering_a_left_behind_elder_plans_visits_and_a_death_ends_both() {
    let app = spawn().await;
    let id = id_number("50011219440808123");
    let body = json!({ "village_code": LIANGLU_VILLAGE, "id_number": id, "name": "王婆婆", "address": "两路",
                       "living_arrangement": "alone", "registered_on": "2026-01-31" });
    let (status, elder) = app
        .post("/v1/left-behind-elders", &village_staff(), &body)
        .await;
    assert_eq!(status, 201, "{elder}");
    let plan_id = elder["visit_plan_id"].as_str().unwrap();
    let (_, plan) = app
        .get(&format!("/v1/visit-plans/{plan_id}"), &clerk())
        .await;
    assert_eq!(
        (plan["kind"].as_str(), plan["next_due_on"].as_str()),
        (Some("left_behind"), Some("2026-02-28"))
    );
    let (status, _) = app
        .post("/v1/left-behind-elders", &village_staff(), &body)
        .await;
    assert_eq!(status, 409);
    // A missed left-behind visit shows on the edge; the overdue event is for dispersed support.
    let p = &app.service().platform;
    let report = elderly_care::commands::visits::check_overdue(&p.db, &p.outbox, d("2026-03-01"))
        .await
        .unwrap();
    assert_eq!(report.raised, 1);
    let (_, overdue) = app
        .get("/v1/visit-plans?overdue=true&kind=left_behind", &clerk())
        .await;
    assert_eq!(overdue["items"][0]["missed_visits"], 1);
    assert!(
        app.events::<contracts::elderly::VisitOverdue>()
            .await
            .is_empty()
    );

    let fact: DeathRecorded = serde_json::from_value(json!({
        "record_number": "D-0009", "id_number": id, "date_of_death": "2026-04-01",
        "source": "medical", "registering_division": LIANGLU, "recorded_on": "2026-04-02" }))
    .unwrap();
    app.publish(&fact).await;
    kit::testing::eventually(
        "the registration ended",
        std::time::Duration::from_secs(20),
        || async {
            let (_, list) = app.get("/v1/left-behind-elders", &clerk()).await;
            list.as_array().unwrap().is_empty().then_some(())
        },
    )
    .await;
    let (_, plan) = app
        .get(&format!("/v1/visit-plans/{plan_id}"), &clerk())
        .await;
    assert_eq!(
        (plan["status"].as_str(), plan["cancel_reason"].as_str()),
        (Some("cancelled"), Some("death"))
    );
}

#[tokio::test]
async fn ending_a_registration_cancels_its_plan() {
    let app = spawn().await;
    let body = json!({ "village_code": LIANGLU_VILLAGE, "id_number": id_number("50011219440808123"), "name": "王婆婆",
                       "address": "两路", "living_arrangement": "with_grandchildren", "registered_on": "2026-01-10" });
    let (_, elder) = app.post("/v1/left-behind-elders", &clerk(), &body).await;
    let path = format!(
        "/v1/left-behind-elders/{}/ending",
        elder["id"].as_str().unwrap()
    );
    let ending = json!({ "reason": "family_returned", "ended_on": "2026-03-01" });
    assert_eq!(app.post(&path, &village_staff(), &ending).await.0, 403);
    let (status, ended) = app.post(&path, &clerk(), &ending).await;
    assert_eq!(
        (status, ended["status"].as_str()),
        (200, Some("ended")),
        "{ended}"
    );
    let (_, plan) = app
        .get(
            &format!(
                "/v1/visit-plans/{}",
                elder["visit_plan_id"].as_str().unwrap()
            ),
            &clerk(),
        )
        .await;
    assert_eq!(plan["cancel_reason"], "family_returned");
    assert_eq!(app.post(&path, &clerk(), &ending).await.0, 409);
}

#[tokio::test]
async fn reference_values_are_set_by_district_officers_within_range_and_a_new_interval_applies_to_new_plans()
 {
    let app = spawn().await;
    let quarterly = json!({ "parameter": "visit.left_behind.interval_months", "valid_from": "2026-01-01", "value": 3 });
    assert_eq!(
        app.post("/v1/reference-values", &clerk(), &quarterly)
            .await
            .0,
        403
    );
    let cases = [
        (
            json!({ "parameter": "visit.left_behind.interval_months", "valid_from": "2026-01-01", "value": 0 }),
            "value",
        ),
        (
            json!({ "parameter": "target.service_centres", "scope": "500112999", "valid_from": "2026-01-01", "value": 1 }),
            "scope",
        ),
        (
            json!({ "parameter": "target.home_care_beds", "scope": SHICHUAN, "valid_from": "2026-01-01", "value": 1 }),
            "scope",
        ),
        (
            json!({ "parameter": "target.nonsense", "valid_from": "2026-01-01", "value": 1 }),
            "parameter",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = app.post("/v1/reference-values", &officer(), &body).await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{body}: {problem}"
        );
    }
    assert_eq!(
        app.post("/v1/reference-values", &officer(), &quarterly)
            .await
            .0,
        201
    );
    let body = json!({ "village_code": LIANGLU_VILLAGE, "id_number": id_number("50011219440808123"), "name": "王婆婆",
                       "address": "两路", "living_arrangement": "with_spouse", "registered_on": "2026-01-31" });
    let (_, elder) = app.post("/v1/left-behind-elders", &clerk(), &body).await;
    let (_, plan) = app
        .get(
            &format!(
                "/v1/visit-plans/{}",
                elder["visit_plan_id"].as_str().unwrap()
            ),
            &clerk(),
        )
        .await;
    assert_eq!(
        (
            plan["interval_months"].as_i64(),
            plan["next_due_on"].as_str()
        ),
        (Some(3), Some("2026-04-30"))
    );
    let (_, values) = app.get("/v1/reference-values", &village_staff()).await;
    assert!(
        values
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["parameter"] == "target.home_care_beds" && v["value"] == 200)
    );
}
