//! The metrics a service exposes move with what happens: request latency is a histogram with the
//! documented buckets; while NATS is down the outbox backlog and the age of its oldest row grow on
//! /metrics, and both fall back to zero once the relay drains it; the database pool, the dead
//! letters waiting and each durable consumer's counts are there; build_info names the release.

use std::time::Duration;

use axum::{Json, extract::State};
use kit::{
    Role,
    edge::auth::Principal,
    inbox::{Consumers, EventMeta, Handler, HandlerError},
    service::{Parts, Platform},
    testing::{TestApp, eventually},
};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use sea_orm_migration::{MigrationTrait, MigratorTrait};
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        kit::db::migrations()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
struct Decided(serde_json::Value);

impl contracts::Event for Decided {
    const SUBJECT: &'static str = "aid.application.decided.v1";
}

/// Writes one example event to the outbox.
#[utoipa::path(post, path = "/v1/emit", responses((status = 200, body = kit::edge::openapi::Null)))]
async fn emit(State(p): State<Platform>, _who: Principal) -> Json<()> {
    let example =
        contracts::schema(<Decided as contracts::Event>::SUBJECT).unwrap()["examples"][0].clone();
    let tx = p.db.begin().await.unwrap();
    p.outbox.enqueue(&tx, &Decided(example)).await.unwrap();
    tx.commit().await.unwrap();
    Json(())
}

struct Applies;

impl Handler<Decided> for Applies {
    async fn handle(
        &self,
        _tx: &DatabaseTransaction,
        _event: Decided,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        Ok(())
    }
}

fn value(metrics: &str, name: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn the_outbox_backlog_appears_while_nats_is_down_and_drains_after_on_metrics() {
    let mut app = TestApp::spawn_with::<Migrator>(
        "aid-applications",
        "aid",
        &[("OBSERVE_SECS", "1")],
        |platform| Parts {
            routes: OpenApiRouter::new()
                .routes(routes!(emit))
                .with_state(platform.clone()),
            consumers: Consumers::new("aid-applications").on(Applies),
        },
    )
    .await;
    let token = TestApp::token(Role::DistrictOfficer, "500112");
    let scrape = || async {
        app.http
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    app.post("/v1/emit", &token, &serde_json::json!(null)).await;
    let metrics = scrape().await;
    assert!(
        metrics.contains("http_request_duration_seconds_bucket{")
            && metrics.contains("le=\"0.005\""),
        "latency is a histogram with the documented buckets:\n{metrics}"
    );
    assert!(metrics.contains("build_info{"), "{metrics}");
    eventually(
        "the first event published",
        Duration::from_secs(10),
        || async { (value(&scrape().await, "outbox_backlog") == Some(0.0)).then_some(()) },
    )
    .await;

    app.nats.kill();
    for _ in 0..5 {
        app.post("/v1/emit", &token, &serde_json::json!(null)).await;
    }
    let grown = eventually("a backlog on /metrics", Duration::from_secs(15), || async {
        let m = scrape().await;
        let backlog = value(&m, "outbox_backlog")?;
        let age = value(&m, "outbox_oldest_unpublished_seconds")?;
        (backlog >= 5.0 && age >= 1.0).then_some(m)
    })
    .await;
    assert!(value(&grown, "db_pool_connections").is_some(), "{grown}");
    assert_eq!(value(&grown, "dead_letters_waiting"), Some(0.0), "{grown}");

    app.nats.resume().await;
    // Drained, and the durable that consumes the events has caught up with them.
    eventually("the backlog drained", Duration::from_secs(30), || async {
        let m = scrape().await;
        (value(&m, "outbox_backlog") == Some(0.0)
            && value(&m, "outbox_oldest_unpublished_seconds") == Some(0.0)
            && value(&m, "consumer_pending") == Some(0.0)
            && m.contains(
                "consumer_ack_pending{durable=\"aid-applications--aid-application-decided-v1\"}",
            ))
        .then_some(())
    })
    .await;
    app.stop().await;
}
