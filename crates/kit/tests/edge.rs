//! The REST edge as a service exposes it: health, OpenAPI, metrics, problem+json for every kind of
//! bad request, authentication with division scope, and idempotent creating writes.

use std::time::Duration;

use axum::{extract::Path, http::StatusCode};
use kit::{
    Json, Principal, Problem, Role,
    config::{Config, DEV_AUTH_SECRET},
    edge::{
        auth::dev_token,
        idempotency::{self, Begin, IdempotencyKey},
    },
    inbox::Consumers,
    service::{Parts, Platform, Service},
    testing::{NatsServer, TestDatabase},
};
use sea_orm::TransactionTrait;
use sea_orm_migration::MigratorTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        kit::db::migrations()
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
struct Thing {
    division: String,
    count: u32,
}

/// Reads a thing of a division.
#[utoipa::path(get, path = "/v1/things/{division}", responses((status = 200, body = Thing)))]
async fn show_thing(
    who: Principal,
    Path(division): Path<String>,
) -> Result<axum::Json<Thing>, Problem> {
    who.require_scope(&division)?;
    Ok(axum::Json(Thing { division, count: 1 }))
}

/// Creates a thing.
#[utoipa::path(post, path = "/v1/things", request_body = Thing, responses((status = 201, body = Thing)))]
async fn create_thing(
    axum::extract::State(p): axum::extract::State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(thing): Json<Thing>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), Problem> {
    who.require(&[Role::TownshipClerk])?;
    who.require_scope(&thing.division)?;
    let tx = p.db.begin().await?;
    let fp = idempotency::fingerprint(&thing);
    if let Begin::Replay { status, body } = idempotency::begin(&tx, &who.key(), &key, &fp).await? {
        return Ok((StatusCode::from_u16(status).unwrap(), axum::Json(body)));
    }
    let body = serde_json::json!({ "id": uuid::Uuid::now_v7(), "division": thing.division });
    idempotency::complete(&tx, &who.key(), &key, &fp, 201, &body).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(body)))
}

/// Creates another kind of thing from the same body, through [`idempotency::once`].
#[utoipa::path(post, path = "/v1/other-things", request_body = Thing, responses((status = 201, body = Thing)))]
async fn create_other_thing(
    axum::extract::State(p): axum::extract::State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(thing): Json<Thing>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), Problem> {
    idempotency::once(&p, &who, &key, &thing, StatusCode::CREATED, async |_tx| {
        Ok::<_, Problem>(serde_json::json!({ "other": uuid::Uuid::now_v7() }))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct OnQuery {
    on: chrono::NaiveDate,
}

/// Stores nothing, but asks the database about a date (as a report would).
#[utoipa::path(get, path = "/v1/dates", params(OnQuery), responses((status = 200)))]
async fn echo_date(
    axum::extract::State(p): axum::extract::State<Platform>,
    _who: Principal,
    axum::extract::Query(q): axum::extract::Query<OnQuery>,
) -> Result<&'static str, Problem> {
    use sea_orm::ConnectionTrait;
    p.db.execute_raw(sea_orm::Statement::from_sql_and_values(
        p.db.get_database_backend(),
        "SELECT CAST($1 AS DATE)",
        [q.on.into()],
    ))
    .await?;
    Ok("ok")
}

struct App {
    base: String,
    http: reqwest::Client,
    _nats: NatsServer,
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
            ("MAX_BODY_BYTES", "1024".to_owned()),
        ];
        let config = Config::from_lookup("kit-test", 0, |k| {
            vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        })
        .unwrap();
        let service = Service::build::<Migrator>(config, "aid", |p| Parts {
            routes: OpenApiRouter::new()
                .routes(routes!(show_thing))
                .routes(routes!(create_thing))
                .routes(routes!(create_other_thing))
                .routes(routes!(echo_date))
                .with_state(p.clone()),
            consumers: Consumers::new("kit-test"),
        })
        .await
        .unwrap();
        Self {
            base: format!("http://{}", service.addr),
            http: reqwest::Client::new(),
            _nats: nats,
            service: Some(service),
        }
    }

    fn token(role: Role, division: &str) -> String {
        dev_token(
            DEV_AUTH_SECRET,
            "tester",
            role,
            division,
            chrono::Duration::minutes(10),
        )
    }

    async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    async fn post(
        &self,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        req.send().await.unwrap()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(s) = self.service.take() {
            tokio::spawn(s.stop());
        }
    }
}

async fn problem(resp: reqwest::Response) -> (u16, serde_json::Value) {
    let status = resp.status().as_u16();
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn health_openapi_and_metrics_are_served() {
    let app = App::spawn().await;
    assert_eq!(app.get("/livez", None).await.status(), 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while app.get("/readyz", None).await.status() != 200 {
        assert!(tokio::time::Instant::now() < deadline, "never ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let spec: serde_json::Value = app.get("/openapi.json", None).await.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/things/{division}",
        "/v1/things",
        "/v1/dead-letters",
        "/v1/dead-letters/{id}/replay",
    ] {
        assert!(
            spec["paths"].get(path).is_some(),
            "{path} missing from {spec}"
        );
    }
    app.get(
        "/v1/things/500112016",
        Some(&App::token(Role::TownshipClerk, "500112016")),
    )
    .await;
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        metrics.contains("route=\"/v1/things/{division}\""),
        "{metrics}"
    );
    assert!(
        !metrics.contains("500112016"),
        "raw paths must not become labels"
    );
}

#[tokio::test]
async fn requests_without_a_token_with_a_bad_token_or_outside_the_division_are_refused() {
    let app = App::spawn().await;
    let (status, body) = problem(app.get("/v1/things/500112016001", None).await).await;
    assert_eq!(
        (status, body["type"].as_str().unwrap()),
        (401, "urn:minzheng:problem:unauthorized")
    );

    let forged = kit::edge::auth::dev_token(
        "not-the-key",
        "x",
        Role::TownshipClerk,
        "500112016",
        chrono::Duration::minutes(5),
    );
    assert_eq!(
        problem(app.get("/v1/things/500112016001", Some(&forged)).await)
            .await
            .0,
        401
    );
    assert_eq!(
        problem(app.get("/v1/things/500112016001", Some("garbage")).await)
            .await
            .0,
        401
    );

    let clerk = App::token(Role::TownshipClerk, "500112016");
    let (status, body) = problem(app.get("/v1/things/500112017001", Some(&clerk)).await).await;
    assert_eq!(
        (status, body["type"].as_str().unwrap()),
        (403, "urn:minzheng:problem:forbidden")
    );
    assert_eq!(
        app.get("/v1/things/500112016001", Some(&clerk))
            .await
            .status(),
        200
    );
    let district = App::token(Role::DistrictOfficer, "500112");
    assert_eq!(
        app.get("/v1/things/500112017001", Some(&district))
            .await
            .status(),
        200
    );
    // Dead letters are for auditors and district officers only.
    assert_eq!(
        problem(app.get("/v1/dead-letters", Some(&clerk)).await)
            .await
            .0,
        403
    );
    assert_eq!(
        app.get(
            "/v1/dead-letters",
            Some(&App::token(Role::Auditor, "500112"))
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn bad_bodies_are_answered_with_problems_naming_the_field() {
    let app = App::spawn().await;
    let clerk = App::token(Role::TownshipClerk, "500112016");
    let (status, body) = problem(
        app.post("/v1/things", &clerk, Some("k1"), b"{\"division\":".to_vec())
            .await,
    )
    .await;
    assert_eq!(
        (status, body["type"].as_str().unwrap()),
        (400, "urn:minzheng:problem:malformed-json")
    );
    let (status, body) = problem(
        app.post(
            "/v1/things",
            &clerk,
            Some("k1"),
            br#"{"division":"500112016","count":"x"}"#.to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "count");
    let (status, _) = problem(
        app.post("/v1/things", &clerk, Some("k1"), vec![b' '; 4096])
            .await,
    )
    .await;
    assert_eq!(status, 413);
    let (status, body) = problem(
        app.post(
            "/v1/things",
            &clerk,
            None,
            br#"{"division":"500112016","count":1}"#.to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str().unwrap()),
        (400, "Idempotency-Key")
    );
    assert_eq!(problem(app.get("/v1/nowhere", None).await).await.0, 404);
}

#[tokio::test]
async fn a_retried_create_returns_the_first_result_and_a_reused_key_with_another_body_is_refused() {
    let app = App::spawn().await;
    let clerk = App::token(Role::TownshipClerk, "500112016");
    let body = br#"{"division":"500112016","count":1}"#.to_vec();
    let first = app
        .post("/v1/things", &clerk, Some("key-1"), body.clone())
        .await;
    assert_eq!(first.status(), 201);
    let first: serde_json::Value = first.json().await.unwrap();
    let again = app.post("/v1/things", &clerk, Some("key-1"), body).await;
    assert_eq!(again.status(), 201);
    assert_eq!(
        again.json::<serde_json::Value>().await.unwrap()["id"],
        first["id"]
    );
    let other = app
        .post(
            "/v1/things",
            &clerk,
            Some("key-1"),
            br#"{"division":"500112016","count":2}"#.to_vec(),
        )
        .await;
    assert_eq!(problem(other).await.0, 422);
}

#[tokio::test]
async fn a_key_sent_again_to_another_route_with_the_same_body_is_refused_not_answered_for_it() {
    let app = App::spawn().await;
    let clerk = App::token(Role::TownshipClerk, "500112016");
    let body = br#"{"division":"500112016","count":1}"#.to_vec();
    let first = app
        .post("/v1/other-things", &clerk, Some("shared"), body.clone())
        .await;
    assert_eq!(first.status(), 201);
    // Answering with the first route's response would tell the caller its thing was created.
    let elsewhere = app
        .post("/v1/things", &clerk, Some("shared"), body.clone())
        .await;
    let (status, problem) = problem(elsewhere).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    // The first route still replays its own answer.
    let again = app
        .post("/v1/other-things", &clerk, Some("shared"), body)
        .await;
    assert_eq!(again.status(), 201);
}

#[tokio::test]
async fn a_value_the_database_cannot_store_is_the_callers_422_not_an_outage() {
    let app = App::spawn().await;
    let clerk = App::token(Role::TownshipClerk, "500112016");
    assert_eq!(
        app.get("/v1/dates?on=2026-11-29", Some(&clerk))
            .await
            .status(),
        200
    );
    // Refused at the edge naming the parameter, before the handler or the database sees it.
    let (status, body) = problem(app.get("/v1/dates?on=-200000-01-01", Some(&clerk)).await).await;
    assert_eq!(
        (status, body["type"].as_str().unwrap()),
        (422, "urn:minzheng:problem:invalid-field")
    );
    assert_eq!(body["errors"][0]["field"], "on");
    let (status, _) = problem(
        app.post(
            "/v1/things",
            &clerk,
            Some("k-nul"),
            br#"{"division":"500112016\u0000","count":1}"#.to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_query_string_that_does_not_fit_is_a_problem_saying_what_was_wrong() {
    let app = App::spawn().await;
    let clerk = App::token(Role::TownshipClerk, "500112016");
    let (status, body) = problem(app.get("/v1/dates?on=yesterday", Some(&clerk)).await).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("on")),
        "the detail names the parameter: {body}"
    );
    let (status, body) = problem(
        app.get(
            "/v1/dead-letters?limit=500",
            Some(&App::token(Role::DistrictOfficer, "500112")),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("limit must be 1 to 200")),
        "{body}"
    );
}
