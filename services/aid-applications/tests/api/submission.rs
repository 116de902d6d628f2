//! Submitting an application: refusals by field, the submitted event without personal data, one
//! open application per programme, the township's scope, masked ID numbers, a death record
//! delivered twice.

use aid_applications::{CONTEXT, parts, store::Migrator};
use contracts::{aid::ApplicationSubmitted, partner::DeathRecorded};
use kit::{
    Role,
    testing::{TestApp, eventually},
};
use serde_json::{Value, json};

const LIANGLU: &str = "500112016";
const LIANGLU_VILLAGE: &str = "500112016001";
const SHUANGFENGQIAO: &str = "500112017";

/// A valid ID number from 17 digits (computes the GB 11643 check character).
fn id_number(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

async fn spawn() -> TestApp {
    TestApp::spawn::<Migrator>("aid-applications", CONTEXT, parts).await
}

fn clerk() -> String {
    TestApp::token(Role::TownshipClerk, LIANGLU)
}

async fn register(app: &TestApp, ids: &[&str]) -> (u16, Value) {
    let members: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({ "name": format!("成员{i}"), "id_number": id, "relationship": if i == 0 { "head" } else { "child" },
                    "monthly_income_fen": 50_000 })
        })
        .collect();
    let body = json!({ "village_code": LIANGLU_VILLAGE, "residence": "urban", "address": "两路街道某小区", "members": members });
    app.post("/v1/households", &clerk(), &body).await
}

#[tokio::test]
async fn an_invalid_id_number_is_refused_with_the_field_and_nothing_is_written() {
    let app = spawn().await;
    let good = id_number("50011219800101123");
    let mut bad = id_number("50011220100101456");
    bad.replace_range(17.., if bad.ends_with('0') { "1" } else { "0" });
    let (status, problem) = register(&app, &[&good, &bad]).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "members[1].id_number");
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("check character")
    );
    // The valid member was not half-written: registering them alone succeeds.
    assert_eq!(register(&app, &[&good]).await.0, 201);
}

#[tokio::test]
async fn submitting_publishes_the_submitted_event_with_no_personal_data() {
    let app = spawn().await;
    let head = id_number("50011219800101123");
    let (_, household) = register(&app, &[&head, &id_number("50011220150301234")]).await;
    let body =
        json!({ "household_id": household["id"], "programme": "dibao", "channel": "window" });
    let (status, application) = app.post("/v1/applications", &clerk(), &body).await;
    assert_eq!(status, 201, "{application}");
    assert_eq!(application["status"], "submitted");

    let events = app.expect_events::<ApplicationSubmitted>(1).await;
    let (raw, event) = &events[0];
    assert_eq!(
        event.application_id.to_string(),
        application["id"].as_str().unwrap()
    );
    assert_eq!(event.household_size, 2);
    assert!(
        !raw.contains(&head) && !raw.contains(&head[..14]) && !raw.contains("成员"),
        "personal data leaked: {raw}"
    );
    let stream = app.js.get_stream("AID").await.unwrap();
    let message = stream
        .get_last_raw_message_by_subject("aid.application.submitted.v1")
        .await
        .unwrap();
    let headers = message.headers;
    assert_eq!(
        headers.get("ce-type").unwrap().as_str(),
        "aid.application.submitted.v1"
    );
    assert_eq!(
        headers.get("ce-source").unwrap().as_str(),
        "aid-applications"
    );
    assert_eq!(
        headers.get("Nats-Msg-Id").unwrap().as_str(),
        headers.get("ce-id").unwrap().as_str()
    );
}

#[tokio::test]
async fn a_second_open_application_for_the_same_programme_is_refused() {
    let app = spawn().await;
    let (_, household) = register(&app, &[&id_number("50011219800101123")]).await;
    let body =
        json!({ "household_id": household["id"], "programme": "dibao", "channel": "online" });
    assert_eq!(app.post("/v1/applications", &clerk(), &body).await.0, 201);
    let (status, problem) = app.post("/v1/applications", &clerk(), &body).await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:open-application-exists")
    );
}

#[tokio::test]
async fn another_township_can_neither_see_nor_use_the_household() {
    let app = spawn().await;
    let (_, household) = register(&app, &[&id_number("50011219800101123")]).await;
    let other = TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO);
    let id = household["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/v1/households/{id}"), &other).await.0,
        404
    );
    let body = json!({ "household_id": id, "programme": "dibao", "channel": "window" });
    assert_eq!(app.post("/v1/applications", &other, &body).await.0, 404);
    assert_eq!(
        app.get(&format!("/v1/households/{id}"), &clerk()).await.0,
        200
    );
}

#[tokio::test]
async fn id_numbers_are_masked_unless_an_allowed_role_asks_and_that_read_is_audited() {
    let app = spawn().await;
    let head = id_number("50011219800101123");
    let (_, household) = register(&app, &[&head]).await;
    let id = household["id"].as_str().unwrap();
    let (_, masked) = app.get(&format!("/v1/households/{id}"), &clerk()).await;
    assert_eq!(
        masked["members"][0]["id_number"],
        format!("500112********{}", &head[14..])
    );
    let (_, full) = app
        .get(&format!("/v1/households/{id}?unmasked=true"), &clerk())
        .await;
    assert_eq!(full["members"][0]["id_number"], head);
    let village = TestApp::token(Role::VillageStaff, LIANGLU_VILLAGE);
    assert_eq!(
        app.get(&format!("/v1/households/{id}?unmasked=true"), &village)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn a_death_record_delivered_twice_marks_the_member_deceased() {
    let app = spawn().await;
    let head = id_number("50011219400101123");
    let (_, household) = register(&app, &[&head]).await;
    let id = household["id"].as_str().unwrap().to_owned();
    let days_ago = |n| kit::clock::today() - chrono::Days::new(n);
    let died_on = days_ago(17);
    let fact: DeathRecorded = serde_json::from_value(json!({
        "record_number": "D2026-0001", "id_number": head, "date_of_death": died_on,
        "source": "medical", "registering_division": LIANGLU, "recorded_on": days_ago(16) }))
    .unwrap();
    app.publish_with_id(&fact, "death-1").await;
    app.publish_with_id(&fact, "death-1").await;
    let path = format!("/v1/households/{id}");
    eventually(
        "the member marked deceased",
        std::time::Duration::from_secs(20),
        || async {
            let (_, v) = app.get(&path, &clerk()).await;
            (v["members"][0]["deceased_on"] == json!(died_on)).then_some(())
        },
    )
    .await;
}
