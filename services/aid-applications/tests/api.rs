//! aid-applications through its REST edge and NATS, against real PostgreSQL and a nats-server of
//! the test's own.

use std::time::Duration;

use aid_applications::{CONTEXT, parts, store::Migrator};
use kit::{
    Role,
    config::{Config, DEV_AUTH_SECRET},
    edge::auth::dev_token,
    service::Service,
    testing::{NatsServer, TestDatabase, eventually},
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

struct App {
    base: String,
    http: reqwest::Client,
    nats: NatsServer,
    service: Option<Service>,
}

impl App {
    async fn spawn() -> Self {
        let nats = NatsServer::start().await;
        let db = TestDatabase::create().await;
        let vars = [
            ("HTTP_ADDR", "127.0.0.1:0".to_owned()),
            ("DATABASE_URL", db.url.clone()),
            ("NATS_URL", nats.url()),
        ];
        let config = Config::from_lookup("aid-applications", 0, |k| {
            vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        })
        .unwrap();
        let service = Service::build::<Migrator>(config, CONTEXT, parts)
            .await
            .unwrap();
        Self {
            base: format!("http://{}", service.addr),
            http: reqwest::Client::new(),
            nats,
            service: Some(service),
        }
    }

    fn token(role: Role, division: &str) -> String {
        dev_token(
            DEV_AUTH_SECRET,
            &format!("{}-{division}", role.as_str()),
            role,
            division,
            chrono::Duration::minutes(10),
        )
    }

    fn clerk() -> String {
        Self::token(Role::TownshipClerk, LIANGLU)
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(body)
            .send()
            .await
            .unwrap();
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }

    async fn register(&self, ids: &[&str]) -> (u16, Value) {
        let members: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                json!({ "name": format!("成员{i}"), "id_number": id, "relationship": if i == 0 { "head" } else { "child" },
                        "monthly_income_fen": 50_000 })
            })
            .collect();
        let body = json!({ "village_code": LIANGLU_VILLAGE, "residence": "urban", "address": "两路街道某小区", "members": members });
        self.post("/v1/households", &Self::clerk(), &body).await
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(s) = self.service.take() {
            tokio::spawn(s.stop());
        }
    }
}

#[tokio::test]
async fn an_invalid_id_number_is_refused_with_the_field_and_nothing_is_written() {
    let app = App::spawn().await;
    let good = id_number("50011219800101123");
    let mut bad = id_number("50011220100101456");
    bad.replace_range(17.., if bad.ends_with('0') { "1" } else { "0" });
    let (status, problem) = app.register(&[&good, &bad]).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "members[1].id_number");
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("check character")
    );
    // The valid member was not half-written: registering them alone succeeds.
    assert_eq!(app.register(&[&good]).await.0, 201);
}

#[tokio::test]
async fn submitting_publishes_the_submitted_event_with_no_personal_data() {
    let app = App::spawn().await;
    let head = id_number("50011219800101123");
    let (_, household) = app
        .register(&[&head, &id_number("50011220150301234")])
        .await;
    let (status, application) = app
        .post(
            "/v1/applications",
            &App::clerk(),
            &json!({ "household_id": household["id"], "programme": "dibao", "channel": "window" }),
        )
        .await;
    assert_eq!(status, 201, "{application}");
    assert_eq!(application["status"], "submitted");

    let js = kit::nats::jetstream(kit::nats::connect(&app.nats.url(), "probe").await.unwrap());
    let message = eventually(
        "the submitted event on AID",
        Duration::from_secs(20),
        || {
            let js = js.clone();
            async move {
                let stream = js.get_stream("AID").await.ok()?;
                stream
                    .get_last_raw_message_by_subject("aid.application.submitted.v1")
                    .await
                    .ok()
            }
        },
    )
    .await;
    let body = String::from_utf8(message.payload.to_vec()).unwrap();
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["application_id"], application["id"]);
    assert_eq!(event["household_size"], 2);
    assert!(
        !body.contains(&head) && !body.contains(&head[..14]) && !body.contains("成员"),
        "personal data leaked: {body}"
    );
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
    let app = App::spawn().await;
    let (_, household) = app.register(&[&id_number("50011219800101123")]).await;
    let body =
        json!({ "household_id": household["id"], "programme": "dibao", "channel": "online" });
    assert_eq!(
        app.post("/v1/applications", &App::clerk(), &body).await.0,
        201
    );
    let (status, problem) = app.post("/v1/applications", &App::clerk(), &body).await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:open-application-exists")
    );
}

#[tokio::test]
async fn another_township_can_neither_see_nor_use_the_household() {
    let app = App::spawn().await;
    let (_, household) = app.register(&[&id_number("50011219800101123")]).await;
    let other = App::token(Role::TownshipClerk, SHUANGFENGQIAO);
    let id = household["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/v1/households/{id}"), &other).await.0,
        404
    );
    let body = json!({ "household_id": id, "programme": "dibao", "channel": "window" });
    assert_eq!(app.post("/v1/applications", &other, &body).await.0, 404);
    assert_eq!(
        app.get(&format!("/v1/households/{id}"), &App::clerk())
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn id_numbers_are_masked_unless_an_allowed_role_asks_and_that_read_is_audited() {
    let app = App::spawn().await;
    let head = id_number("50011219800101123");
    let (_, household) = app.register(&[&head]).await;
    let id = household["id"].as_str().unwrap();
    let (_, masked) = app
        .get(&format!("/v1/households/{id}"), &App::clerk())
        .await;
    assert_eq!(
        masked["members"][0]["id_number"],
        format!("500112********{}", &head[14..])
    );
    let (_, full) = app
        .get(&format!("/v1/households/{id}?unmasked=true"), &App::clerk())
        .await;
    assert_eq!(full["members"][0]["id_number"], head);
    let village = App::token(Role::VillageStaff, LIANGLU_VILLAGE);
    assert_eq!(
        app.get(&format!("/v1/households/{id}?unmasked=true"), &village)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn a_death_record_marks_the_member_deceased_once() {
    let app = App::spawn().await;
    let head = id_number("50011219400101123");
    let (_, household) = app.register(&[&head]).await;
    let id = household["id"].as_str().unwrap().to_owned();
    let js = kit::nats::jetstream(
        kit::nats::connect(&app.nats.url(), "partner")
            .await
            .unwrap(),
    );
    kit::nats::ensure_stream(&js, contracts::stream_for("partner.x").unwrap(), 1)
        .await
        .unwrap();
    let fact = json!({ "record_number": "D2026-0001", "id_number": head, "date_of_death": "2026-11-20",
                       "source": "medical", "registering_division": LIANGLU, "recorded_on": "2026-11-21" });
    contracts::validate("partner.civil-registry.death.recorded.v1", &fact)
        .expect("the test's fact is valid");
    for _ in 0..2 {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("ce-id", "death-1");
        js.publish_with_headers(
            "partner.civil-registry.death.recorded.v1",
            headers,
            fact.to_string().into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    }
    let (_, view) = eventually(
        "the member marked deceased",
        Duration::from_secs(20),
        || {
            let app = &app;
            let id = id.clone();
            async move {
                let (s, v) = app
                    .get(&format!("/v1/households/{id}"), &App::clerk())
                    .await;
                (v["members"][0]["deceased_on"] == "2026-11-20").then_some((s, v))
            }
        },
    )
    .await;
    assert_eq!(view["members"][0]["deceased_on"], "2026-11-20");
}
