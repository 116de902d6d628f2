//! Transactional outbox and its relay. An event is written in the same transaction as the state
//! change it reports; the relay publishes it to JetStream with `Nats-Msg-Id` = the row id and
//! marks the row only after the server's PubAck. Several replicas may run the relay: on
//! PostgreSQL a transaction-scoped advisory lock lets one drain at a time, keeping order.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::Duration,
};

use async_nats::{HeaderMap, jetstream};
use chrono::{DateTime, Utc};
use contracts::Event;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait, Value,
};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{db::is_postgres, telemetry::TraceContext};

/// Advisory-lock key shared by every replica's relay (ASCII "outbox").
const RELAY_LOCK_KEY: i64 = 0x6f75_7462_6f78;

/// Errors writing to the outbox.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("event for {subject} does not match its schema: {reason}")]
    Schema {
        subject: &'static str,
        reason: String,
    },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Handle services use to write events; cheap to clone.
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    /// A new outbox handle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `event` in the caller's transaction after checking it against its schema (strictly:
    /// a producer must not leak a field the contract does not have). Returns the event id.
    pub async fn enqueue<E: Event>(
        &self,
        tx: &impl ConnectionTrait,
        event: &E,
    ) -> Result<Uuid, OutboxError> {
        let value = serde_json::to_value(event).map_err(|e| OutboxError::Schema {
            subject: E::SUBJECT,
            reason: e.to_string(),
        })?;
        contracts::validate(E::SUBJECT, &value).map_err(|e| OutboxError::Schema {
            subject: E::SUBJECT,
            reason: e.to_string(),
        })?;
        let id = Uuid::now_v7();
        let traceparent = TraceContext::current_or_new().child().to_string();
        tx.execute_raw(Statement::from_sql_and_values(
            tx.get_database_backend(),
            "INSERT INTO kit_outbox (id, subject, payload, traceparent, created_at, published_at) VALUES ($1, $2, $3, $4, $5, NULL)",
            [
                id.into(),
                E::SUBJECT.into(),
                value.to_string().into(),
                traceparent.into(),
                // When it happened on the business clock: the event's `ce-time`.
                crate::clock::now().into(),
            ],
        ))
        .await?;
        Ok(id)
    }

    /// Tells the relay of this process that rows are waiting (call after commit); other replicas
    /// find them on their next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Fault injection for the delivery tests: behave as if the process died at a chosen point.
#[derive(Default)]
pub struct RelayFaults {
    /// Publish the next batch, then stop before marking it, as a relay killed at that moment.
    pub die_after_publish: AtomicBool,
}

/// Liveness of the relay, for `/readyz` and metrics.
#[derive(Default)]
pub struct RelayHealth {
    last_cycle_ms: AtomicI64,
    last_ok_ms: AtomicI64,
}

impl RelayHealth {
    /// Whether the relay's last finished cycle started within `within` and succeeded. A cycle in
    /// progress changes nothing: the answer is the last finished one's.
    pub fn is_healthy(&self, within: Duration) -> bool {
        let now = Utc::now().timestamp_millis();
        let last = self.last_cycle_ms.load(Ordering::SeqCst);
        let ok = self.last_ok_ms.load(Ordering::SeqCst);
        last > 0 && now - last <= within.as_millis() as i64 && ok >= last
    }

    /// Records a finished cycle that started at `started_ms` (the success first: a reader in
    /// between sees the newer success, never a success paired with an older failure).
    fn finished(&self, started_ms: i64, ok: bool) {
        if ok {
            self.last_ok_ms.store(started_ms, Ordering::SeqCst);
        }
        self.last_cycle_ms.store(started_ms, Ordering::SeqCst);
    }
}

/// The relay's settings.
#[derive(Clone)]
pub struct RelayConfig {
    pub source: String,
    pub batch: usize,
    pub poll: Duration,
    /// Published rows older than this are deleted.
    pub retention: chrono::Duration,
}

/// Publishes outbox rows to JetStream.
pub struct Relay {
    db: DatabaseConnection,
    js: jetstream::Context,
    config: RelayConfig,
    wake: Arc<Notify>,
    pub health: Arc<RelayHealth>,
    pub faults: Arc<RelayFaults>,
}

struct Row {
    id: Uuid,
    subject: String,
    payload: String,
    traceparent: Option<String>,
    created_at: DateTime<Utc>,
}

impl Relay {
    /// A relay draining `outbox`'s rows from `db`.
    pub fn new(
        db: DatabaseConnection,
        js: jetstream::Context,
        outbox: &Outbox,
        config: RelayConfig,
    ) -> Self {
        Self {
            db,
            js,
            config,
            wake: outbox.wake.clone(),
            health: Arc::default(),
            faults: Arc::default(),
        }
    }

    /// Runs until `stop` is cancelled.
    pub async fn run(self, stop: CancellationToken) {
        let mut failures = 0u32;
        let mut last_purge = tokio::time::Instant::now();
        loop {
            // Recorded when the cycle has finished: a cycle in progress (waiting for the database
            // under load, say) made /readyz answer 503 for as long as it lasted.
            let started = Utc::now().timestamp_millis();
            let outcome = self.drain_once().await;
            self.health.finished(started, outcome.is_ok());
            let pause = match outcome {
                Ok(n) => {
                    failures = 0;
                    if n >= self.config.batch {
                        continue;
                    }
                    self.config.poll
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!(error = %e, failures, "outbox relay cycle failed; will retry");
                    Duration::from_millis((100u64 << failures.min(5)).min(2_000))
                }
            };
            if last_purge.elapsed() > Duration::from_secs(600) {
                last_purge = tokio::time::Instant::now();
                if let Err(e) = self.purge().await {
                    tracing::warn!(error = %e, "outbox purge failed");
                }
            }
            tokio::select! {
                () = stop.cancelled() => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// One cycle: publish up to a batch of pending rows and mark the acknowledged ones.
    /// Returns how many rows were published.
    ///
    /// On PostgreSQL the cycle runs in a transaction holding an advisory lock, so one replica
    /// drains at a time and order is kept. SQLite belongs to a single process, and its only
    /// connection must not stay taken while publishes wait for acknowledgements: there the
    /// statements run on their own.
    pub async fn drain_once(&self) -> Result<usize, RelayError> {
        if !is_postgres(&self.db) {
            return self.cycle(&self.db).await;
        }
        let tx = self.db.begin().await?;
        let got = tx
            .query_one_raw(Statement::from_sql_and_values(
                tx.get_database_backend(),
                "SELECT pg_try_advisory_xact_lock($1) AS locked",
                [RELAY_LOCK_KEY.into()],
            ))
            .await?
            .map(|r| r.try_get::<bool>("", "locked"))
            .transpose()?
            .unwrap_or(false);
        if !got {
            tx.rollback().await?;
            return Ok(0);
        }
        match self.cycle(&tx).await {
            Ok(n) => {
                tx.commit().await?;
                Ok(n)
            }
            // Rows marked before a partial failure are kept; the rest are retried.
            Err(RelayError::Publish(e)) => {
                tx.commit().await?;
                Err(RelayError::Publish(e))
            }
            // Rolled back here, releasing the advisory lock at once: a transaction merely dropped
            // is rolled back only when its pooled connection is next used, and until then no
            // other relay could drain (a restarted relay found the lock taken).
            Err(e) => {
                if let Err(r) = tx.rollback().await {
                    tracing::warn!(error = %r, "rolling back a failed relay cycle");
                }
                Err(e)
            }
        }
    }

    /// Publishes batches of pending rows in id order, up to [`BATCHES_PER_CYCLE`] of them, and
    /// marks the acknowledged ones. The marking of a batch overlaps the publishing of the next:
    /// its statement runs while the next batch's acknowledgements are in flight. A row is marked
    /// only after its acknowledgement, and a failure marks what was acknowledged before it.
    async fn cycle(&self, db: &impl ConnectionTrait) -> Result<usize, RelayError> {
        let backend = db.get_database_backend();
        let mut published = 0;
        let mut unmarked: Vec<Uuid> = Vec::new();
        let mut rows = self.pending_rows(db, None).await?;
        for round in 1..=BATCHES_PER_CYCLE {
            let Some(last) = rows.last() else {
                break;
            };
            let after = last.id;
            let full = rows.len() == self.config.batch;
            // Pipeline the publishes; while their acknowledgements come back, mark the batch
            // before and read the next; then collect the acknowledgements in order.
            let mut pending = Vec::with_capacity(rows.len());
            for row in std::mem::take(&mut rows) {
                let headers = self.headers(&row);
                match self
                    .js
                    .publish_with_headers(row.subject.clone(), headers, row.payload.into())
                    .await
                {
                    Ok(ack) => pending.push((row.id, row.subject, ack)),
                    Err(e) => {
                        mark(db, backend, std::mem::take(&mut unmarked)).await?;
                        return Err(RelayError::Publish(e.to_string()));
                    }
                }
            }
            mark(db, backend, std::mem::take(&mut unmarked)).await?;
            if full && round < BATCHES_PER_CYCLE {
                rows = self.pending_rows(db, Some(after)).await?;
            }
            let mut per_subject: Vec<(String, u64)> = Vec::new();
            let mut failure = None;
            for (id, subject, ack) in pending {
                match ack.await {
                    Ok(_) => {
                        match per_subject.iter_mut().find(|(s, _)| *s == subject) {
                            Some((_, n)) => *n += 1,
                            None => per_subject.push((subject, 1)),
                        }
                        unmarked.push(id);
                    }
                    Err(e) => {
                        failure.get_or_insert_with(|| RelayError::Publish(e.to_string()));
                    }
                }
            }
            for (subject, n) in per_subject {
                metrics::counter!("events_published_total", "subject" => subject).increment(n);
            }
            if self.faults.die_after_publish.swap(false, Ordering::SeqCst) {
                return Err(RelayError::Injected);
            }
            published += unmarked.len();
            if let Some(e) = failure {
                mark(db, backend, unmarked).await?;
                return Err(e);
            }
        }
        mark(db, backend, unmarked).await?;
        Ok(published)
    }

    /// Up to a batch of unpublished rows in id order, after `after` when given (the rows of the
    /// batch before, published but not yet marked, are behind it).
    async fn pending_rows(
        &self,
        db: &impl ConnectionTrait,
        after: Option<Uuid>,
    ) -> Result<Vec<Row>, DbErr> {
        let limit: Value = (self.config.batch as i64).into();
        let statement = match after {
            None => Statement::from_sql_and_values(
                db.get_database_backend(),
                "SELECT id, subject, payload, traceparent, created_at FROM kit_outbox \
                 WHERE published_at IS NULL ORDER BY id LIMIT $1",
                [limit],
            ),
            Some(after) => Statement::from_sql_and_values(
                db.get_database_backend(),
                "SELECT id, subject, payload, traceparent, created_at FROM kit_outbox \
                 WHERE published_at IS NULL AND id > $2 ORDER BY id LIMIT $1",
                [limit, after.into()],
            ),
        };
        db.query_all_raw(statement)
            .await?
            .into_iter()
            .map(|r| {
                Ok(Row {
                    id: r.try_get("", "id")?,
                    subject: r.try_get("", "subject")?,
                    payload: r.try_get("", "payload")?,
                    traceparent: r.try_get("", "traceparent")?,
                    created_at: r.try_get("", "created_at")?,
                })
            })
            .collect()
    }

    fn headers(&self, row: &Row) -> HeaderMap {
        let id = row.id.to_string();
        let mut h = HeaderMap::new();
        h.insert("Nats-Msg-Id", id.as_str());
        h.insert("ce-specversion", "1.0");
        h.insert("ce-id", id.as_str());
        h.insert("ce-source", self.config.source.as_str());
        h.insert("ce-type", row.subject.as_str());
        h.insert(
            "ce-time",
            row.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                .as_str(),
        );
        h.insert(
            "ce-dataschema",
            contracts::dataschema_uri(&row.subject).as_str(),
        );
        h.insert("Content-Type", "application/json");
        if let Some(tp) = &row.traceparent {
            h.insert("traceparent", tp.as_str());
        }
        h
    }

    async fn purge(&self) -> Result<(), DbErr> {
        let cutoff = Utc::now() - self.config.retention;
        self.db
            .execute_raw(Statement::from_sql_and_values(
                self.db.get_database_backend(),
                "DELETE FROM kit_outbox WHERE published_at IS NOT NULL AND published_at < $1",
                [cutoff.into()],
            ))
            .await?;
        Ok(())
    }
}

/// Marks `ids` published (nothing to do for none).
async fn mark(db: &impl ConnectionTrait, backend: DbBackend, ids: Vec<Uuid>) -> Result<(), DbErr> {
    if !ids.is_empty() {
        db.execute_raw(mark_published(backend, ids)).await?;
    }
    Ok(())
}

/// Batches one relay cycle publishes at most (one transaction on PostgreSQL: rows marked in it
/// are published again if it is lost, and deduplicated by `Nats-Msg-Id`).
const BATCHES_PER_CYCLE: usize = 8;

/// The statement marking `ids` published. On PostgreSQL the ids travel as one array, so the
/// statement text is the same whatever the batch's size and stays prepared; SQLite gets a list.
fn mark_published(backend: DbBackend, ids: Vec<Uuid>) -> Statement {
    let now: Value = Utc::now().into();
    if backend == DbBackend::Postgres {
        return Statement::from_sql_and_values(
            backend,
            "UPDATE kit_outbox SET published_at = $1 WHERE id = ANY(CAST($2 AS uuid[]))",
            [now, ids.into()],
        );
    }
    let placeholders: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
    let mut values = vec![now];
    values.extend(ids.into_iter().map(Value::from));
    Statement::from_sql_and_values(
        backend,
        format!(
            "UPDATE kit_outbox SET published_at = $1 WHERE id IN ({})",
            placeholders.join(", ")
        ),
        values,
    )
}

/// Why a relay cycle failed; the relay retries with backoff.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("publishing to JetStream: {0}")]
    Publish(String),
    #[error("injected fault: died after publishing")]
    Injected,
}

/// Number of rows not yet published (for tests and the pending-events gauge).
pub async fn pending(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM kit_outbox WHERE published_at IS NULL",
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0))
}
