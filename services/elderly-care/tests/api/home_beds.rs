//! Home care beds from application to closure, with their events, refusals, masking and deaths.

use std::time::Duration;

use contracts::elderly::{HomeBedCloseReason, HomeBedClosed, HomeBedEstablished};
use kit::testing::{TestApp, eventually};
use serde_json::{Value, json};

use crate::support::*;

async fn provider(app: &TestApp, from: &str, to: &str) -> String {
    let body =
        json!({ "name": "渝北区颐养居家服务中心", "contract_from": from, "contract_to": to });
    let (status, p) = app.post("/v1/providers", &officer(), &body).await;
    assert_eq!(status, 201, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

async fn apply(app: &TestApp, id: &str) -> (u16, Value) {
    let body = json!({ "village_code": LIANGLU_VILLAGE, "id_number": id, "name": "张大爷",
                       "address": "两路街道某小区3栋", "applied_on": "2026-03-01" });
    app.post("/v1/home-beds", &village_staff(), &body).await
}

async fn assessed(app: &TestApp, id: &str, level: &str) -> Value {
    let (status, bed) = apply(app, id).await;
    assert_eq!(status, 201, "{bed}");
    let path = format!("/v1/home-beds/{}/assessment", bed["id"].as_str().unwrap());
    let body = json!({ "capability_level": level, "assessed_on": "2026-03-02" });
    let (status, bed) = post_if_match(app, &path, &clerk(), Some(&v(&bed["version"])), &body).await;
    assert_eq!(status, 200, "{bed}");
    bed
}

async fn established(app: &TestApp, id: &str) -> Value {
    let bed = assessed(app, id, "moderate_impairment").await;
    let provider = provider(app, "2026-01-01", "2026-12-31").await;
    let path = format!("/v1/home-beds/{}/installation", bed["id"].as_str().unwrap());
    let body = json!({ "provider_id": provider, "installed_on": "2026-03-10", "retrofit": true,
                       "monthly_subsidy_fen": 30_000 });
    let (status, bed) = post_if_match(app, &path, &clerk(), Some(&v(&bed["version"])), &body).await;
    assert_eq!(status, 200, "{bed}");
    bed
}

#[tokio::test]
async fn a_home_bed_goes_from_application_to_established_and_closed_publishing_both_events() {
    let app = spawn().await;
    let id = id_number("50011219480301123");
    let bed = established(&app, &id).await;
    assert_eq!(bed["status"], "established");
    let bed_id = bed["id"].as_str().unwrap().to_owned();

    let events = app.expect_events::<HomeBedEstablished>(1).await;
    let (raw, e) = &events[0];
    assert_eq!(e.home_bed_id.to_string(), bed_id);
    assert_eq!(e.person_ref.as_str(), person_ref(&app, &id));
    assert_eq!((e.retrofit, e.monthly_subsidy_fen), (true, Some(30_000)));
    assert_eq!(e.established_on, d("2026-03-10"));
    assert!(
        !raw.contains(&id[6..14]) && !raw.contains("张大爷") && !raw.contains("小区"),
        "{raw}"
    );

    let service =
        json!({ "served_on": "2026-03-12", "service_items": "助浴、血压测量", "minutes": 90 });
    let (status, s) = app
        .post(
            &format!("/v1/home-beds/{bed_id}/services"),
            &village_staff(),
            &service,
        )
        .await;
    assert_eq!(status, 201, "{s}");

    let close = json!({ "reason": "moved_to_institution", "closed_on": "2026-06-30" });
    let path = format!("/v1/home-beds/{bed_id}/closure");
    let (status, closed) =
        post_if_match(&app, &path, &clerk(), Some(&v(&bed["version"])), &close).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    let events = app.expect_events::<HomeBedClosed>(1).await;
    assert_eq!(events[0].1.reason, HomeBedCloseReason::MovedToInstitution);
    assert_eq!(events[0].1.closed_on, d("2026-06-30"));
    // Closed: no more service visits, no second closure.
    assert_eq!(
        app.post(
            &format!("/v1/home-beds/{bed_id}/services"),
            &village_staff(),
            &service
        )
        .await
        .0,
        409
    );
    let (status, _) =
        post_if_match(&app, &path, &clerk(), Some(&v(&closed["version"])), &close).await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn applications_are_refused_for_a_bad_id_number_someone_under_sixty_and_a_second_open_one() {
    let app = spawn().await;
    let mut bad = id_number("50011219480301123");
    bad.replace_range(17.., if bad.ends_with('0') { "1" } else { "0" });
    let young = id_number("50011219900301123");
    for id in [bad.as_str(), young.as_str(), "not-a-number"] {
        let (status, problem) = apply(&app, id).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "id_number");
    }
    let body = json!({ "village_code": "500199001001", "id_number": id_number("50011219480301123"),
                       "name": "x", "address": "y" });
    let (status, problem) = app.post("/v1/home-beds", &clerk(), &body).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("village_code"))
    );
    let old = id_number("50011219480301123");
    assert_eq!(apply(&app, &old).await.0, 201);
    let (status, problem) = apply(&app, &old).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (409, Some("urn:minzheng:problem:home-bed-exists"))
    );
}

#[tokio::test]
async fn an_intact_assessment_rejects_the_bed_and_it_cannot_be_installed() {
    let app = spawn().await;
    let bed = assessed(&app, &id_number("50011219450101123"), "intact").await;
    assert_eq!(bed["status"], "rejected");
    let provider = provider(&app, "2026-01-01", "2026-12-31").await;
    let path = format!("/v1/home-beds/{}/installation", bed["id"].as_str().unwrap());
    let body = json!({ "provider_id": provider, "installed_on": "2026-03-10" });
    let (status, problem) =
        post_if_match(&app, &path, &clerk(), Some(&v(&bed["version"])), &body).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (409, Some("urn:minzheng:problem:home-bed-status"))
    );
}

#[tokio::test]
async fn updates_need_the_current_if_match_and_a_provider_contracted_on_the_day() {
    let app = spawn().await;
    let bed = assessed(&app, &id_number("50011219450101123"), "severe_impairment").await;
    let path = format!("/v1/home-beds/{}/installation", bed["id"].as_str().unwrap());
    let expired = provider(&app, "2024-01-01", "2025-12-31").await;
    let body = json!({ "provider_id": expired, "installed_on": "2026-03-10" });
    assert_eq!(
        post_if_match(&app, &path, &clerk(), None, &body).await.0,
        428
    );
    assert_eq!(
        post_if_match(&app, &path, &clerk(), Some("\"v1\""), &body)
            .await
            .0,
        412
    );
    let (status, problem) =
        post_if_match(&app, &path, &clerk(), Some(&v(&bed["version"])), &body).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("provider_id"))
    );
    let unknown = json!({ "provider_id": uuid::Uuid::now_v7(), "installed_on": "2026-03-10" });
    let (status, problem) =
        post_if_match(&app, &path, &clerk(), Some(&v(&bed["version"])), &unknown).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("provider_id"))
    );
    // Nothing was half-written and nothing published.
    let (_, shown) = app
        .get(
            &format!("/v1/home-beds/{}", bed["id"].as_str().unwrap()),
            &clerk(),
        )
        .await;
    assert_eq!(shown["status"], "assessed");
    assert!(app.events::<HomeBedEstablished>().await.is_empty());
    // Village staff may apply but not install.
    let (status, _) = post_if_match(
        &app,
        &path,
        &village_staff(),
        Some(&v(&bed["version"])),
        &body,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn id_numbers_are_masked_unless_a_clerk_asks_and_other_townships_see_nothing() {
    let app = spawn().await;
    let id = id_number("50011219480301123");
    let (_, bed) = apply(&app, &id).await;
    let path = format!("/v1/home-beds/{}", bed["id"].as_str().unwrap());
    assert_eq!(bed["id_number"], format!("500112********{}", &id[14..]));
    let (_, full) = app.get(&format!("{path}?unmasked=true"), &clerk()).await;
    assert_eq!(full["id_number"], id);
    assert_eq!(
        app.get(&format!("{path}?unmasked=true"), &village_staff())
            .await
            .0,
        403
    );
    let other = TestApp::token(kit::Role::TownshipClerk, SHUANGFENGQIAO);
    assert_eq!(app.get(&path, &other).await.0, 404);
    let (_, page) = app.get("/v1/home-beds", &other).await;
    assert!(page["items"].as_array().unwrap().is_empty());
    let audit = kit::audit::for_resource(
        &app.service().platform.db,
        "home-bed",
        bed["id"].as_str().unwrap(),
    )
    .await
    .unwrap();
    assert!(audit.iter().any(|a| a.action == "read-unmasked-id-number"));
}

#[tokio::test]
async fn a_death_record_closes_the_bed_and_publishes_the_closure() {
    let app = spawn().await;
    let id = id_number("50011219400101123");
    let bed = established(&app, &id).await;
    let fact: contracts::partner::DeathRecorded = serde_json::from_value(json!({
        "record_number": "D-0001", "id_number": id, "date_of_death": "2026-05-02",
        "source": "funeral_service", "registering_division": LIANGLU, "recorded_on": "2026-05-03" }))
    .unwrap();
    app.publish_with_id(&fact, "death-bed").await;
    app.publish_with_id(&fact, "death-bed").await;
    let events = app.expect_events::<HomeBedClosed>(1).await;
    assert_eq!(events[0].1.reason, HomeBedCloseReason::Death);
    assert_eq!(events[0].1.closed_on, d("2026-05-02"));
    let path = format!("/v1/home-beds/{}", bed["id"].as_str().unwrap());
    eventually("the bed closed", Duration::from_secs(20), || async {
        (app.get(&path, &clerk()).await.1["status"] == "closed").then_some(())
    })
    .await;
}
