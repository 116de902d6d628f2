//! The relay's small HTTP edge for the platform: `/livez`, `/readyz` (NATS connected and every
//! approved subject consumed) and `/metrics`.

use std::sync::Arc;

use axum::{Router, extract::State, http::StatusCode, routing::get};

use crate::relay::Health;

#[derive(Clone)]
struct Edge {
    client: async_nats::Client,
    health: Arc<Health>,
    subjects: usize,
}

/// The routes, served on `HTTP_ADDR`.
pub fn router(client: async_nats::Client, health: Arc<Health>, subjects: usize) -> Router {
    let metrics = kit::edge::metrics_handle();
    Router::new()
        .route("/livez", get(|| async { "live" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(move || async move { metrics.render() }))
        .with_state(Edge {
            client,
            health,
            subjects,
        })
}

async fn ready(State(edge): State<Edge>) -> (StatusCode, String) {
    let connected = edge.client.connection_state() == async_nats::connection::State::Connected;
    let live = edge.health.live();
    let body = format!(
        "nats: {}\nconsumers: {live}/{}\n",
        if connected {
            "connected"
        } else {
            "disconnected"
        },
        edge.subjects
    );
    if connected && live == edge.subjects {
        (StatusCode::OK, body)
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, body)
    }
}
