//! A registered child supported as extreme poverty by aid does not draw the allowance too: aid's
//! enrollment stops it the month before the support starts, its end lets it start again; a
//! registration approved during the support is held; other programmes change nothing.

use std::time::Duration;

use contracts::{
    aid::{EnrollmentChanged, EnrollmentEnded, EnrollmentStarted},
    child::{AllowanceEndReason, AllowanceEnded, AllowanceStarted},
    common::Month,
};
use kit::{
    Role,
    testing::{TestApp, eventually},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::*;

const ENROLLMENT: &str = "0190f4b0-1f2a-7b3c-8d4e-5f60718293a4";

fn this_month() -> Month {
    Month::from_date(child_welfare::commands::records::today())
}

fn started(programme: &str, beneficiary: &str, start: Month) -> EnrollmentStarted {
    let mut e = json!({
        "enrollment_id": ENROLLMENT, "application_id": Uuid::now_v7(),
        "household_id": Uuid::now_v7(), "programme": programme, "residence": "urban",
        "support_mode": "dispersed", "care_level": "full_self_care",
        "members": [beneficiary], "beneficiaries": [beneficiary], "monthly_amount_fen": 82_700,
        "township_code": LIANGLU, "village_code": LIANGLU_VILLAGE,
        "start_month": start.to_string(), "confirmed_on": today_text() });
    if programme != "extreme_poverty" {
        e.as_object_mut().unwrap().remove("support_mode");
        e.as_object_mut().unwrap().remove("care_level");
    }
    serde_json::from_value(e).unwrap()
}

fn ended(beneficiary: &str, last: Month) -> EnrollmentEnded {
    serde_json::from_value(json!({
        "enrollment_id": ENROLLMENT, "household_id": Uuid::now_v7(),
        "programme": "extreme_poverty", "reason": "income_above_line",
        "members": [beneficiary], "beneficiaries": [beneficiary],
        "end_month": last.to_string(), "ended_on": today_text(),
        "township_code": LIANGLU, "village_code": LIANGLU_VILLAGE }))
    .unwrap()
}

fn changed(beneficiaries: &[&str], effective: Month) -> EnrollmentChanged {
    serde_json::from_value(json!({
        "enrollment_id": ENROLLMENT, "household_id": Uuid::now_v7(),
        "programme": "extreme_poverty", "residence": "urban", "support_mode": "dispersed",
        "care_level": "full_self_care", "members": beneficiaries, "beneficiaries": beneficiaries,
        "monthly_amount_fen": 82_700, "township_code": LIANGLU, "village_code": LIANGLU_VILLAGE,
        "reason": "members_changed", "effective_month": effective.to_string(),
        "changed_on": today_text() }))
    .unwrap()
}

/// Waits until the service has handled `n` events of `subject` (its inbox rows).
async fn handled(app: &TestApp, subject: &str, n: i64) {
    use sea_orm::{ConnectionTrait, Statement};
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    eventually(subject, Duration::from_secs(20), || async {
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM kit_inbox WHERE subject = $1",
                [subject.into()],
            ))
            .await
            .ok()??;
        (row.try_get::<i64>("", "n").ok()? >= n).then_some(())
    })
    .await;
}

async fn support(app: &TestApp, id: &str) -> Value {
    let (status, v) = app
        .get(
            &format!("/v1/children/{id}/extreme-poverty-support"),
            &clerk(),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v
}

async fn support_until(
    app: &TestApp,
    id: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    eventually(what, Duration::from_secs(20), || async {
        let v = support(app, id).await;
        check(&v).then_some(v)
    })
    .await
}

#[tokio::test]
async fn extreme_poverty_support_stops_the_allowance_the_month_before_and_its_end_restarts_it() {
    let app = spawn().await;
    let child = id_number(CHILD);
    let (id, decided) = register(&app, &de_facto_body(&child)).await;
    let first = start_month(&decided);
    app.expect_events::<AllowanceStarted>(1).await;

    // Confirmed as extreme poverty, paid from the month after the allowance's first month.
    let support_from = first.next();
    let enrollment = started("extreme_poverty", &person_ref(&child), support_from);
    let event_id = app.publish(&enrollment).await;
    app.publish_with_id(&enrollment, &event_id).await;
    app.publish(&enrollment).await;
    let stopped = app.expect_events::<AllowanceEnded>(1).await;
    let (raw, stopped) = &stopped[0];
    assert_eq!(stopped.reason, AllowanceEndReason::Other);
    assert_eq!(
        stopped.end_month, first,
        "the month before the support starts"
    );
    assert!(!raw.contains(&child[6..14]), "{raw}");
    let held = support_until(&app, &id, "the hold", |v| v["held"] == true).await;
    assert_eq!(held["periods"][0]["from_month"], support_from.to_string());
    assert_eq!(held["holds"][0]["held_from"], support_from.to_string());
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    assert_eq!(view["status"], "registered", "the registration stays");

    // The support ends two months later: the allowance starts again the month after.
    let support_to = support_from.plus(1);
    app.publish(&ended(&person_ref(&child), support_to)).await;
    let restarted = eventually(
        "the allowance restarted",
        Duration::from_secs(20),
        || async {
            app.events::<AllowanceStarted>()
                .await
                .get(1)
                .map(|(_, e)| e.clone())
        },
    )
    .await;
    assert_eq!(restarted.start_month, support_to.next().max(this_month()));
    assert_eq!(restarted.child_id.to_string(), id);
    assert_eq!(restarted.monthly_amount_fen, 120_000);
    let released = support_until(&app, &id, "the hold released", |v| v["held"] == false).await;
    assert_eq!(released["holds"][0]["outcome"], "resumed");
    assert_eq!(released["periods"][0]["to_month"], support_to.to_string());
    assert_eq!(
        app.events::<AllowanceEnded>().await.len(),
        1,
        "stopped once"
    );
}

#[tokio::test]
async fn a_registration_approved_during_the_support_is_held_until_the_child_leaves_the_enrollment()
{
    let app = spawn().await;
    let child = id_number(CHILD);
    let other = id_number("50011219400101111");
    app.publish(&started(
        "extreme_poverty",
        &person_ref(&child),
        this_month(),
    ))
    .await;
    // Only once the support is known here is the registration decided.
    let (status, submitted) = submit(&app, &de_facto_body(&child)).await;
    assert_eq!(status, 201, "{submitted}");
    let id = submitted["id"].as_str().unwrap().to_owned();
    eventually("the support recorded", Duration::from_secs(20), || async {
        let (_, v) = app
            .get(
                &format!("/v1/children/{id}/extreme-poverty-support"),
                &clerk(),
            )
            .await;
        (!v["periods"].as_array()?.is_empty()).then_some(())
    })
    .await;
    let (status, decided) = app
        .post(
            &format!("/v1/children/{id}/decision"),
            &approver(),
            &json!({ "approve": true }),
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["status"], "registered");
    assert_eq!(decided["start_month"], Value::Null, "held: {decided}");
    let held = support(&app, &id).await;
    assert_eq!(held["held"], true);
    assert_eq!(held["holds"][0]["stopped_allowance_id"], Value::Null);

    // The child leaves the enrollment (an adult member stays) from next month.
    let from = this_month().next();
    app.publish(&changed(&[&person_ref(&other)], from)).await;
    let started_events = app.expect_events::<AllowanceStarted>(1).await;
    assert_eq!(started_events[0].1.start_month, from);
    support_until(&app, &id, "released", |v| v["held"] == false).await;
}

#[tokio::test]
async fn a_child_whose_conditions_ended_during_the_support_is_not_paid_again() {
    let app = spawn().await;
    let child = id_number(CHILD);
    let (id, decided) = register(&app, &de_facto_body(&child)).await;
    let first = start_month(&decided);
    app.publish(&started("extreme_poverty", &person_ref(&child), first))
        .await;
    let stopped = app.expect_events::<AllowanceEnded>(1).await;
    assert_eq!(stopped[0].1.end_month, first.prev(), "never paid");
    // The father is released while the child is supported as extreme poverty.
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    let imprisonment = view["parents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "father")
        .unwrap()["conditions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, v) = app
        .post(
            &format!("/v1/children/{id}/conditions/{imprisonment}/end"),
            &clerk(),
            &json!({ "ended_on": today_text(), "evidence": "释放证明 2026-118" }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    app.publish(&ended(&person_ref(&child), first)).await;
    let released = support_until(&app, &id, "released", |v| v["held"] == false).await;
    assert_eq!(released["holds"][0]["outcome"], "closed");
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    assert_eq!(view["status"], "ended");
    assert_eq!(app.events::<AllowanceStarted>().await.len(), 1);
}

#[tokio::test]
async fn a_dibao_enrollment_naming_the_child_changes_nothing_and_other_townships_see_no_support() {
    let app = spawn().await;
    let child = id_number(CHILD);
    let (id, _) = register(&app, &de_facto_body(&child)).await;
    app.publish(&started("dibao", &person_ref(&child), this_month()))
        .await;
    // Handled with nothing recorded: then an extreme-poverty end for an unknown enrollment
    // (nothing held) changes nothing either.
    app.publish(&ended(&person_ref(&child), this_month().prev().prev()))
        .await;
    handled(&app, "aid.enrollment.started.v1", 1).await;
    handled(&app, "aid.enrollment.ended.v1", 1).await;
    let v = support(&app, &id).await;
    assert_eq!(v["periods"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["held"], false);
    assert!(app.events::<AllowanceEnded>().await.is_empty());
    let other = TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO);
    let (status, _) = app
        .get(
            &format!("/v1/children/{id}/extreme-poverty-support"),
            &other,
        )
        .await;
    assert_eq!(status, 404);
}
