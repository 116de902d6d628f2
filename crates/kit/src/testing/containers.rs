//! PostgreSQL and NATS in containers, for machines with a Docker engine (feature `containers`).
//! Started once per test process and shared; `TESTCONTAINERS=off` forces the local servers.

use testcontainers_modules::{
    nats::{Nats, NatsServerCmd},
    postgres::Postgres,
    testcontainers::{ContainerAsync, ImageExt, runners::AsyncRunner},
};
use tokio::sync::OnceCell;

static POSTGRES: OnceCell<Option<(ContainerAsync<Postgres>, String)>> = OnceCell::const_new();
static NATS: OnceCell<Option<(ContainerAsync<Nats>, String)>> = OnceCell::const_new();

fn disabled() -> bool {
    std::env::var("TESTCONTAINERS").is_ok_and(|v| v == "off")
}

/// URL of a PostgreSQL 15 container, or `None` when no Docker engine answers.
pub async fn postgres_url() -> Option<String> {
    if disabled() {
        return None;
    }
    POSTGRES
        .get_or_init(|| async {
            let container = Postgres::default()
                .with_tag("15-alpine")
                .start()
                .await
                .ok()?;
            let port = container.get_host_port_ipv4(5432).await.ok()?;
            let url =
                format!("postgres://postgres:postgres@127.0.0.1:{port}/postgres?sslmode=disable");
            Some((container, url))
        })
        .await
        .as_ref()
        .map(|(_, url)| url.clone())
}

/// URL of a NATS container with JetStream, or `None` when no Docker engine answers.
pub async fn nats_url() -> Option<String> {
    if disabled() {
        return None;
    }
    NATS.get_or_init(|| async {
        let cmd = NatsServerCmd::default().with_jetstream();
        let container = Nats::default()
            .with_cmd(&cmd)
            .with_tag("2.9.10")
            .start()
            .await
            .ok()?;
        let port = container.get_host_port_ipv4(4222).await.ok()?;
        Some((container, format!("nats://127.0.0.1:{port}")))
    })
    .await
    .as_ref()
    .map(|(_, url)| url.clone())
}
