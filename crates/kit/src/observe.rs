//! The gauges every service keeps, sampled every few seconds (`OBSERVE_SECS`): what waits to be
//! published (the outbox backlog and the age of its oldest row), what waits to be consumed (each
//! durable's pending, unacknowledged and redelivered counts, from JetStream), dead letters waiting
//! for a decision, the database pool, and the audit trail's position. No label carries personal
//! data: durable names and pool states only.

use std::sync::Arc;

use async_nats::jetstream;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio_util::sync::CancellationToken;

use crate::inbox::Consumers;

/// The buckets of every latency histogram, in seconds: from a cached read to a payment run's
/// page.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Sets `build_info{service,version}` to 1: which release runs where.
pub fn build_info(service: &str) {
    metrics::gauge!(
        "build_info",
        "service" => service.to_owned(),
        "version" => env!("CARGO_PKG_VERSION")
    )
    .set(1.0);
}

/// Samples the gauges every `every` until `stop`.
pub async fn run(
    db: DatabaseConnection,
    js: jetstream::Context,
    consumers: Arc<Consumers>,
    every: std::time::Duration,
    stop: CancellationToken,
) {
    loop {
        if let Err(e) = sample_database(&db).await {
            tracing::debug!(error = %e, "sampling the database gauges failed");
        }
        sample_consumers(&js, &consumers).await;
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// The outbox, the dead letters and the pool.
pub async fn sample_database(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let outbox = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT count(*) AS n, min(created_at) AS oldest FROM kit_outbox WHERE published_at IS NULL",
        ))
        .await?;
    if let Some(row) = outbox {
        let n: i64 = row.try_get("", "n")?;
        let oldest: Option<chrono::DateTime<chrono::Utc>> = row.try_get("", "oldest")?;
        metrics::gauge!("outbox_backlog").set(n as f64);
        let age = oldest.map_or(0.0, |at| {
            (crate::clock::now() - at).num_milliseconds().max(0) as f64 / 1000.0
        });
        metrics::gauge!("outbox_oldest_unpublished_seconds").set(age);
    }
    let waiting = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT count(*) AS n FROM kit_dead_letters WHERE replayed_at IS NULL",
        ))
        .await?;
    if let Some(row) = waiting {
        let n: i64 = row.try_get("", "n")?;
        metrics::gauge!("dead_letters_waiting").set(n as f64);
    }
    let (size, idle) = match backend {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(f64::from(size - idle));
    metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(idle));
    Ok(())
}

/// Each durable consumer's counts, as JetStream reports them.
async fn sample_consumers(js: &jetstream::Context, consumers: &Consumers) {
    for sub in consumers.subscriptions() {
        let Some(spec) = contracts::stream_for(sub.subject) else {
            continue;
        };
        let info = match js.get_stream_no_info(spec.name).await {
            Ok(stream) => stream.consumer_info(&sub.durable).await,
            Err(e) => {
                tracing::debug!(error = %e, "no stream to sample");
                continue;
            }
        };
        match info {
            Ok(info) => {
                let durable = sub.durable.clone();
                metrics::gauge!("consumer_pending", "durable" => durable.clone())
                    .set(info.num_pending as f64);
                metrics::gauge!("consumer_ack_pending", "durable" => durable.clone())
                    .set(info.num_ack_pending as f64);
                metrics::gauge!("consumer_redelivered", "durable" => durable)
                    .set(info.num_redelivered as f64);
            }
            Err(e) => {
                tracing::debug!(durable = %sub.durable, error = %e, "sampling a consumer failed")
            }
        }
    }
}
