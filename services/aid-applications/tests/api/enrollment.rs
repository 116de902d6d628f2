//! Enrollments through the REST edge and NATS: started on confirmation (flow 3: dispersed
//! extreme-poverty support), changed, reviewed, put on gradual exit, ended — also by a death
//! record from the civil registry — with every refusal leaving the enrollment as it was.

use std::time::Duration;

use crate::procedure_support::*;
use aid_applications::{commands::enrollment, store};
use contracts::{
    aid::{EnrollmentChanged, EnrollmentEnded, EnrollmentStarted},
    partner::DeathRecorded,
};
use kit::{
    Principal, Role,
    identity::DivisionCode,
    testing::{TestApp, eventually},
};
use sea_orm::{
    ColumnTrait, Database, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::Expr,
};
use serde_json::{Value, json};

/// A dibao enrollment for the mother-and-child household; returns (enrollment, member ids, ID numbers).
async fn dibao(app: &TestApp) -> (String, Vec<String>) {
    let (household, members) = poor_household(app).await;
    let id = submit(app, &household, json!({})).await;
    to_publicity_closed(app, &id).await;
    (confirm(app, &id, None).await, members)
}

async fn enrollment(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/v1/enrollments/{id}"), &clerk()).await.1
}

async fn post(app: &TestApp, id: &str, route: &str, token: &str, body: Value) -> (u16, Value) {
    app.post(&format!("/v1/enrollments/{id}/{route}"), token, &body)
        .await
}

fn month_of(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

#[tokio::test]
async fn dispersed_extreme_poverty_support_starts_with_its_mode_care_level_and_single_beneficiary()
{
    let app = spawn().await;
    let elder = id_number("50011219450808121");
    let (household, members) = household(
        &app,
        "rural",
        &[NewMember {
            id_number: &elder,
            relationship: "head",
            income_fen: 0,
            able_to_work: false,
        }],
    )
    .await;
    let id = submit(
        &app,
        &household,
        json!({ "programme": "extreme_poverty", "member_id": members[0],
                "support_mode": "dispersed", "care_level": "partial_care" }),
    )
    .await;
    to_publicity_closed(&app, &id).await;
    let enrollment_id = confirm(&app, &id, Some(payee())).await;
    let (raw, started) = app.expect_events::<EnrollmentStarted>(1).await.remove(0);
    assert_eq!(started.enrollment_id.to_string(), enrollment_id);
    assert_eq!(
        serde_json::to_value(started.support_mode).unwrap(),
        "dispersed"
    );
    assert_eq!(
        serde_json::to_value(started.care_level).unwrap(),
        "partial_care"
    );
    // Basic living standard 827 yuan plus the (placeholder) dispersed partial-care allowance 300.
    assert_eq!(started.monthly_amount_fen, 82_700 + 30_000);
    assert_eq!((started.members.len(), started.beneficiaries.len()), (1, 1));
    assert!(!raw.contains(&elder[..14]), "{raw}");
    let e = enrollment(&app, &enrollment_id).await;
    assert_eq!(
        (e["status"].as_str(), e["support_mode"].as_str()),
        (Some("active"), Some("dispersed"))
    );
    assert_eq!(e["payee"], "成员0 ****5678");
    // Extreme-poverty support has no gradual exit.
    let (status, problem) = post(
        &app,
        &enrollment_id,
        "gradual-exit",
        &district_approver(),
        json!({ "reason": "employment" }),
    )
    .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:no-gradual-exit")
    );

    // The civil registry records the death: the enrollment ends after the month of death.
    let died_on = days_ago(3).max(days_ago(40 - 14));
    let fact: DeathRecorded = serde_json::from_value(json!({
        "record_number": "D2026-0001", "id_number": elder, "date_of_death": died_on, "source": "medical",
        "registering_division": LIANGLU, "recorded_on": today() })).unwrap();
    app.publish_with_id(&fact, "death-elder").await;
    app.publish_with_id(&fact, "death-elder").await;
    let ended = app.expect_events::<EnrollmentEnded>(1).await;
    assert_eq!(ended.len(), 1);
    let ended = &ended[0].1;
    assert_eq!(serde_json::to_value(ended.reason).unwrap(), "death");
    assert_eq!(ended.end_month.to_string(), month_of(died_on));
    assert_eq!(enrollment(&app, &enrollment_id).await["status"], "ended");
}

#[tokio::test]
async fn the_death_of_one_member_of_a_dibao_household_recomputes_the_benefit_from_the_next_month() {
    let app = spawn().await;
    let (enrollment_id, _) = dibao(&app).await;
    let child = id_number("50011220150601343");
    let died_on = days_ago(2);
    let fact: DeathRecorded = serde_json::from_value(json!({
        "record_number": "D2026-0002", "id_number": child, "date_of_death": died_on, "source": "medical",
        "registering_division": LIANGLU, "recorded_on": today() })).unwrap();
    app.publish(&fact).await;
    let (_, changed) = app.expect_events::<EnrollmentChanged>(1).await.remove(0);
    assert_eq!(
        serde_json::to_value(changed.reason).unwrap(),
        "members_changed"
    );
    assert_eq!((changed.members.len(), changed.beneficiaries.len()), (1, 1));
    assert_eq!(changed.monthly_amount_fen, 63_600);
    assert_eq!(
        changed.effective_month.to_string(),
        month_of(died_on.checked_add_months(chrono::Months::new(1)).unwrap())
    );
    eventually(
        "the enrollment still running",
        Duration::from_secs(20),
        || async {
            (enrollment(&app, &enrollment_id).await["beneficiaries"]
                .as_array()?
                .len()
                == 1)
                .then_some(())
        },
    )
    .await;
}

/// A day whose month is also the month of the decision the helpers record 27 days earlier
/// (`confirm`, day 13 of a procedure begun 40 days ago): the enrollment's first paid month is
/// the next one.
fn late_in_the_month_of_the_decision() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 29).unwrap()
}

#[tokio::test]
async fn a_change_is_decided_by_an_approver_and_a_zero_amount_is_refused() {
    kit::testing::set_today(late_in_the_month_of_the_decision());
    let app = spawn().await;
    let (id, _) = dibao(&app).await;
    let body = json!({ "reason": "standard_raised", "monthly_amount_fen": 140_000 });
    assert_eq!(
        post(&app, &id, "change", &clerk(), body.clone()).await.0,
        403
    );
    let (status, problem) = post(
        &app,
        &id,
        "change",
        &district_approver(),
        json!({ "reason": "standard_raised", "monthly_amount_fen": 0 }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("monthly_amount_fen"))
    );
    let (status, problem) = post(&app, &id, "change", &district_approver(), json!({ "reason": "care_level_changed", "monthly_amount_fen": 1, "care_level": "full_care" })).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    assert!(app.events::<EnrollmentChanged>().await.is_empty());
    let (status, changed) = post(&app, &id, "change", &district_approver(), body).await;
    assert_eq!(status, 200, "{changed}");
    let (_, event) = app.expect_events::<EnrollmentChanged>(1).await.remove(0);
    assert_eq!(
        (
            serde_json::to_value(event.reason).unwrap(),
            event.monthly_amount_fen
        ),
        (json!("standard_raised"), 140_000)
    );
    // Decided before the first paid month (2026-07): the new amount replaces the starting one.
    assert_eq!(changed["amounts"].as_array().unwrap().len(), 1);
    assert_eq!(changed["amounts"][0]["amount"], 140_000);
    assert_eq!(changed["monthly_amount_fen"], 140_000);
}

#[tokio::test]
async fn a_change_decided_after_the_first_paid_month_keeps_the_starting_amount_before_it() {
    // Decided on 2026-06-13 (first paid month 2026-07), changed on 2026-07-10: from 2026-08.
    kit::testing::set_today(chrono::NaiveDate::from_ymd_opt(2026, 7, 10).unwrap());
    let app = spawn().await;
    let (id, _) = dibao(&app).await;
    let started = enrollment(&app, &id).await;
    assert_eq!(started["start_month"], "2026-07");
    let body = json!({ "reason": "standard_raised", "monthly_amount_fen": 140_000 });
    let (status, changed) = post(&app, &id, "change", &district_approver(), body).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["amounts"],
        json!([
            { "from": { "year": 2026, "month": 7 }, "amount": started["monthly_amount_fen"],
              "decided_on": "2026-06-13" },
            { "from": { "year": 2026, "month": 8 }, "amount": 140_000,
              "reason": "standard_raised", "decided_on": "2026-07-10" }
        ])
    );
}

#[tokio::test]
async fn a_review_records_its_outcome_and_the_next_review_follows_the_household_cadence() {
    // Reviewed in the month of the decision: the cadence counts from the review (2026-06),
    // not from the first paid month (2026-07) as the first due review did.
    kit::testing::set_today(late_in_the_month_of_the_decision());
    let app = spawn().await;
    let (id, _) = dibao(&app).await;
    let before = enrollment(&app, &id).await;
    let (status, problem) = post(
        &app,
        &id,
        "reviews",
        &clerk(),
        json!({ "outcome": "increase", "monthly_amount_fen": 1_000 }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("monthly_amount_fen"))
    );
    let (status, reviewed) = post(
        &app,
        &id,
        "reviews",
        &clerk(),
        json!({ "outcome": "unchanged" }),
    )
    .await;
    assert_eq!(status, 200, "{reviewed}");
    // Nobody in the household can work: the next review is 12 months after this one.
    assert_eq!(
        (
            before["next_review_due"].as_str(),
            reviewed["next_review_due"].as_str()
        ),
        (Some("2027-07"), Some("2027-06"))
    );
    let (status, stopped) =
        post(&app, &id, "reviews", &clerk(), json!({ "outcome": "stop" })).await;
    assert_eq!((status, stopped["status"].as_str()), (200, Some("ended")));
    let (_, ended) = app.expect_events::<EnrollmentEnded>(1).await.remove(0);
    assert_eq!(serde_json::to_value(ended.reason).unwrap(), "review_stop");
    assert_eq!(ended.end_month.to_string(), month_of(today()));
}

#[tokio::test]
async fn a_gradual_exit_keeps_paying_for_six_months_then_nothing_more_can_change() {
    let app = spawn().await;
    let (id, _) = dibao(&app).await;
    let (status, exiting) = post(
        &app,
        &id,
        "gradual-exit",
        &district_approver(),
        json!({ "reason": "employment" }),
    )
    .await;
    assert_eq!(
        (status, exiting["status"].as_str()),
        (200, Some("exiting")),
        "{exiting}"
    );
    let (_, changed) = app.expect_events::<EnrollmentChanged>(1).await.remove(0);
    let last = today().checked_add_months(chrono::Months::new(6)).unwrap();
    assert_eq!(
        changed.gradual_exit_last_month.unwrap().to_string(),
        month_of(last)
    );
    assert_eq!(exiting["end_month"], month_of(last));
    let (status, problem) = post(
        &app,
        &id,
        "change",
        &district_approver(),
        json!({ "reason": "standard_raised", "monthly_amount_fen": 150_000 }),
    )
    .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:gradual-exit-running")
    );
}

#[tokio::test]
async fn an_ended_enrollment_cannot_end_twice_and_the_payee_needs_the_current_etag() {
    let app = spawn().await;
    let (id, _) = dibao(&app).await;
    let path = format!("/v1/enrollments/{id}/payee");
    let (_, tag, _) = get_tagged(&app, &format!("/v1/enrollments/{id}"), &clerk()).await;
    assert_eq!(put(&app, &path, &clerk(), "\"v99\"", &payee()).await.0, 412);
    let (status, problem) = put(
        &app,
        &path,
        &clerk(),
        &tag,
        &json!({ "name": "x", "bank": "y", "account": "12ab" }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("account"))
    );
    assert_eq!(put(&app, &path, &clerk(), &tag, &payee()).await.0, 200);
    let (status, problem) = post(
        &app,
        &id,
        "end",
        &district_approver(),
        json!({ "reason": "death" }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    let (status, _) = post(
        &app,
        &id,
        "end",
        &district_approver(),
        json!({ "reason": "moved_away" }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, problem) = post(
        &app,
        &id,
        "end",
        &district_approver(),
        json!({ "reason": "moved_away" }),
    )
    .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:enrollment-ended")
    );
    assert_eq!(app.expect_events::<EnrollmentEnded>(1).await.len(), 1);
    // Another township sees none of it.
    assert_eq!(
        app.get(&format!("/v1/enrollments/{id}"), &other_clerk())
            .await
            .0,
        404
    );
    let (_, list) = app.get("/v1/enrollments", &other_clerk()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_death_arriving_while_a_command_holds_the_enrollment_waits_for_it_instead_of_failing_it()
{
    let app = spawn().await;
    let (enrollment_id, _) = dibao(&app).await;
    let id: uuid::Uuid = enrollment_id.parse().unwrap();
    let clerk = Principal {
        subject: "clerk-wang".into(),
        role: Role::TownshipClerk,
        division: DivisionCode::parse(LIANGLU).unwrap(),
    };
    let db = Database::connect(&app.database_url).await.unwrap();
    let version = |db: DatabaseConnection| async move {
        store::enrollment::Entity::find_by_id(id)
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .version
    };

    // A command on the enrollment (a review, say) has loaded it, as every such command starts,
    // and has not saved it yet when the civil registry's death record of the child arrives.
    let tx = db.begin().await.unwrap();
    let loaded = enrollment::load_for_update(&tx, &clerk, id).await.unwrap();
    let child = id_number("50011220150601343");
    let fact: DeathRecorded = serde_json::from_value(json!({
        "record_number": "D2026-0003", "id_number": child, "date_of_death": days_ago(2), "source": "medical",
        "registering_division": LIANGLU, "recorded_on": today() })).unwrap();
    app.publish(&fact).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        version(db.clone()).await,
        loaded.row.version,
        "the death changed the enrollment under the command"
    );
    assert!(app.events::<EnrollmentChanged>().await.is_empty());
    // The command's save at the version it read succeeds (its caller sent no version).
    let saved = store::enrollment::Entity::update_many()
        .col_expr(
            store::enrollment::Column::Version,
            Expr::value(loaded.row.version + 1),
        )
        .filter(store::enrollment::Column::Id.eq(id))
        .filter(store::enrollment::Column::Version.eq(loaded.row.version))
        .exec(&tx)
        .await
        .unwrap();
    assert_eq!(saved.rows_affected, 1, "the command's save");
    tx.commit().await.unwrap();

    // Then the death is applied on top of the command's change.
    let (_, changed) = app.expect_events::<EnrollmentChanged>(1).await.remove(0);
    assert_eq!(changed.beneficiaries.len(), 1);
    assert_eq!(version(db.clone()).await, loaded.row.version + 2);
}

/// A mother, her child and her father (born 1945), none with income.
async fn three_generations(app: &TestApp) -> (String, Vec<String>) {
    let mother = id_number("50011219850315122");
    let child = id_number("50011220150601343");
    let grandfather = id_number("50011219450808121");
    household(
        app,
        "urban",
        &[
            NewMember {
                id_number: &mother,
                relationship: "head",
                income_fen: 0,
                able_to_work: false,
            },
            NewMember {
                id_number: &child,
                relationship: "child",
                income_fen: 0,
                able_to_work: false,
            },
            NewMember {
                id_number: &grandfather,
                relationship: "parent",
                income_fen: 0,
                able_to_work: false,
            },
        ],
    )
    .await
}

/// Extreme-poverty support (dispersed) for `member`; returns the enrollment.
async fn extreme_poverty(app: &TestApp, household: &str, member: &str) -> String {
    let id = submit(
        app,
        household,
        json!({ "programme": "extreme_poverty", "member_id": member,
                "support_mode": "dispersed", "care_level": "full_self_care" }),
    )
    .await;
    to_publicity_closed(app, &id).await;
    confirm(app, &id, Some(payee())).await
}

/// The amount the rules give the household's dibao application on `on` (the assessment route).
async fn assessed(app: &TestApp, application: &str, on: &str) -> i64 {
    let (status, a) = app
        .get(
            &format!("/v1/applications/{application}/assessment?on={on}"),
            &clerk(),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    a["assessment"]["monthly_amount"]
        .as_i64()
        .unwrap_or_else(|| panic!("{a}"))
}

#[tokio::test]
async fn extreme_poverty_support_for_a_member_takes_them_out_of_the_households_dibao_from_its_first_month()
 {
    kit::testing::set_today(late_in_the_month_of_the_decision());
    let app = spawn().await;
    let (household, members) = three_generations(&app).await;
    let application = submit(&app, &household, json!({})).await;
    to_publicity_closed(&app, &application).await;
    let dibao = confirm(&app, &application, Some(payee())).await;
    let before = enrollment(&app, &dibao).await;
    assert_eq!(before["beneficiaries"].as_array().unwrap().len(), 3);

    // Three months on, the grandfather is confirmed for extreme-poverty support from September.
    kit::testing::set_today(chrono::NaiveDate::from_ymd_opt(2026, 9, 20).unwrap());
    extreme_poverty(&app, &household, &members[2]).await;
    let after = enrollment(&app, &dibao).await;
    assert_eq!(
        after["beneficiaries"],
        json!([members[0], members[1]]),
        "{after}"
    );
    let two = assessed(&app, &application, "2026-09-01").await;
    assert!(two < before["monthly_amount_fen"].as_i64().unwrap());
    assert_eq!(
        (
            &after["amounts"][1]["from"],
            &after["amounts"][1]["amount"],
            &after["amounts"][1]["reason"]
        ),
        (
            &json!({ "year": 2026, "month": 9 }),
            &json!(two),
            &json!("members_changed")
        ),
        "{after}"
    );
    let changed = eventually("the dibao's change", Duration::from_secs(20), || async {
        app.events::<EnrollmentChanged>()
            .await
            .into_iter()
            .find(|(_, e)| e.enrollment_id.to_string() == dibao)
    })
    .await
    .1;
    assert_eq!(
        (
            changed.beneficiaries.len(),
            changed.effective_month.to_string(),
            changed.monthly_amount_fen
        ),
        (2, "2026-09".to_owned(), two)
    );
}

#[tokio::test]
async fn a_dibao_confirmed_for_a_household_leaves_out_the_member_paid_extreme_poverty_support() {
    kit::testing::set_today(late_in_the_month_of_the_decision());
    let app = spawn().await;
    let (household, members) = three_generations(&app).await;
    extreme_poverty(&app, &household, &members[2]).await;

    kit::testing::set_today(chrono::NaiveDate::from_ymd_opt(2026, 9, 20).unwrap());
    let application = submit(&app, &household, json!({})).await;
    to_publicity_closed(&app, &application).await;
    let dibao = confirm(&app, &application, Some(payee())).await;
    let e = enrollment(&app, &dibao).await;
    assert_eq!(e["beneficiaries"], json!([members[0], members[1]]), "{e}");
    assert_eq!(
        e["monthly_amount_fen"].as_i64().unwrap(),
        assessed(&app, &application, "2026-09-01").await
    );
    // The rules' trail says why the grandfather is not counted.
    let (_, a) = app
        .get(
            &format!("/v1/applications/{application}/assessment?on=2026-09-01"),
            &clerk(),
        )
        .await;
    assert!(
        a.to_string()
            .contains("not counted: paid extreme-poverty support"),
        "{a}"
    );
}
