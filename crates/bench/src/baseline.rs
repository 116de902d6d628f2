//! The raw limits every mesh figure is compared with, measured in the same run: JetStream publish
//! and pull consume + ack (256-byte messages, file storage), single-row PostgreSQL commits with a
//! pool of 8, and a bare axum handler under 64 connections.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Instant,
};

use anyhow::Context;
use async_nats::jetstream::{self, consumer, stream};
use futures::StreamExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};

use crate::load::{self, Pace};

/// JetStream publish and consume rates (messages per second).
pub struct JetStreamRates {
    pub publish: f64,
    pub consume: f64,
}

/// Publishes `n` 256-byte messages to a fresh file-storage stream, acknowledgements awaited in
/// batches of 500; then consumes them with a pull consumer and acks each one.
pub async fn jetstream(nats_url: &str, n: usize) -> anyhow::Result<JetStreamRates> {
    let client = async_nats::connect(nats_url).await?;
    let js = jetstream::new(client);
    let _ = js.delete_stream("BENCH").await;
    let stream = js
        .create_stream(stream::Config {
            name: "BENCH".into(),
            subjects: vec!["bench.>".into()],
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await
        .context("creating the stream")?;
    let payload = bytes::Bytes::from(vec![b'x'; 256]);
    let started = Instant::now();
    let mut pending = Vec::with_capacity(500);
    for _ in 0..n {
        pending.push(js.publish("bench.raw", payload.clone()).await?);
        if pending.len() == 500 {
            for ack in pending.drain(..) {
                ack.await?;
            }
        }
    }
    for ack in pending.drain(..) {
        ack.await?;
    }
    let publish = n as f64 / started.elapsed().as_secs_f64();

    let consumer = stream
        .create_consumer(consumer::pull::Config {
            durable_name: Some("bench".into()),
            ack_policy: consumer::AckPolicy::Explicit,
            ..Default::default()
        })
        .await?;
    let started = Instant::now();
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(1000)
        .messages()
        .await?;
    let mut got = 0;
    while got < n {
        let m = messages
            .next()
            .await
            .context("the message stream ended")?
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        m.ack().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        got += 1;
    }
    let consume = n as f64 / started.elapsed().as_secs_f64();
    drop(messages);
    let _ = js.delete_stream("BENCH").await;
    Ok(JetStreamRates { publish, consume })
}

/// A pool of 8 for the commit baseline, independent of the kit's settings: no TLS on loopback
/// and no ping before handing a connection out (the raw limit, not a client's habit).
pub async fn connect_raw(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = sea_orm::ConnectOptions::new(url.to_owned());
    options
        .max_connections(8)
        .min_connections(8)
        .test_before_acquire(false)
        .sqlx_logging(false);
    Ok(sea_orm::Database::connect(options).await?)
}

/// Creates the table of the commit baseline (same shape as the research's: uuid, text, bigint,
/// varchar, jsonb, timestamptz, an index).
pub async fn prepare_postgres(db: &DatabaseConnection) -> anyhow::Result<()> {
    db.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS bench_rows (id uuid PRIMARY KEY, subject text NOT NULL, seq bigint NOT NULL, \
         kind varchar(32) NOT NULL, body jsonb NOT NULL, created_at timestamptz NOT NULL); \
         CREATE INDEX IF NOT EXISTS bench_rows_created ON bench_rows (created_at); \
         CREATE TABLE IF NOT EXISTS bench_outbox (id uuid PRIMARY KEY, subject varchar NOT NULL, \
         payload text NOT NULL, traceparent varchar, created_at timestamptz NOT NULL, published_at timestamptz); \
         CREATE INDEX IF NOT EXISTS bench_outbox_pending ON bench_outbox (published_at, id); \
         CREATE INDEX IF NOT EXISTS bench_outbox_unpublished ON bench_outbox (id) WHERE published_at IS NULL",
    )
    .await?;
    Ok(())
}

/// One row of the research's shape, for the commit baselines.
fn row(backend: sea_orm::DatabaseBackend) -> Statement {
    Statement::from_sql_and_values(
        backend,
        "INSERT INTO bench_rows (id, subject, seq, kind, body, created_at) \
         VALUES ($1, $2, $3, $4, CAST($5 AS jsonb), $6)",
        [
            uuid::Uuid::now_v7().into(),
            "bench.row.v1".into(),
            42i64.into(),
            "row".into(),
            r#"{"township_code":"500112002","amount_fen":10000}"#.into(),
            chrono::Utc::now().into(),
        ],
    )
}

/// `n` single-row INSERTs, each its own transaction (autocommit), from 8 tasks on a pool of 8;
/// returns commits per second.
pub async fn postgres(db: &DatabaseConnection, n: usize) -> anyhow::Result<f64> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let db = db.clone();
            let next = next.clone();
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    db.execute_raw(row(db.get_database_backend())).await?;
                }
                Ok::<_, sea_orm::DbErr>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// The floor of the flow's first step without the mesh: `n` transactions of one row and one
/// outbox row (the kit's outbox table shape and indexes, the flow's event body), each
/// `BEGIN; INSERT; INSERT; COMMIT`, from 8 tasks on the same raw pool of 8 — no HTTP, no
/// authentication, no ORM model, no schema validation. Every flow needs this transaction (the
/// outbox pattern commits the change and its event together), so no flow can go faster than it.
/// Returns transactions per second.
pub async fn outbox_write(
    db: &DatabaseConnection,
    n: usize,
    subject: &'static str,
    payload: &str,
) -> anyhow::Result<f64> {
    let next = Arc::new(AtomicUsize::new(0));
    let payload: Arc<str> = payload.into();
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let db = db.clone();
            let next = next.clone();
            let payload = payload.clone();
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    let tx = db.begin().await?;
                    tx.execute_raw(row(tx.get_database_backend())).await?;
                    tx.execute_raw(Statement::from_sql_and_values(
                        tx.get_database_backend(),
                        "INSERT INTO bench_outbox (id, subject, payload, traceparent, created_at, published_at) \
                         VALUES ($1, $2, $3, $4, $5, NULL)",
                        [
                            uuid::Uuid::now_v7().into(),
                            subject.into(),
                            payload.to_string().into(),
                            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
                            chrono::Utc::now().into(),
                        ],
                    ))
                    .await?;
                    tx.commit().await?;
                }
                Ok::<_, sea_orm::DbErr>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// A bare axum server answering `GET /` with a static string, on the caller's runtime.
pub async fn bare_axum() -> anyhow::Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

/// A bare axum server answering `GET /v1/subsidies/{id}` with the case's row as JSON, read by
/// primary key through a plain sqlx pool of 8 (kit's pool size) — no authentication, division
/// scope, ETag, metrics or ORM: the floor of a REST read that goes to PostgreSQL, to show what the
/// mesh's read adds to the database round trip that the static baseline does not make.
pub async fn bare_read(
    url: &str,
) -> anyhow::Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    use axum::{
        extract::{Path, State},
        http::{StatusCode, header},
        response::IntoResponse,
    };
    use sea_orm::sqlx::{self, postgres::PgPoolOptions};
    async fn show(
        State(pool): State<sqlx::PgPool>,
        Path(id): Path<uuid::Uuid>,
    ) -> axum::response::Response {
        let row: Result<Option<(String,)>, _> =
            sqlx::query_as("SELECT CAST(row_to_json(s) AS text) FROM subsidies s WHERE id = $1")
                .bind(id)
                .fetch_optional(&pool)
                .await;
        match row {
            Ok(Some((json,))) => {
                ([(header::CONTENT_TYPE, "application/json")], json).into_response()
            }
            Ok(None) => StatusCode::NOT_FOUND.into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
    let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
    let app = axum::Router::new()
        .route("/v1/subsidies/{id}", axum::routing::get(show))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

/// REST figures: requests per second and latency percentiles (ms).
#[derive(Debug, Clone, Copy)]
pub struct Http {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// `n` requests over 64 connections, as fast as they are answered.
pub async fn http(
    addr: std::net::SocketAddr,
    n: usize,
    make: load::MakeRequest,
) -> anyhow::Result<Http> {
    let outcome = load::run(addr, 64, n, Pace::Closed, make, false).await?;
    if outcome.errors > 0 {
        anyhow::bail!(
            "{} of {n} requests failed (first: {})",
            outcome.errors,
            outcome.first_error.unwrap_or_default()
        );
    }
    Ok(Http {
        per_second: outcome.per_second(),
        p50_ms: outcome.latencies.percentile_ms(50.0),
        p99_ms: outcome.latencies.percentile_ms(99.0),
    })
}
