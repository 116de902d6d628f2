//! Dispersed-support visit plans: from the aid enrollment event to an overdue alert, visits,
//! cancellations by enrollment end, change and death, duplicates, and the background check.

use std::time::Duration;

use contracts::{elderly::VisitOverdue, partner::DeathRecorded};
use elderly_care::{
    commands::visits::{self, check_overdue},
    events::overdue_check,
    store::{enrollment, visit_plan},
};
use kit::{
    Principal, Role,
    identity::DivisionCode,
    testing::{TestApp, eventually},
};
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use serde_json::json;
use uuid::Uuid;

use crate::support::*;

fn person(n: u32) -> String {
    format!("{n:032x}")
}

async fn check(app: &TestApp, today: &str) -> u64 {
    let p = &app.service().platform;
    check_overdue(&p.db, &p.outbox, d(today))
        .await
        .expect("the check runs")
        .raised
}

#[tokio::test]
async fn a_dispersed_enrollment_plans_monthly_visits_and_a_missed_one_raises_one_overdue_alert() {
    let app = spawn().await;
    let (a, b) = (person(1), person(2));
    let enrollment = Uuid::now_v7();
    app.publish(&dispersed(enrollment, &[&a, &b], "2026-01-31"))
        .await;
    let plan = plans_of(&app, &a, 1).await.remove(0);
    plans_of(&app, &b, 1).await;
    // Planned on Jan 31: due at the end of February, the anchor day clamped.
    assert_eq!(plan["next_due_on"], "2026-02-28");
    assert_eq!(plan["interval_months"], 1);
    assert_eq!(plan["kind"], "dispersed_support");
    assert_eq!(plan["enrollment_id"], enrollment.to_string());

    assert_eq!(check(&app, "2026-02-28").await, 0, "due today is not late");
    assert_eq!(check(&app, "2026-03-01").await, 2);
    assert_eq!(
        check(&app, "2026-03-01").await,
        0,
        "each overdue is raised once"
    );
    assert_eq!(check(&app, "2026-03-31").await, 0);

    let events = app.expect_events::<VisitOverdue>(2).await;
    let (raw, alert) = events
        .iter()
        .find(|(_, e)| e.person_ref.as_str() == a)
        .expect("an alert for the first beneficiary");
    assert_eq!(
        alert.visit_plan_id.to_string(),
        plan["id"].as_str().unwrap()
    );
    assert_eq!(alert.due_on, d("2026-02-28"));
    assert_eq!(alert.missed_visits, 1);
    assert_eq!(alert.enrollment_id, Some(enrollment));
    assert_eq!(alert.detected_on, d("2026-03-01"));
    assert_eq!(alert.village_code.as_str(), LIANGLU_VILLAGE);
    assert!(!raw.contains("findings"), "{raw}");

    // The next month missed too: a second alert counts two in a row.
    assert_eq!(check(&app, "2026-04-01").await, 2);
    let events = app.expect_events::<VisitOverdue>(4).await;
    assert!(events.iter().any(|(_, e)| e.person_ref.as_str() == a
        && e.missed_visits == 2
        && e.due_on == d("2026-03-31")));
    let (_, overdue) = app.get("/v1/visit-plans?overdue=true", &clerk()).await;
    assert_eq!(overdue["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_visit_in_time_moves_the_due_date_and_prevents_the_alert() {
    let app = spawn().await;
    let a = person(3);
    app.publish(&dispersed(Uuid::now_v7(), &[&a], "2026-01-31"))
        .await;
    let plan = plans_of(&app, &a, 1).await.remove(0);
    let id = plan["id"].as_str().unwrap();
    let body = json!({ "visited_on": "2026-02-10", "findings": "生活正常，米油充足", "needs_follow_up": false });
    let (status, after) = app
        .post(
            &format!("/v1/visit-plans/{id}/visits"),
            &village_staff(),
            &body,
        )
        .await;
    assert_eq!(status, 201, "{after}");
    assert_eq!(after["next_due_on"], "2026-03-31");
    assert_eq!(after["last_visited_on"], "2026-02-10");
    assert_eq!(check(&app, "2026-03-01").await, 0);
    assert_eq!(check(&app, "2026-04-01").await, 1, "March was missed");

    // A visit after the alert resets the run of missed visits.
    let body = json!({ "visited_on": "2026-04-03", "findings": "补探访" });
    let (_, after) = app
        .post(&format!("/v1/visit-plans/{id}/visits"), &clerk(), &body)
        .await;
    assert_eq!(
        (
            after["next_due_on"].as_str(),
            after["missed_visits"].as_i64()
        ),
        (Some("2026-05-31"), Some(0))
    );
    let (_, shown) = app.get(&format!("/v1/visit-plans/{id}"), &clerk()).await;
    assert_eq!(shown["visits"].as_array().unwrap().len(), 2);
    assert_eq!(shown["visits"][0]["visited_on"], "2026-04-03");
}

#[tokio::test]
async fn visits_are_refused_in_the_future_before_the_plan_without_findings_and_outside_the_division()
 {
    let app = spawn().await;
    let a = person(4);
    app.publish(&dispersed(Uuid::now_v7(), &[&a], "2026-01-31"))
        .await;
    let plan = plans_of(&app, &a, 1).await.remove(0);
    let path = format!("/v1/visit-plans/{}/visits", plan["id"].as_str().unwrap());
    let cases = [
        (
            json!({ "visited_on": "2099-01-01", "findings": "x" }),
            "visited_on",
        ),
        (
            json!({ "visited_on": "2026-01-30", "findings": "x" }),
            "visited_on",
        ),
        (
            json!({ "visited_on": "2026-02-10", "findings": "  " }),
            "findings",
        ),
        (
            json!({ "visited_on": "2026-02-30", "findings": "x" }),
            "visited_on",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = app.post(&path, &clerk(), &body).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    let other = TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO);
    let ok = json!({ "visited_on": "2026-02-10", "findings": "x" });
    assert_eq!(app.post(&path, &other, &ok).await.0, 404);
    assert_eq!(app.post(&path, &officer(), &ok).await.0, 403);
    let (_, page) = app.get("/v1/visit-plans", &other).await;
    assert!(page["items"].as_array().unwrap().is_empty());
    // Nothing was half-written: the plan still waits for its first visit.
    let (_, shown) = app
        .get(
            &format!("/v1/visit-plans/{}", plan["id"].as_str().unwrap()),
            &clerk(),
        )
        .await;
    assert_eq!(shown["visits"].as_array().unwrap().len(), 0);
    assert_eq!(shown["next_due_on"], "2026-02-28");
}

#[tokio::test]
async fn institutional_support_and_dibao_plan_no_visits() {
    let app = spawn().await;
    app.publish(&started(
        Uuid::now_v7(),
        "extreme_poverty",
        Some("institutional"),
        &[&person(5)],
        "2026-01-10",
    ))
    .await;
    app.publish(&started(
        Uuid::now_v7(),
        "dibao",
        None,
        &[&person(6)],
        "2026-01-10",
    ))
    .await;
    // Same subject, same consumer, in order: once the third is planned the first two were handled.
    app.publish(&dispersed(Uuid::now_v7(), &[&person(7)], "2026-01-10"))
        .await;
    plans_of(&app, &person(7), 1).await;
    assert_eq!(plans(&app).await.len(), 1);
}

#[tokio::test]
async fn an_enrollment_delivered_twice_or_republished_plans_each_person_once() {
    let app = spawn().await;
    let (a, b) = (person(8), person(9));
    let event = dispersed(Uuid::now_v7(), &[&a, &b], "2026-01-15");
    app.publish_with_id(&event, "enrollment-1").await;
    app.publish_with_id(&event, "enrollment-1").await;
    // A producer re-publishing after the duplicate window: another event id, the same enrollment.
    app.publish_with_id(&event, "enrollment-1-again").await;
    app.publish(&dispersed(Uuid::now_v7(), &[&person(10)], "2026-01-15"))
        .await;
    plans_of(&app, &person(10), 1).await;
    assert_eq!(plans_of(&app, &a, 1).await.len(), 1);
    assert_eq!(plans_of(&app, &b, 1).await.len(), 1);
}

#[tokio::test]
async fn an_ended_enrollment_cancels_its_plans_and_nothing_more_is_raised() {
    let app = spawn().await;
    let a = person(11);
    let enrollment = Uuid::now_v7();
    app.publish(&dispersed(enrollment, &[&a], "2026-01-31"))
        .await;
    plans_of(&app, &a, 1).await;
    app.publish(&ended(enrollment, &[&a], "2026-02-20")).await;
    let plan = eventually("the plan cancelled", Duration::from_secs(20), || async {
        let p = plans_of(&app, &a, 1).await.remove(0);
        (p["status"] == "cancelled").then_some(p)
    })
    .await;
    assert_eq!(plan["cancel_reason"], "enrollment_ended");
    assert_eq!(plan["cancelled_on"], "2026-02-20");
    assert_eq!(check(&app, "2026-06-01").await, 0);
    let path = format!("/v1/visit-plans/{}/visits", plan["id"].as_str().unwrap());
    let (status, problem) = app
        .post(
            &path,
            &clerk(),
            &json!({ "visited_on": "2026-02-21", "findings": "x" }),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (409, Some("urn:minzheng:problem:visit-plan-cancelled"))
    );
}

#[tokio::test]
async fn an_end_that_arrives_before_the_start_plans_nothing() {
    let app = spawn().await;
    let a = person(12);
    let enrollment = Uuid::now_v7();
    app.publish(&ended(enrollment, &[&a], "2026-03-01")).await;
    let db = app.service().platform.db.clone();
    eventually("the end remembered", Duration::from_secs(20), || async {
        enrollment::Entity::find_by_id(enrollment)
            .one(&db)
            .await
            .ok()
            .flatten()
            .filter(|e| e.ended_on.is_some())
    })
    .await;
    app.publish(&dispersed(enrollment, &[&a], "2026-01-31"))
        .await;
    app.publish(&dispersed(Uuid::now_v7(), &[&person(13)], "2026-01-31"))
        .await;
    plans_of(&app, &person(13), 1).await;
    plans_of(&app, &a, 0).await;
}

#[tokio::test]
async fn a_change_to_institutional_support_cancels_the_plan_and_a_new_beneficiary_gets_one() {
    let app = spawn().await;
    let (a, b) = (person(14), person(15));
    let enrollment = Uuid::now_v7();
    app.publish(&dispersed(enrollment, &[&a], "2026-01-31"))
        .await;
    plans_of(&app, &a, 1).await;
    let change = |mode: &str, beneficiaries: &[&str], on: &str| {
        serde_json::from_value::<contracts::aid::EnrollmentChanged>(json!({
            "enrollment_id": enrollment, "household_id": Uuid::now_v7(), "programme": "extreme_poverty",
            "residence": "rural", "support_mode": mode, "care_level": "partial_care",
            "members": beneficiaries, "beneficiaries": beneficiaries, "monthly_amount_fen": 82_700,
            "township_code": LIANGLU, "village_code": LIANGLU_VILLAGE,
            "reason": "members_changed", "effective_month": &on[..7], "changed_on": on }))
        .unwrap()
    };
    app.publish(&change("dispersed", &[&a, &b], "2026-03-05"))
        .await;
    let plan_b = plans_of(&app, &b, 1).await.remove(0);
    assert_eq!(plan_b["anchor_on"], "2026-03-05");
    assert_eq!(plan_b["next_due_on"], "2026-04-05");
    app.publish(&change("institutional", &[&a, &b], "2026-04-01"))
        .await;
    eventually("both plans cancelled", Duration::from_secs(20), || async {
        let all = plans(&app).await;
        all.iter()
            .all(|p| p["status"] == "cancelled" && p["cancel_reason"] == "support_ended")
            .then_some(())
    })
    .await;
}

fn death(id: &str, on: &str) -> DeathRecorded {
    serde_json::from_value(json!({
        "record_number": format!("D-{id}"), "id_number": id, "date_of_death": on,
        "source": "household_register", "registering_division": LIANGLU, "recorded_on": on }))
    .unwrap()
}

#[tokio::test]
async fn a_death_record_delivered_twice_cancels_the_plan_of_that_person_only() {
    let app = spawn().await;
    let dead = id_number("50011219400101123");
    let (a, b) = (person_ref(&app, &dead), person(16));
    app.publish(&dispersed(Uuid::now_v7(), &[&a, &b], "2026-01-31"))
        .await;
    plans_of(&app, &a, 1).await;
    plans_of(&app, &b, 1).await;
    let fact = death(&dead, "2026-02-14");
    app.publish_with_id(&fact, "death-1").await;
    app.publish_with_id(&fact, "death-1").await;
    app.publish(&fact).await;
    let plan = eventually("the plan cancelled", Duration::from_secs(20), || async {
        let p = plans_of(&app, &a, 1).await.remove(0);
        (p["status"] == "cancelled").then_some(p)
    })
    .await;
    assert_eq!(
        (
            plan["cancel_reason"].as_str(),
            plan["cancelled_on"].as_str()
        ),
        (Some("death"), Some("2026-02-14"))
    );
    assert_eq!(plans_of(&app, &b, 1).await[0]["status"], "active");
    assert_eq!(
        check(&app, "2026-03-01").await,
        1,
        "only the living beneficiary is overdue"
    );
}

#[tokio::test]
async fn a_death_recorded_before_the_enrollment_arrives_plans_no_visit_for_that_person() {
    let app = spawn().await;
    let dead = id_number("50011219380505223");
    let a = person_ref(&app, &dead);
    app.publish(&death(&dead, "2026-01-20")).await;
    let db = app.service().platform.db.clone();
    eventually("the death remembered", Duration::from_secs(20), || async {
        elderly_care::store::death::Entity::find_by_id(a.clone())
            .one(&db)
            .await
            .ok()
            .flatten()
    })
    .await;
    let b = person(17);
    app.publish(&dispersed(Uuid::now_v7(), &[&a, &b], "2026-01-31"))
        .await;
    plans_of(&app, &b, 1).await;
    plans_of(&app, &a, 0).await;
}

#[tokio::test]
async fn the_background_task_raises_overdue_alerts_on_its_own_and_stops_with_the_service() {
    let app = spawn().await;
    let a = person(18);
    app.publish(&dispersed(Uuid::now_v7(), &[&a], "2025-01-31"))
        .await;
    plans_of(&app, &a, 1).await;
    let task = overdue_check::spawn(&app.service().platform, Duration::from_millis(50));
    let events = app.expect_events::<VisitOverdue>(1).await;
    assert_eq!(events[0].1.person_ref.as_str(), a);
    assert!(
        events[0].1.missed_visits >= 10,
        "a plan unvisited since 2025"
    );
    app.stop().await;
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the task stops with the service")
        .expect("the task ended cleanly");
}

#[tokio::test]
async fn the_overdue_check_route_is_for_district_officers_and_machines() {
    let app = spawn().await;
    assert_eq!(
        app.post("/v1/overdue-checks", &clerk(), &json!({})).await.0,
        403
    );
    let (status, report) = app.post("/v1/overdue-checks", &officer(), &json!({})).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["raised"], 0);
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = spawn().await;
    let spec: serde_json::Value = app
        .http
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/v1/visit-plans",
        "/v1/visit-plans/{id}",
        "/v1/visit-plans/{id}/visits",
        "/v1/overdue-checks",
        "/v1/home-beds",
        "/v1/home-beds/{id}/assessment",
        "/v1/home-beds/{id}/installation",
        "/v1/home-beds/{id}/services",
        "/v1/home-beds/{id}/closure",
        "/v1/providers",
        "/v1/left-behind-elders",
        "/v1/left-behind-elders/{id}/ending",
        "/v1/facilities",
        "/v1/facilities/{id}/progress",
        "/v1/facilities/{id}/occupancy",
        "/v1/reports/targets",
        "/v1/reports/coverage",
        "/v1/reference-values",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} missing");
    }
}

#[tokio::test]
async fn a_death_arriving_while_a_visit_is_being_recorded_waits_for_it_instead_of_failing_it() {
    let app = spawn().await;
    let dead = id_number("50011219400101123");
    let a = person_ref(&app, &dead);
    app.publish(&dispersed(Uuid::now_v7(), &[&a], "2026-01-31"))
        .await;
    let plan = plans_of(&app, &a, 1).await.remove(0);
    let id: Uuid = plan["id"].as_str().unwrap().parse().unwrap();
    let staff = Principal {
        subject: "visitor-1".into(),
        role: Role::VillageStaff,
        division: DivisionCode::parse(LIANGLU_VILLAGE).unwrap(),
    };
    let db = Database::connect(&app.database_url).await.unwrap();

    // The visit's command has loaded the plan, as it starts, and not saved it yet when the
    // death record arrives.
    let tx = db.begin().await.unwrap();
    let loaded = visits::plan_to_change(&tx, &staff, id).await.unwrap();
    app.publish(&death(&dead, "2026-02-14")).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let meanwhile = visit_plan::Entity::find_by_id(id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (meanwhile.status.as_str(), meanwhile.version),
        ("active", loaded.version),
        "the death changed the plan under the visit's command"
    );
    // The visit's save at the version it read succeeds (the caller sent no version).
    let saved = visit_plan::Entity::update_many()
        .col_expr(visit_plan::Column::Version, Expr::value(loaded.version + 1))
        .filter(visit_plan::Column::Id.eq(id))
        .filter(visit_plan::Column::Version.eq(loaded.version))
        .exec(&tx)
        .await
        .unwrap();
    assert_eq!(saved.rows_affected, 1, "the visit's save");
    tx.commit().await.unwrap();

    // Then the death cancels the plan, on top of the visit.
    let plan = eventually("the plan cancelled", Duration::from_secs(20), || async {
        let p = plans_of(&app, &a, 1).await.remove(0);
        (p["status"] == "cancelled").then_some(p)
    })
    .await;
    assert_eq!(plan["cancel_reason"], "death");
    let stored = visit_plan::Entity::find_by_id(id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, loaded.version + 2, "both changes counted");
}
