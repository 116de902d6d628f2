//! Consuming events: durable pull consumers, an inbox row per (consumer, event id) — with a digest
//! of the body, so an id reused with another body is caught — written in the handler's transaction
//! so a redelivered event is applied once, acknowledgement only after commit (progress
//! acknowledgements while a batch is applied, so the acknowledgement wait can be short and a
//! crashed consumer's messages come back within seconds), and dead letters, at once, for what can
//! never be handled: bad bytes, a bad envelope (`envelope`), a schema or a date that does not fit.

use std::{
    collections::HashSet,
    fmt::Write as _,
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_nats::jetstream::{self, AckKind};
use chrono::{DateTime, Utc};
use contracts::Event;
use futures::{FutureExt, StreamExt};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, Statement, TransactionTrait,
};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::{dead_letters, envelope, nats, outbox::Outbox, telemetry::TraceContext};

/// The future a handler returns.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send + 'a>>;

/// What a handler knows about the message besides its data.
#[derive(Debug, Clone)]
pub struct EventMeta {
    /// The CloudEvents id (`ce-id`, equal to `Nats-Msg-Id`).
    pub event_id: String,
    pub subject: String,
    /// The producing service (`ce-source`), when given.
    pub source: Option<String>,
    /// When the producer says the event happened (`ce-time`), when given and well-formed.
    pub time: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub trace: TraceContext,
    pub stream_seq: u64,
    pub deliveries: i64,
    /// When this service received it, on the business clock.
    pub received: DateTime<Utc>,
    /// SHA-256 of the body (hex), kept with the inbox row.
    pub digest: String,
}

/// Why a handler did not apply an event.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event's id was applied before with another body: a producer reused it (or forged it).
    #[error("id reused with another body: {0}")]
    IdReused(String),
    /// The event can never be applied as it is (it contradicts this service's state): it goes to
    /// the dead letters at once.
    #[error("{0}")]
    Permanent(String),
    /// Something that may pass (a database restart): redelivered with backoff until the limit.
    #[error("{0}")]
    Transient(String),
}

impl EventMeta {
    /// The bureau's calendar day the event arrived: the anchor of rules that count from when a
    /// fact arrived (an application month, a back-pay window). A partner's `ce-time` is its own
    /// clock, not evidence: a partner fact counts from the day it was received. A mesh service's
    /// `ce-time` says when the event happened (its relay may publish it later): the earlier of
    /// the two.
    pub fn day(&self) -> chrono::NaiveDate {
        let received = crate::clock::day_of(self.received);
        match self.time {
            Some(t) if !self.subject.starts_with("partner.") => {
                received.min(crate::clock::day_of(t.with_timezone(&Utc)))
            }
            _ => received,
        }
    }
}

impl From<DbErr> for HandlerError {
    fn from(e: DbErr) -> Self {
        Self::Transient(e.to_string())
    }
}

/// Applies one event inside the transaction it is given; the transaction also holds the inbox row.
/// A handler is written as an `async fn handle` (no boxing); it only translates — the event into a
/// command's input, the command's refusal into [`HandlerError`].
pub trait Handler<E>: Send + Sync + 'static {
    /// Applies `event`. Writes go through `tx`, including outbox rows for events it causes.
    fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: E,
        meta: &EventMeta,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

/// A closure returning a boxed future is a handler too (tests, benches).
impl<E, F> Handler<E> for F
where
    E: Send,
    F: for<'a> Fn(&'a DatabaseTransaction, E, &'a EventMeta) -> HandlerFuture<'a>
        + Send
        + Sync
        + 'static,
{
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: E,
        meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        self(tx, event, meta).await
    }
}

trait ErasedHandler: Send + Sync {
    fn handle_json<'a>(
        &'a self,
        tx: &'a DatabaseTransaction,
        data: Value,
        meta: &'a EventMeta,
    ) -> HandlerFuture<'a>;
}

struct Typed<E, H> {
    handler: H,
    _event: std::marker::PhantomData<fn() -> E>,
}

impl<E: Event, H: Handler<E>> ErasedHandler for Typed<E, H> {
    fn handle_json<'a>(
        &'a self,
        tx: &'a DatabaseTransaction,
        data: Value,
        meta: &'a EventMeta,
    ) -> HandlerFuture<'a> {
        match serde_json::from_value::<E>(data) {
            Ok(event) => match event.check_dates(crate::clock::day_of(meta.received)) {
                Ok(()) => Box::pin(self.handler.handle(tx, event, meta)),
                Err(reason) => Box::pin(async move {
                    Err(HandlerError::Permanent(format!(
                        "implausible date: {reason}"
                    )))
                }),
            },
            Err(e) => Box::pin(async move {
                Err(HandlerError::Permanent(format!(
                    "does not fit {}: {e}",
                    E::SUBJECT
                )))
            }),
        }
    }
}

/// One subscription: a subject, the durable consumer that reads it, and its handler.
pub struct Subscription {
    pub durable: String,
    pub subject: &'static str,
    handler: Box<dyn ErasedHandler>,
}

/// The events a service consumes, with their handlers.
pub struct Consumers {
    service: String,
    subscriptions: Vec<Subscription>,
}

impl Consumers {
    /// An empty set for `service` (the prefix of every durable name).
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_owned(),
            subscriptions: Vec::new(),
        }
    }

    /// Subscribes `handler` to `E`'s subject.
    pub fn on<E: Event, H: Handler<E>>(mut self, handler: H) -> Self {
        self.subscriptions.push(Subscription {
            durable: nats::durable_name(&self.service, E::SUBJECT),
            subject: E::SUBJECT,
            handler: Box::new(Typed {
                handler,
                _event: std::marker::PhantomData,
            }),
        });
        self
    }

    /// The subscriptions, in the order they were added.
    pub fn subscriptions(&self) -> &[Subscription] {
        &self.subscriptions
    }

    /// The subscription of a durable consumer.
    pub fn by_durable(&self, durable: &str) -> Option<&Subscription> {
        self.subscriptions.iter().find(|s| s.durable == durable)
    }
}

/// Outcome of applying one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Applied,
    /// Seen before by this consumer: nothing done.
    Duplicate,
}

/// Applies an event through the inbox: the inbox row and the handler's writes commit together.
pub async fn apply(
    db: &DatabaseConnection,
    subscription: &Subscription,
    data: Value,
    meta: &EventMeta,
) -> Result<Applied, HandlerError> {
    let tx = db.begin().await?;
    match apply_in(&tx, subscription, data, meta).await {
        Ok(Applied::Applied) => {
            tx.commit().await?;
            Ok(Applied::Applied)
        }
        Ok(Applied::Duplicate) => {
            tx.rollback().await?;
            Ok(Applied::Duplicate)
        }
        Err(e) => {
            tx.rollback().await?;
            Err(e)
        }
    }
}

/// Writes the inbox row and runs the handler in `tx`, which the caller commits.
async fn apply_in(
    tx: &DatabaseTransaction,
    subscription: &Subscription,
    data: Value,
    meta: &EventMeta,
) -> Result<Applied, HandlerError> {
    let inserted = tx
        .execute_raw(Statement::from_sql_and_values(
            tx.get_database_backend(),
            "INSERT INTO kit_inbox (consumer, event_id, subject, handled_at, body_digest) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (consumer, event_id) DO NOTHING",
            [
                subscription.durable.clone().into(),
                meta.event_id.clone().into(),
                meta.subject.clone().into(),
                Utc::now().into(),
                meta.digest.clone().into(),
            ],
        ))
        .await?
        .rows_affected();
    if inserted == 0 {
        let seen = digests_seen(tx, subscription, std::slice::from_ref(&meta.event_id)).await?;
        return match seen.get(&meta.event_id) {
            Some(Some(digest)) if *digest != meta.digest => Err(HandlerError::IdReused(format!(
                "{} was applied with another body",
                meta.event_id
            ))),
            _ => Ok(Applied::Duplicate),
        };
    }
    meta.trace
        .scope(subscription.handler.handle_json(tx, data, meta))
        .await?;
    Ok(Applied::Applied)
}

/// The body digests the inbox holds for `ids` (`None` for a row kept before digests were).
async fn digests_seen(
    tx: &DatabaseTransaction,
    subscription: &Subscription,
    ids: &[String],
) -> Result<std::collections::HashMap<String, Option<String>>, DbErr> {
    let mut sql = String::from(
        "SELECT event_id, body_digest FROM kit_inbox WHERE consumer = $1 AND event_id IN (",
    );
    let mut values: Vec<sea_orm::Value> = vec![subscription.durable.clone().into()];
    for (i, id) in ids.iter().enumerate() {
        let _ = write!(sql, "{}${}", if i == 0 { "" } else { ", " }, i + 2);
        values.push(id.clone().into());
    }
    sql.push(')');
    tx.query_all_raw(Statement::from_sql_and_values(
        tx.get_database_backend(),
        sql,
        values,
    ))
    .await?
    .iter()
    .map(|r| Ok((r.try_get("", "event_id")?, r.try_get("", "body_digest")?)))
    .collect()
}

/// Messages a pull consumer asks the server for at a time: one batch to apply, so that no
/// message waits in the client's buffer while its acknowledgement time runs out.
const PULL_BATCH: usize = 128;
/// Messages applied in one transaction at most: whatever has arrived, up to this many.
const APPLY_BATCH: usize = 128;

/// Whether one event id comes twice in a batch with different bodies.
fn has_two_bodies(items: &[(jetstream::Message, EventMeta, Value)]) -> bool {
    let mut bodies = std::collections::HashMap::new();
    items
        .iter()
        .any(|(_, meta, _)| **bodies.entry(&meta.event_id).or_insert(&meta.digest) != meta.digest)
}

/// Writes the inbox rows of a batch in one statement; returns the event ids it inserted.
async fn record_all(
    tx: &DatabaseTransaction,
    subscription: &Subscription,
    items: &[(jetstream::Message, EventMeta, Value)],
) -> Result<HashSet<String>, DbErr> {
    let mut sql = String::from(
        "INSERT INTO kit_inbox (consumer, event_id, subject, handled_at, body_digest) VALUES ",
    );
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(items.len() * 2 + 2);
    values.push(subscription.durable.clone().into());
    values.push(Utc::now().into());
    for (i, (_, meta, _)) in items.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        let n = values.len();
        let _ = write!(sql, "($1, ${}, ${}, $2, ${})", n + 1, n + 2, n + 3);
        values.push(meta.event_id.clone().into());
        values.push(meta.subject.clone().into());
        values.push(meta.digest.clone().into());
    }
    sql.push_str(" ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id");
    tx.query_all_raw(Statement::from_sql_and_values(
        tx.get_database_backend(),
        sql,
        values,
    ))
    .await?
    .iter()
    .map(|r| r.try_get::<String>("", "event_id"))
    .collect()
}

/// Why a message was not applied: refused before its handler, or by it.
enum Unapplied {
    Refused(envelope::Refusal),
    Handler(HandlerError),
}

/// Fault injection for the delivery tests: behave as if the process died at a chosen point.
#[derive(Default)]
pub struct ConsumerFaults {
    /// Commit the next event, then drop its acknowledgement, as a consumer killed before acking.
    pub die_before_ack: AtomicBool,
}

/// Settings for running consumers.
#[derive(Clone)]
pub struct ConsumerConfig {
    pub max_deliver: i64,
    /// How long the server waits for an acknowledgement before redelivering (short: a consumer
    /// applying a long batch says it is still working, every third of it).
    pub ack_wait: Duration,
    pub replicas: usize,
    /// The largest body a consumer reads; a larger one goes to the dead letters.
    pub max_payload_bytes: usize,
}

/// Whether the consumers can put what they cannot apply aside: a dead letter that cannot be
/// recorded leaves its message unacknowledged (redelivered) and the service unready.
#[derive(Default)]
pub struct ConsumerHealth {
    dead_letters_failing: AtomicBool,
}

impl ConsumerHealth {
    /// False while the last attempt to record a dead letter failed.
    pub fn is_healthy(&self) -> bool {
        !self.dead_letters_failing.load(Ordering::SeqCst)
    }
}

/// Runs every subscription of `consumers` until `stop` is cancelled.
#[allow(clippy::too_many_arguments)] // each is a distinct part of the service the consumers share
pub fn spawn(
    db: DatabaseConnection,
    js: jetstream::Context,
    consumers: Arc<Consumers>,
    outbox: Outbox,
    config: ConsumerConfig,
    faults: Arc<ConsumerFaults>,
    health: Arc<ConsumerHealth>,
    stop: CancellationToken,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..consumers.subscriptions.len())
        .map(|i| {
            let runner = Runner {
                db: db.clone(),
                js: js.clone(),
                consumers: consumers.clone(),
                index: i,
                outbox: outbox.clone(),
                config: config.clone(),
                faults: faults.clone(),
                health: health.clone(),
            };
            tokio::spawn(runner.run(stop.clone()))
        })
        .collect()
}

struct Runner {
    db: DatabaseConnection,
    js: jetstream::Context,
    consumers: Arc<Consumers>,
    index: usize,
    outbox: Outbox,
    config: ConsumerConfig,
    faults: Arc<ConsumerFaults>,
    health: Arc<ConsumerHealth>,
}

impl Runner {
    fn subscription(&self) -> &Subscription {
        &self.consumers.subscriptions[self.index]
    }

    async fn run(self, stop: CancellationToken) {
        let mut attempt = 0u32;
        while !stop.is_cancelled() {
            match self.consume(&stop).await {
                Ok(()) => return,
                Err(e) => {
                    attempt += 1;
                    tracing::warn!(durable = %self.subscription().durable, error = %e, "consumer interrupted; resubscribing");
                    let pause = Duration::from_millis((200u64 << attempt.min(4)).min(3_000));
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(pause) => {}
                    }
                }
            }
        }
    }

    async fn consume(&self, stop: &CancellationToken) -> Result<(), String> {
        let sub = self.subscription();
        let spec = contracts::stream_for(sub.subject)
            .ok_or_else(|| format!("no stream for {}", sub.subject))?;
        let stream = nats::bind_stream(&self.js, spec, self.config.replicas)
            .await
            .map_err(|e| e.to_string())?;
        let consumer =
            nats::ensure_pull_consumer(&stream, &sub.durable, sub.subject, self.config.ack_wait)
                .await
                .map_err(|e| e.to_string())?;
        let mut messages = consumer
            .stream()
            .max_messages_per_batch(PULL_BATCH)
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await
            .map_err(|e| e.to_string())?;
        loop {
            let next = tokio::select! {
                () = stop.cancelled() => return Ok(()),
                next = messages.next() => next,
            };
            let first = match next {
                None => return Err("message stream ended".into()),
                Some(Err(e)) => return Err(e.to_string()),
                Some(Ok(message)) => message,
            };
            // Whatever else has already arrived joins it, without waiting for more.
            let mut batch = vec![first];
            let mut interrupted = None;
            while batch.len() < APPLY_BATCH {
                match messages.next().now_or_never() {
                    Some(Some(Ok(message))) => batch.push(message),
                    Some(Some(Err(e))) => {
                        interrupted = Some(e.to_string());
                        break;
                    }
                    Some(None) => {
                        interrupted = Some("message stream ended".into());
                        break;
                    }
                    None => break,
                }
            }
            self.process_batch(batch).await;
            if let Some(e) = interrupted {
                return Err(e);
            }
        }
    }

    /// Applies a batch of messages in one transaction (one commit instead of one per event) and
    /// settles each once it is committed. If any of them fails, nothing of the batch is kept and
    /// each message is processed alone, exactly as without batching.
    async fn process_batch(&self, mut batch: Vec<jetstream::Message>) {
        if batch.len() == 1 {
            if let Some(message) = batch.pop() {
                self.process(message).await;
            }
            return;
        }
        let sub = self.subscription();
        let mut together = Vec::with_capacity(batch.len());
        let mut refused = Vec::new();
        for message in batch {
            let meta = self.meta(&message);
            match self.check(&message, &meta) {
                Ok(data) => together.push((message, meta, data)),
                Err(refusal) => refused.push((message, meta, refusal)),
            }
        }
        self.dead_letter_all(refused).await;
        let replies: Vec<_> = together
            .iter()
            .filter_map(|(m, ..)| m.message.reply.clone())
            .collect();
        let applied = self.in_progress(replies, self.apply_together(sub, together));
        match applied.await {
            Ok(done) => {
                for (message, meta, applied) in done {
                    self.settle(message, &meta, Ok(applied)).await;
                }
            }
            Err(undone) => {
                for message in undone {
                    self.process(message).await;
                }
            }
        }
    }

    /// Puts a batch's refused messages in the dead letters in one transaction and acknowledges
    /// them; if that fails, each goes the single way (which reports the failure).
    async fn dead_letter_all(
        &self,
        refused: Vec<(jetstream::Message, EventMeta, envelope::Refusal)>,
    ) {
        if refused.is_empty() {
            return;
        }
        let sub = self.subscription();
        let headers: Vec<String> = refused
            .iter()
            .map(|(m, ..)| dead_letters::headers_json(m.headers.as_ref()))
            .collect();
        let letters: Vec<dead_letters::NewDeadLetter<'_>> = refused
            .iter()
            .zip(&headers)
            .map(
                |((message, meta, refusal), headers)| dead_letters::NewDeadLetter {
                    consumer: &sub.durable,
                    subject: &meta.subject,
                    event_id: &meta.event_id,
                    payload: &message.payload,
                    headers,
                    kind: refusal.kind,
                    reason: &refusal.reason,
                    stream_seq: meta.stream_seq,
                    deliveries: meta.deliveries,
                },
            )
            .collect();
        if dead_letters::record_all(&self.db, &letters).await.is_ok() {
            drop(letters);
            self.health
                .dead_letters_failing
                .store(false, Ordering::SeqCst);
            tracing::warn!(subject = %sub.subject, count = refused.len(), "refused messages moved to dead letters");
            for (message, ..) in refused {
                metrics::counter!("events_consumed_total", "subject" => sub.subject, "outcome" => "dead_letter").increment(1);
                if let Err(e) = message.ack_with(AckKind::Term).await {
                    tracing::warn!(error = %e, "acknowledgement not sent");
                }
            }
            return;
        }
        drop(letters);
        for (message, meta, refusal) in refused {
            self.settle(message, &meta, Err(Unapplied::Refused(refusal)))
                .await;
        }
    }

    async fn apply_together(
        &self,
        sub: &Subscription,
        items: Vec<(jetstream::Message, EventMeta, Value)>,
    ) -> Result<Vec<(jetstream::Message, EventMeta, Applied)>, Vec<jetstream::Message>> {
        let Ok(tx) = self.db.begin().await else {
            return Err(items.into_iter().map(|(m, ..)| m).collect());
        };
        // Every inbox row in one statement; an event it did not insert was applied before (or
        // is repeated in this batch: its first copy is the one applied).
        let mut fresh = match record_all(&tx, sub, &items).await {
            Ok(fresh) => fresh,
            Err(_) => {
                let _ = tx.rollback().await;
                return Err(items.into_iter().map(|(m, ..)| m).collect());
            }
        };
        // An id seen before with another body is not a duplicate: each message then goes alone,
        // and that one to the dead letters.
        let seen: Vec<String> = items
            .iter()
            .filter(|(_, meta, _)| !fresh.contains(&meta.event_id))
            .map(|(_, meta, _)| meta.event_id.clone())
            .collect();
        let reused = has_two_bodies(&items)
            || (!seen.is_empty()
                && match digests_seen(&tx, sub, &seen).await {
                    Ok(digests) => items.iter().any(|(_, meta, _)| {
                        matches!(digests.get(&meta.event_id), Some(Some(d)) if *d != meta.digest)
                    }),
                    Err(_) => true,
                });
        if reused {
            let _ = tx.rollback().await;
            return Err(items.into_iter().map(|(m, ..)| m).collect());
        }
        let mut done = Vec::with_capacity(items.len());
        let mut rest = items.into_iter();
        let mut failed = false;
        for (message, meta, data) in rest.by_ref() {
            if !fresh.remove(&meta.event_id) {
                done.push((message, meta, Applied::Duplicate));
                continue;
            }
            let outcome = meta
                .trace
                .scope(sub.handler.handle_json(&tx, data, &meta))
                .await;
            failed = outcome.is_err();
            done.push((message, meta, Applied::Applied));
            if failed {
                break;
            }
        }
        let committed = if failed {
            let _ = tx.rollback().await;
            false
        } else {
            tx.commit().await.is_ok()
        };
        if committed {
            return Ok(done);
        }
        // A commit whose answer was lost may still have happened: the inbox then makes the
        // messages duplicates when they are processed alone.
        let mut undone: Vec<_> = done.into_iter().map(|(m, ..)| m).collect();
        undone.extend(rest.map(|(m, ..)| m));
        Err(undone)
    }

    /// Processes one message in a transaction of its own.
    async fn process(&self, message: jetstream::Message) {
        let meta = self.meta(&message);
        let outcome = match self.check(&message, &meta) {
            Err(refusal) => Err(Unapplied::Refused(refusal)),
            Ok(data) => {
                let replies = message.message.reply.clone().into_iter().collect();
                self.in_progress(replies, apply(&self.db, self.subscription(), data, &meta))
                    .await
                    .map_err(Unapplied::Handler)
            }
        };
        self.settle(message, &meta, outcome).await;
    }

    /// Runs `work`, telling the server every third of the acknowledgement wait that the messages
    /// answered on `replies` are still being worked on (so the wait can be short).
    async fn in_progress<T>(
        &self,
        replies: Vec<async_nats::Subject>,
        work: impl Future<Output = T>,
    ) -> T {
        let client = self.js.client();
        let every = (self.config.ack_wait / 3).max(Duration::from_millis(100));
        let progress = async {
            loop {
                tokio::time::sleep(every).await;
                for reply in &replies {
                    let _ = client.publish(reply.clone(), "+WPI".into()).await;
                }
            }
        };
        tokio::select! {
            out = work => out,
            () = progress => unreachable!("the progress loop never ends"),
        }
    }

    fn meta(&self, message: &jetstream::Message) -> EventMeta {
        let sub = self.subscription();
        let (stream_seq, deliveries) = message
            .info()
            .map(|i| (i.stream_sequence, i.delivered))
            .unwrap_or((0, 1));
        let header = |name: &str| {
            message
                .headers
                .as_ref()
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_owned())
        };
        let event_id = header("ce-id")
            .or_else(|| header("Nats-Msg-Id"))
            .unwrap_or_else(|| format!("{}:{stream_seq}", sub.subject));
        let trace = header("traceparent")
            .and_then(|t| TraceContext::parse(&t))
            .map_or_else(TraceContext::new_root, |t| t.child());
        EventMeta {
            event_id,
            subject: message.subject.to_string(),
            source: header("ce-source"),
            time: header("ce-time").and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()),
            trace,
            stream_seq,
            deliveries,
            received: crate::clock::now(),
            digest: envelope::digest(&message.payload),
        }
    }

    /// The message's data, if its bytes, its envelope and its schema (tolerantly) check.
    fn check(
        &self,
        message: &jetstream::Message,
        meta: &EventMeta,
    ) -> Result<Value, envelope::Refusal> {
        let sub = self.subscription();
        let data = envelope::body(&message.payload, self.config.max_payload_bytes)?;
        envelope::headers(&meta.subject, message.headers.as_ref(), meta.received)?;
        contracts::validate_tolerant(sub.subject, &data).map_err(|e| envelope::Refusal {
            kind: "schema",
            reason: e.to_string(),
        })?;
        Ok(data)
    }

    /// Acknowledges what was applied (or was a duplicate), asks for redelivery of what may pass,
    /// and moves the rest to the dead letters — at once for what can never pass — acknowledged
    /// there so that nothing queues behind it.
    async fn settle(
        &self,
        message: jetstream::Message,
        meta: &EventMeta,
        outcome: Result<Applied, Unapplied>,
    ) {
        let sub = self.subscription();
        let (stream_seq, deliveries) = (meta.stream_seq, meta.deliveries);
        let settle = match outcome {
            Ok(applied) => {
                metrics::counter!("events_consumed_total", "subject" => sub.subject, "outcome" => if applied == Applied::Applied { "applied" } else { "duplicate" }).increment(1);
                if applied == Applied::Applied {
                    self.outbox.wake();
                }
                if self.faults.die_before_ack.swap(false, Ordering::SeqCst) {
                    tracing::warn!("injected fault: acknowledgement dropped");
                    return;
                }
                AckKind::Ack
            }
            Err(Unapplied::Handler(HandlerError::Transient(reason)))
                if deliveries < self.config.max_deliver =>
            {
                metrics::counter!("events_consumed_total", "subject" => sub.subject, "outcome" => "retry").increment(1);
                tracing::warn!(subject = %meta.subject, event_id = %dead_letters::storable(&meta.event_id), trace_id = %meta.trace.trace_id_hex(), deliveries, %reason, "event not applied; will be redelivered");
                AckKind::Nak(Some(Duration::from_millis(
                    (500u64 << deliveries.clamp(0, 7)).min(60_000),
                )))
            }
            Err(e) => {
                let (kind, reason) = match e {
                    Unapplied::Refused(r) => (r.kind, r.reason),
                    Unapplied::Handler(HandlerError::Transient(r)) => (
                        "gave_up",
                        format!("gave up after {deliveries} deliveries: {r}"),
                    ),
                    Unapplied::Handler(e @ HandlerError::IdReused(_)) => {
                        ("id_reused", e.to_string())
                    }
                    Unapplied::Handler(HandlerError::Permanent(r)) => ("refused", r),
                };
                let headers_json = dead_letters::headers_json(message.headers.as_ref());
                let record = dead_letters::NewDeadLetter {
                    consumer: &sub.durable,
                    subject: &meta.subject,
                    event_id: &meta.event_id,
                    payload: &message.payload,
                    headers: &headers_json,
                    kind,
                    reason: &reason,
                    stream_seq,
                    deliveries,
                };
                match dead_letters::record(&self.db, record).await {
                    Ok(_) => {
                        self.health
                            .dead_letters_failing
                            .store(false, Ordering::SeqCst);
                        metrics::counter!("events_consumed_total", "subject" => sub.subject, "outcome" => "dead_letter").increment(1);
                        tracing::warn!(subject = %meta.subject, event_id = %dead_letters::storable(&meta.event_id), trace_id = %meta.trace.trace_id_hex(), kind, reason = %dead_letters::storable(&reason), "event moved to dead letters");
                        AckKind::Term
                    }
                    Err(db) => {
                        self.health
                            .dead_letters_failing
                            .store(true, Ordering::SeqCst);
                        tracing::error!(subject = %meta.subject, stream_seq, error = %db, "a dead letter cannot be recorded: the message is redelivered and the service is unready until one is");
                        AckKind::Nak(Some(Duration::from_secs(5)))
                    }
                }
            }
        };
        if let Err(e) = message.ack_with(settle).await {
            // The inbox makes the redelivery that follows harmless.
            tracing::warn!(error = %e, "acknowledgement not sent");
        }
    }
}
