//! The publicity board from aid's events, and objections back onto NATS.

use super::*;

fn publicity(opened_on: NaiveDate, closes_on: NaiveDate) -> PublicityOpened {
    serde_json::from_value(json!({
        "publicity_id": Uuid::now_v7(), "application_id": Uuid::now_v7(),
        "publicity_number": format!("GS-2026-{YUFENGSHAN}-{}", &Uuid::now_v7().simple().to_string()[26..].to_uppercase()),
        "round": 1, "programme": "dibao", "residence": "rural", "household_size": 3,
        "proposed_monthly_amount_fen": 95_800, "township_code": YUFENGSHAN, "village_code": VILLAGE,
        "opened_on": opened_on, "closes_on": closes_on }))
    .unwrap()
}

async fn board_on(app: &TestApp, on: NaiveDate) -> Vec<Value> {
    let (s, board) = app
        .get(
            &format!("/v1/villages/{VILLAGE}/board?on={on}"),
            &village_staff(),
        )
        .await;
    assert_eq!(s, 200, "{board}");
    board["items"].as_array().cloned().unwrap_or_default()
}

async fn until_posted(app: &TestApp, event: &PublicityOpened) -> Value {
    let id = event.publicity_id.to_string();
    eventually(
        "the publicity on the village board",
        Duration::from_secs(20),
        || async {
            board_on(app, event.opened_on)
                .await
                .into_iter()
                .find(|i| i["publicity_id"] == id.as_str())
        },
    )
    .await
}

#[tokio::test]
async fn an_aid_publicity_shows_masked_on_the_board_and_an_objection_goes_back_onto_nats() {
    let app = spawn().await;
    let event = publicity(
        today() - chrono::Days::new(1),
        today() + chrono::Days::new(5),
    );
    app.publish(&event).await;
    let item = until_posted(&app, &event).await;
    assert_eq!(item["publicity_number"], event.publicity_number.as_str());
    assert_eq!(
        (
            item["programme"].as_str(),
            item["household_size"].as_i64(),
            item["proposed_monthly_amount_fen"].as_i64()
        ),
        (Some("dibao"), Some(3), Some(95_800))
    );
    assert!(item.get("application_id").is_none(), "{item}");
    assert!(
        board_on(&app, event.closes_on + chrono::Days::new(1))
            .await
            .is_empty(),
        "gone after its last day"
    );

    let objection = json!({ "publicity_id": event.publicity_id, "grounds": "income_understated",
        "statement": "他家在城里有门面出租", "objector_name": "钱七", "objector_phone": "13812345678" });
    let (s, raised) = app
        .post("/v1/objections", &village_staff(), &objection)
        .await;
    assert_eq!(s, 201, "{raised}");
    assert_eq!(
        (
            raised["objector_name"].as_str(),
            raised["objector_phone"].as_str()
        ),
        (Some("钱*"), Some("138****5678"))
    );

    let events = app.expect_events::<PublicityObjectionRaised>(1).await;
    let (raw, e) = &events[0];
    assert_eq!(
        (e.publicity_id, e.application_id),
        (event.publicity_id, event.application_id)
    );
    assert_eq!(e.objection_id.to_string(), raised["id"].as_str().unwrap());
    assert_eq!((e.raised_on, e.village_code.as_str()), (today(), VILLAGE));
    for personal in ["钱七", "13812345678", "门面"] {
        assert!(!raw.contains(personal), "{personal} leaked: {raw}");
    }
    // The objector's identity only for an allowed role that asks, and that read is audited.
    let path = format!("/v1/objections/{}", raised["id"].as_str().unwrap());
    assert_eq!(
        app.get(&format!("{path}?unmasked=true"), &village_staff())
            .await
            .0,
        403
    );
    let (s, full) = app.get(&format!("{path}?unmasked=true"), &clerk()).await;
    assert_eq!((s, full["objector_name"].as_str()), (200, Some("钱七")));
}

#[tokio::test]
async fn an_objection_after_the_publicity_closed_is_refused_and_a_retried_one_is_published_once() {
    let app = spawn().await;
    let closed = publicity(
        today() - chrono::Days::new(8),
        today() - chrono::Days::new(1),
    );
    app.publish(&closed).await;
    until_posted(&app, &closed).await;
    let objection = json!({ "publicity_id": closed.publicity_id, "grounds": "other", "statement": "不符合条件" });
    let (s, p) = app
        .post("/v1/objections", &village_staff(), &objection)
        .await;
    assert_eq!(
        (s, p["type"].as_str(), p["errors"][0]["field"].as_str()),
        (
            409,
            Some("urn:minzheng:problem:publicity-closed"),
            Some("publicity_id")
        ),
        "{p}"
    );
    // An open one on the same board is accepted; a retry with the same key answers the same
    // objection and publishes nothing more (a later objection shows the relay got past it).
    let open = publicity(today(), today() + chrono::Days::new(6));
    app.publish(&open).await;
    until_posted(&app, &open).await;
    let objection =
        json!({ "publicity_id": open.publicity_id, "grounds": "other", "statement": "不符合条件" });
    let (s, first) = app
        .post_with_key(
            "/v1/objections",
            &village_staff(),
            "objection-1",
            &objection,
        )
        .await;
    assert_eq!(s, 201, "{first}");
    let (s, retry) = app
        .post_with_key(
            "/v1/objections",
            &village_staff(),
            "objection-1",
            &objection,
        )
        .await;
    assert_eq!((s, &retry["id"]), (201, &first["id"]));
    let later = json!({ "publicity_id": open.publicity_id, "grounds": "not_resident", "statement": "常年不在村" });
    assert_eq!(
        app.post("/v1/objections", &village_staff(), &later).await.0,
        201
    );
    let events = app.expect_events::<PublicityObjectionRaised>(2).await;
    let grounds: Vec<_> = events
        .iter()
        .map(|(_, e)| (e.publicity_id, e.grounds))
        .collect();
    assert_eq!(
        grounds,
        [
            (open.publicity_id, ObjectionGrounds::Other),
            (open.publicity_id, ObjectionGrounds::NotResident)
        ]
    );
    // Staff of another village cannot object to this village's publicity.
    let elsewhere = TestApp::token(Role::VillageStaff, LIANGLU_VILLAGE);
    assert_eq!(
        app.post("/v1/objections", &elsewhere, &objection).await.0,
        404
    );
}

#[tokio::test]
async fn a_publicity_delivered_more_than_once_is_posted_once() {
    let app = spawn().await;
    let event = publicity(today(), today() + chrono::Days::new(6));
    app.publish_with_id(&event, "publicity-1").await;
    app.publish_with_id(&event, "publicity-1").await;
    app.publish(&event).await; // the same publicity under another event id (a producer's replay)
    let marker = publicity(today(), today() + chrono::Days::new(6));
    app.publish(&marker).await;
    until_posted(&app, &marker).await;
    let shown: Vec<Value> = board_on(&app, today())
        .await
        .into_iter()
        .filter(|i| i["publicity_id"] == event.publicity_id.to_string().as_str())
        .collect();
    assert_eq!(shown.len(), 1);
}
