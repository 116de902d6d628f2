//! Delivery guarantees against real PostgreSQL and a nats-server process of the test's own:
//! nothing lost while NATS is down, nothing applied twice when a relay or a consumer dies at the
//! worst moment, and poison messages parked in dead letters while later ones still flow.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_nats::jetstream;
use kit::{
    dead_letters,
    inbox::{
        self, Applied, ConsumerConfig, ConsumerFaults, ConsumerHealth, Consumers, EventMeta,
        HandlerError, HandlerFuture,
    },
    nats,
    outbox::{self, Outbox, Relay, RelayConfig},
    testing::{NatsServer, TestDatabase, eventually},
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, Statement, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

const SUBJECT: &str = "partner.civil-registry.death.recorded.v1";
const WAIT: Duration = Duration::from_secs(20);

/// The test's event: a real contract subject, its body taken from the schema's own example so the
/// test does not depend on the contract's fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
struct Fact(serde_json::Value);

impl contracts::Event for Fact {
    const SUBJECT: &'static str = SUBJECT;

    /// The contract type's own date rules.
    fn check_dates(&self, received_on: chrono::NaiveDate) -> Result<(), String> {
        serde_json::from_value::<contracts::partner::DeathRecorded>(self.0.clone())
            .map_err(|e| e.to_string())?
            .check_dates(received_on)
    }
}

/// The CloudEvents headers the subject's producer sends, with a chosen event id and JetStream
/// message id (a producer retrying past the duplicate window sends the same event anew).
fn envelope(ce_id: &str, msg_id: &str) -> async_nats::HeaderMap {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("ce-specversion", "1.0");
    headers.insert("ce-id", ce_id);
    headers.insert("Nats-Msg-Id", msg_id);
    headers.insert("ce-type", SUBJECT);
    headers.insert("ce-source", contracts::source_of(SUBJECT).unwrap().as_str());
    headers.insert("ce-time", kit::clock::now().to_rfc3339().as_str());
    headers
}

fn example() -> Fact {
    Fact(contracts::schema(SUBJECT).expect("schema")["examples"][0].clone())
}

struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        kit::db::migrations()
    }
}

/// What the handler did: one row per application, so a double application shows as two rows.
struct Effects {
    /// While set, the handler fails transiently (a dependency that is down).
    failing: AtomicBool,
    /// The handler fails transiently the first time it sees this event.
    fail_once: std::sync::Mutex<Option<String>>,
}

impl Effects {
    fn handler(
        self: &Arc<Self>,
    ) -> impl for<'a> Fn(&'a DatabaseTransaction, Fact, &'a EventMeta) -> HandlerFuture<'a>
    + Send
    + Sync
    + 'static {
        let me = self.clone();
        move |tx, _fact, meta| {
            let me = me.clone();
            let id = meta.event_id.clone();
            Box::pin(async move {
                let meta = meta;
                if me.failing.load(Ordering::SeqCst) {
                    return Err(HandlerError::Transient("dependency down".into()));
                }
                let once = me.fail_once.lock().unwrap().take_if(|e| *e == id);
                if once.is_some() {
                    return Err(HandlerError::Transient("a passing failure".into()));
                }
                tx.execute_raw(Statement::from_sql_and_values(
                    tx.get_database_backend(),
                    "INSERT INTO effects (event_id, trace_id) VALUES ($1, $2)",
                    [id.into(), meta.trace.trace_id_hex().into()],
                ))
                .await?;
                Ok(())
            })
        }
    }
}

struct Fixture {
    nats: NatsServer,
    db: DatabaseConnection,
    js: jetstream::Context,
    outbox: Outbox,
    effects: Arc<Effects>,
    health: Arc<ConsumerHealth>,
    stop: CancellationToken,
}

impl Fixture {
    async fn new() -> Self {
        Self::on(TestDatabase::create().await.connect().await).await
    }

    async fn on(db: DatabaseConnection) -> Self {
        let nats = NatsServer::start().await;
        Migrator::up(&db, None).await.unwrap();
        db.execute_unprepared(
            "CREATE TABLE effects (event_id TEXT NOT NULL, trace_id TEXT NOT NULL)",
        )
        .await
        .unwrap();
        let client = nats::connect(&nats.url(), "test").await.unwrap();
        let js = nats::jetstream(client);
        nats::ensure_stream(&js, contracts::stream_for(SUBJECT).unwrap(), 1)
            .await
            .unwrap();
        Self {
            nats,
            db,
            js,
            outbox: Outbox::new(),
            effects: Arc::new(Effects {
                failing: AtomicBool::new(false),
                fail_once: std::sync::Mutex::new(None),
            }),
            health: Arc::default(),
            stop: CancellationToken::new(),
        }
    }

    fn relay(&self) -> Relay {
        Relay::new(
            self.db.clone(),
            self.js.clone(),
            &self.outbox,
            RelayConfig {
                source: contracts::source_of(SUBJECT).unwrap(),
                batch: 64,
                poll: Duration::from_millis(50),
                retention: chrono::Duration::days(1),
            },
        )
    }

    fn consumers(&self) -> Arc<Consumers> {
        Arc::new(Consumers::new("test").on(self.effects.handler()))
    }

    fn start_consumers(&self, faults: Arc<ConsumerFaults>, ack_wait: Duration) {
        inbox::spawn(
            self.db.clone(),
            self.js.clone(),
            self.consumers(),
            self.outbox.clone(),
            ConsumerConfig {
                max_deliver: 3,
                ack_wait,
                replicas: 1,
                max_payload_bytes: 64 * 1024,
            },
            faults,
            self.health.clone(),
            self.stop.clone(),
        );
    }

    async fn commit_event(&self) -> uuid::Uuid {
        let tx = self.db.begin().await.unwrap();
        let id = self.outbox.enqueue(&tx, &example()).await.unwrap();
        tx.commit().await.unwrap();
        self.outbox.wake();
        id
    }

    async fn count(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }

    async fn effects(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM effects").await
    }

    async fn stream_messages(&self) -> u64 {
        let mut stream = self
            .js
            .get_stream(contracts::stream_for(SUBJECT).unwrap().name)
            .await
            .unwrap();
        stream.info().await.unwrap().state.messages
    }

    /// Waits until the consumer has acknowledged everything in the stream.
    async fn settled(&self) {
        let durable = nats::durable_name("test", SUBJECT);
        let js = self.js.clone();
        eventually("consumer to acknowledge everything", WAIT, || {
            let js = js.clone();
            let durable = durable.clone();
            async move {
                let stream = js
                    .get_stream(contracts::stream_for(SUBJECT).unwrap().name)
                    .await
                    .ok()?;
                let mut consumer: jetstream::consumer::PullConsumer =
                    stream.get_consumer(&durable).await.ok()?;
                let info = consumer.info().await.ok()?;
                (info.num_pending == 0
                    && info.num_ack_pending == 0
                    && info.delivered.stream_sequence > 0)
                    .then_some(())
            }
        })
        .await;
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[tokio::test]
async fn an_event_committed_while_nats_is_down_is_delivered_exactly_once_after_it_returns() {
    let mut f = Fixture::new().await;
    tokio::spawn(f.relay().run(f.stop.clone()));
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    f.nats.kill();

    f.commit_event().await;
    tokio::time::sleep(Duration::from_millis(500)).await; // let the relay fail a few cycles
    assert_eq!(
        outbox::pending(&f.db).await.unwrap(),
        1,
        "the event waits in the outbox"
    );

    f.nats.resume().await;
    eventually("the event to be published", WAIT, || async {
        (outbox::pending(&f.db).await.unwrap() == 0).then_some(())
    })
    .await;
    eventually("the event to be applied", WAIT, || async {
        (f.effects().await == 1).then_some(())
    })
    .await;
    f.settled().await;
    assert_eq!(f.stream_messages().await, 1);
    assert_eq!(f.effects().await, 1);
}

#[tokio::test]
async fn a_relay_killed_between_publish_and_mark_causes_no_duplicate_downstream() {
    let f = Fixture::new().await;
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    let relay = f.relay();
    f.commit_event().await;

    relay.faults.die_after_publish.store(true, Ordering::SeqCst);
    assert!(relay.drain_once().await.is_err(), "the injected death");
    assert_eq!(
        outbox::pending(&f.db).await.unwrap(),
        1,
        "published but not marked"
    );

    // A new relay (the restarted process) publishes the row again.
    assert_eq!(f.relay().drain_once().await.unwrap(), 1);
    assert_eq!(outbox::pending(&f.db).await.unwrap(), 0);
    assert_eq!(
        f.stream_messages().await,
        1,
        "JetStream dropped the re-publish by Nats-Msg-Id"
    );
    eventually("the event to be applied", WAIT, || async {
        (f.effects().await == 1).then_some(())
    })
    .await;
    f.settled().await;
    assert_eq!(f.effects().await, 1);
}

#[tokio::test]
async fn one_relay_cycle_publishes_several_batches_in_id_order_and_marks_them_all() {
    let f = Fixture::new().await;
    let mut ids = Vec::new();
    for _ in 0..150 {
        ids.push(f.commit_event().await);
    }
    ids.sort();
    // Batches of 64: 64 + 64 + 22 in one cycle, each marked while the next is in flight.
    assert_eq!(f.relay().drain_once().await.unwrap(), 150);
    assert_eq!(outbox::pending(&f.db).await.unwrap(), 0);
    let stream =
        f.js.get_stream(contracts::stream_for(SUBJECT).unwrap().name)
            .await
            .unwrap();
    let mut published = Vec::new();
    for seq in 1..=150 {
        let m = stream.get_raw_message(seq).await.unwrap();
        let id = m.headers.get("ce-id").unwrap().as_str().to_owned();
        published.push(id.parse::<uuid::Uuid>().unwrap());
    }
    assert_eq!(published, ids, "published once each, in the outbox's order");
    assert_eq!(f.relay().drain_once().await.unwrap(), 0, "nothing left");
}

#[tokio::test]
async fn a_redelivery_past_the_duplicate_window_is_caught_by_the_inbox() {
    let f = Fixture::new().await;
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    let id = uuid::Uuid::now_v7().to_string();
    for msg_id in ["first-publish", "second-publish"] {
        let headers = envelope(&id, msg_id);
        let body = serde_json::to_vec(&example()).unwrap();
        f.js.publish_with_headers(SUBJECT, headers, body.into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    f.settled().await;
    assert_eq!(
        f.stream_messages().await,
        2,
        "both copies reached the stream"
    );
    assert_eq!(f.effects().await, 1, "the inbox applied the event once");
}

#[tokio::test]
async fn events_arriving_together_are_applied_once_each_when_one_of_them_fails_at_first() {
    let f = Fixture::new().await;
    let mut ids = Vec::new();
    for _ in 0..50 {
        ids.push(f.commit_event().await);
    }
    // All fifty are in the stream before the consumer starts, so they arrive together.
    f.relay().drain_once().await.unwrap();
    *f.effects.fail_once.lock().unwrap() = Some(ids[24].to_string());
    f.start_consumers(Arc::default(), Duration::from_secs(30));

    eventually("every event to be applied", WAIT, || async {
        (f.effects().await == 50).then_some(())
    })
    .await;
    f.settled().await;
    assert!(
        f.effects.fail_once.lock().unwrap().is_none(),
        "the failure happened"
    );
    assert_eq!(f.effects().await, 50);
    assert_eq!(
        f.count("SELECT COUNT(DISTINCT event_id) FROM effects")
            .await,
        50
    );
    assert_eq!(f.count("SELECT COUNT(*) FROM kit_inbox").await, 50);
}

#[tokio::test]
async fn an_event_delivered_twice_among_others_arriving_together_is_applied_once() {
    let f = Fixture::new().await;
    let id = uuid::Uuid::now_v7().to_string();
    let body = serde_json::to_vec(&example()).unwrap();
    for msg_id in ["a", "b", "c", "first-publish", "d", "second-publish", "e"] {
        let ce_id = if msg_id.ends_with("publish") {
            id.clone()
        } else {
            uuid::Uuid::now_v7().to_string()
        };
        let headers = envelope(&ce_id, msg_id);
        f.js.publish_with_headers(SUBJECT, headers, body.clone().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    f.start_consumers(Arc::default(), Duration::from_secs(30));

    f.settled().await;
    assert_eq!(f.stream_messages().await, 7);
    assert_eq!(f.effects().await, 6, "the repeated event was applied once");
    assert_eq!(f.count("SELECT COUNT(*) FROM kit_inbox").await, 6);
}

#[tokio::test]
async fn a_consumer_killed_before_its_ack_applies_the_event_once() {
    let f = Fixture::new().await;
    let faults = Arc::new(ConsumerFaults::default());
    faults.die_before_ack.store(true, Ordering::SeqCst);
    f.start_consumers(faults.clone(), Duration::from_secs(1));
    f.commit_event().await;
    f.relay().drain_once().await.unwrap();

    eventually("the event to be applied", WAIT, || async {
        (f.effects().await == 1).then_some(())
    })
    .await;
    // The acknowledgement was lost: the server redelivers after ack_wait, and the inbox skips it.
    f.settled().await;
    assert!(
        !faults.die_before_ack.load(Ordering::SeqCst),
        "the fault fired"
    );
    assert_eq!(f.effects().await, 1);
    assert_eq!(f.count("SELECT COUNT(*) FROM kit_inbox").await, 1);
}

#[tokio::test]
async fn poison_messages_go_to_dead_letters_while_later_messages_still_flow() {
    let f = Fixture::new().await;
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    // Valid JSON that lacks a required field of the contract.
    let mut bad = example().0;
    let required = contracts::schema(SUBJECT).unwrap()["required"][0]
        .as_str()
        .unwrap()
        .to_owned();
    bad.as_object_mut().unwrap().remove(&required);
    for body in [
        b"{not json".to_vec(),
        serde_json::to_vec(&serde_json::json!({"unexpected": true})).unwrap(),
        serde_json::to_vec(&bad).unwrap(),
    ] {
        f.js.publish(SUBJECT, body.into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    f.commit_event().await;
    f.relay().drain_once().await.unwrap();

    f.settled().await;
    assert_eq!(
        f.effects().await,
        1,
        "the valid event behind the poison was applied"
    );
    let letters = dead_letters::list(&f.db, true, None, 10).await.unwrap();
    assert_eq!(letters.len(), 3, "{letters:?}");
    assert!(letters.iter().any(|l| l.reason.contains("not JSON")));
    assert!(letters.iter().all(|l| l.subject == SUBJECT));
}

#[tokio::test]
async fn an_event_failing_past_the_delivery_limit_is_dead_lettered_and_replays_once_fixed() {
    let f = Fixture::new().await;
    f.effects.failing.store(true, Ordering::SeqCst);
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    f.commit_event().await;
    f.relay().drain_once().await.unwrap();

    let letter = eventually("the dead letter", Duration::from_secs(30), || async {
        dead_letters::list(&f.db, true, None, 10)
            .await
            .unwrap()
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(letter.deliveries, 3);
    assert!(
        letter.reason.contains("gave up after 3 deliveries"),
        "{}",
        letter.reason
    );
    assert_eq!(f.effects().await, 0);

    // Later messages are not blocked by the failed one.
    f.effects.failing.store(false, Ordering::SeqCst);
    f.commit_event().await;
    f.relay().drain_once().await.unwrap();
    eventually("the next event", WAIT, || async {
        (f.effects().await == 1).then_some(())
    })
    .await;

    let consumers = f.consumers();
    assert_eq!(
        dead_letters::replay(&f.db, &consumers, letter.id)
            .await
            .unwrap(),
        Applied::Applied
    );
    assert_eq!(f.effects().await, 2);
    assert!(matches!(
        dead_letters::replay(&f.db, &consumers, letter.id).await,
        Err(dead_letters::ReplayError::AlreadyReplayed)
    ));
    assert!(
        dead_letters::list(&f.db, true, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_trace_of_the_writing_request_reaches_the_consumer() {
    let f = Fixture::new().await;
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    let ctx = kit::telemetry::TraceContext::new_root();
    ctx.scope(f.commit_event()).await;
    f.relay().drain_once().await.unwrap();
    eventually("the event to be applied", WAIT, || async {
        (f.effects().await == 1).then_some(())
    })
    .await;
    let row =
        f.db.query_one_raw(Statement::from_string(
            f.db.get_database_backend(),
            "SELECT trace_id FROM effects",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.try_get::<String>("", "trace_id").unwrap(),
        ctx.trace_id_hex()
    );
}

#[tokio::test]
async fn the_outbox_inbox_and_dead_letters_work_on_sqlite_too() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("svc.db").display());
    let f = Fixture::on(
        kit::db::connect(&url, Duration::from_secs(5))
            .await
            .unwrap(),
    )
    .await;
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    f.js.publish(SUBJECT, b"{poison".to_vec().into())
        .await
        .unwrap()
        .await
        .unwrap();
    f.commit_event().await;
    f.relay().drain_once().await.unwrap();
    f.settled().await;
    assert_eq!(f.effects().await, 1);
    assert_eq!(outbox::pending(&f.db).await.unwrap(), 0);
    assert_eq!(
        dead_letters::list(&f.db, true, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn services_authenticate_to_a_server_that_requires_credentials() {
    let nats = NatsServer::start_with(vec![
        "--user".into(),
        "aid-applications".into(),
        "--pass".into(),
        "s3cret".into(),
    ])
    .await;
    let credentials = kit::nats::Credentials {
        user: Some("aid-applications".into()),
        password: Some("s3cret".into()),
        ..Default::default()
    };
    let client = nats::connect_with(&nats.url(), "aid-applications", &credentials)
        .await
        .unwrap();
    client.publish("x.y", "ok".into()).await.unwrap();
    client.flush().await.unwrap();
    let anonymous =
        tokio::time::timeout(Duration::from_secs(2), async_nats::connect(nats.url())).await;
    assert!(
        !matches!(anonymous, Ok(Ok(_))),
        "an anonymous client must not get in"
    );
}

#[tokio::test]
async fn events_arriving_together_are_applied_once_each_on_sqlite_too() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("svc.db").display());
    let f = Fixture::on(
        kit::db::connect(&url, Duration::from_secs(5))
            .await
            .unwrap(),
    )
    .await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(f.commit_event().await);
    }
    f.relay().drain_once().await.unwrap();
    // A second copy of one of them, as a producer retrying past the duplicate window would send.
    let headers = envelope(&ids[7].to_string(), "another-copy");
    f.js.publish_with_headers(
        SUBJECT,
        headers,
        serde_json::to_vec(&example()).unwrap().into(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    f.start_consumers(Arc::default(), Duration::from_secs(30));

    f.settled().await;
    assert_eq!(f.stream_messages().await, 21);
    assert_eq!(f.effects().await, 20);
    assert_eq!(f.count("SELECT COUNT(*) FROM kit_inbox").await, 20);
}

#[tokio::test]
async fn a_relay_cycle_held_up_by_the_database_leaves_the_relay_healthy_until_it_is_late() {
    let f = Fixture::new().await;
    let relay = f.relay();
    let health = relay.health.clone();
    tokio::spawn(relay.run(f.stop.clone()));
    eventually("a first cycle", Duration::from_secs(10), || async {
        health.is_healthy(Duration::from_secs(15)).then_some(())
    })
    .await;
    // Another transaction holds the outbox table: the relay's next cycle waits for it.
    let blocker = f.db.begin().await.unwrap();
    blocker
        .execute_unprepared("LOCK TABLE kit_outbox IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    f.outbox.wake();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        health.is_healthy(Duration::from_secs(15)),
        "a cycle in progress made the relay unhealthy"
    );
    // Not forever: the last finished cycle grows old.
    assert!(!health.is_healthy(Duration::from_millis(100)));
    blocker.rollback().await.unwrap();
    eventually("cycles again", Duration::from_secs(10), || async {
        health.is_healthy(Duration::from_millis(400)).then_some(())
    })
    .await;
    f.stop.cancel();
}

/// The consumer's info (pending, redelivered) as the server reports it.
async fn consumer_info(f: &Fixture) -> jetstream::consumer::Info {
    let stream =
        f.js.get_stream(contracts::stream_for(SUBJECT).unwrap().name)
            .await
            .unwrap();
    let mut consumer: jetstream::consumer::PullConsumer = stream
        .get_consumer(&nats::durable_name("test", SUBJECT))
        .await
        .unwrap();
    consumer.info().await.unwrap().clone()
}

async fn publish_raw(f: &Fixture, headers: async_nats::HeaderMap, body: Vec<u8>) {
    f.js.publish_with_headers(SUBJECT, headers, body.into())
        .await
        .unwrap()
        .await
        .unwrap();
}

fn fresh_envelope() -> async_nats::HeaderMap {
    let id = uuid::Uuid::now_v7().to_string();
    envelope(&id, &id)
}

#[tokio::test]
async fn every_kind_of_poison_is_dead_lettered_at_once_with_its_bytes_and_nothing_waits_behind_it()
{
    let f = Fixture::new().await;
    // A long acknowledgement wait: anything left unacknowledged would hold the test up.
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    let valid = serde_json::to_vec(&example()).unwrap();
    let mut bad_schema = example().0;
    bad_schema.as_object_mut().unwrap().remove("date_of_death");
    let mut attacker = fresh_envelope();
    attacker.insert("ce-source", "attacker");
    let poison: Vec<(async_nats::HeaderMap, Vec<u8>, &str, &str)> = vec![
        (fresh_envelope(), b"\x00poison".to_vec(), "not_utf8", "NUL"),
        (
            fresh_envelope(),
            b"\xff\xfe{}".to_vec(),
            "not_utf8",
            "not UTF-8",
        ),
        (
            fresh_envelope(),
            b"{not json".to_vec(),
            "not_json",
            "not JSON",
        ),
        (
            fresh_envelope(),
            vec![b' '; 64 * 1024 + 1],
            "too_large",
            "over the limit",
        ),
        (
            fresh_envelope(),
            serde_json::to_vec(&bad_schema).unwrap(),
            "schema",
            "date_of_death",
        ),
        (attacker, valid.clone(), "envelope", "ce-source"),
        (
            async_nats::HeaderMap::new(),
            valid.clone(),
            "envelope",
            "ce-specversion",
        ),
    ];
    for (headers, body, ..) in &poison {
        publish_raw(&f, headers.clone(), body.clone()).await;
    }
    f.commit_event().await;
    f.relay().drain_once().await.unwrap();
    f.settled().await;
    assert_eq!(f.effects().await, 1, "the valid event behind the poison");
    let letters = dead_letters::list(&f.db, true, None, 50).await.unwrap();
    assert_eq!(letters.len(), poison.len(), "{letters:?}");
    // Oldest first: the order they were published in.
    for (letter, (_, body, _, reason)) in letters.iter().rev().zip(&poison) {
        assert!(
            letter.reason.contains(reason),
            "{reason}: {}",
            letter.reason
        );
        assert_eq!(letter.deliveries, 1, "dead-lettered at the first delivery");
        let (_, kept, _) = dead_letters::get(&f.db, letter.id).await.unwrap().unwrap();
        assert_eq!(&kept, body, "the bytes are kept exactly");
    }
    let info = consumer_info(&f).await;
    assert_eq!((info.num_ack_pending, info.num_redelivered), (0, 0));
    assert!(f.health.is_healthy());
}

#[tokio::test]
async fn an_id_reused_with_another_body_is_a_dead_letter_and_the_same_body_a_duplicate() {
    let f = Fixture::new().await;
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    let id = uuid::Uuid::now_v7().to_string();
    let body = serde_json::to_vec(&example()).unwrap();
    let mut other = example().0;
    other["record_number"] = "D2026-0009".into();
    let other = serde_json::to_vec(&other).unwrap();
    // Three copies under new JetStream ids (past the duplicate window): the first is applied,
    // the same body again is a duplicate, another body under the id is a dead letter.
    for (msg_id, bytes) in [("one", &body), ("two", &body), ("three", &other)] {
        publish_raw(&f, envelope(&id, msg_id), bytes.clone()).await;
    }
    f.settled().await;
    assert_eq!(f.effects().await, 1);
    let letters = dead_letters::list(&f.db, true, None, 10).await.unwrap();
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert!(
        letters[0].reason.starts_with("id reused with another body"),
        "{}",
        letters[0].reason
    );
    // Arriving together in one batch, the same.
    let id = uuid::Uuid::now_v7().to_string();
    f.stop.cancel();
    let f2 = Fixture::new().await;
    for (msg_id, bytes) in [("a", &body), ("b", &other), ("c", &body)] {
        publish_raw(&f2, envelope(&id, msg_id), bytes.clone()).await;
    }
    f2.start_consumers(Arc::default(), Duration::from_secs(30));
    f2.settled().await;
    assert_eq!(f2.effects().await, 1);
    let letters = dead_letters::list(&f2.db, true, None, 10).await.unwrap();
    assert_eq!(letters.len(), 1, "{letters:?}");
}

#[tokio::test]
async fn a_fact_dated_after_its_receipt_is_a_dead_letter_naming_the_date() {
    let f = Fixture::new().await;
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    let tomorrow = (kit::clock::today() + chrono::Days::new(1)).to_string();
    let mut future = example().0;
    future["date_of_death"] = tomorrow.clone().into();
    future["recorded_on"] = tomorrow.into();
    publish_raw(&f, fresh_envelope(), serde_json::to_vec(&future).unwrap()).await;
    let mut before_birth = example().0;
    before_birth["date_of_death"] = "1900-01-01".into();
    publish_raw(
        &f,
        fresh_envelope(),
        serde_json::to_vec(&before_birth).unwrap(),
    )
    .await;
    f.settled().await;
    assert_eq!(f.effects().await, 0);
    let reasons: Vec<String> = dead_letters::list(&f.db, true, None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.reason)
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .all(|r| r.starts_with("implausible date: date_of_death")),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn a_dead_letter_that_cannot_be_recorded_makes_the_service_unready_until_one_is() {
    let f = Fixture::new().await;
    f.db.execute_unprepared("ALTER TABLE kit_dead_letters RENAME TO kit_dead_letters_away")
        .await
        .unwrap();
    f.start_consumers(Arc::default(), Duration::from_secs(30));
    publish_raw(&f, fresh_envelope(), b"{not json".to_vec()).await;
    eventually("the consumer unready", WAIT, || async {
        (!f.health.is_healthy()).then_some(())
    })
    .await;
    f.db.execute_unprepared("ALTER TABLE kit_dead_letters_away RENAME TO kit_dead_letters")
        .await
        .unwrap();
    // The message comes back (a short backoff) and is put aside this time.
    eventually("the dead letter recorded", WAIT, || async {
        let letters = dead_letters::list(&f.db, true, None, 10).await.ok()?;
        (letters.len() == 1).then_some(())
    })
    .await;
    // The flag follows the recorded row (the consumer clears it once the insert returns).
    eventually("the consumer ready again", WAIT, || async {
        f.health.is_healthy().then_some(())
    })
    .await;
    f.settled().await;
}

#[tokio::test]
async fn a_consumer_killed_before_its_ack_gets_the_message_back_within_the_short_ack_wait() {
    let f = Fixture::new().await;
    let faults = Arc::new(ConsumerFaults::default());
    faults.die_before_ack.store(true, Ordering::SeqCst);
    f.start_consumers(faults, Duration::from_secs(2));
    f.commit_event().await;
    f.relay().drain_once().await.unwrap();
    let started = std::time::Instant::now();
    f.settled().await;
    // Redelivered after the 2 s wait, not the 30 s it used to be.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(consumer_info(&f).await.num_redelivered, 0);
    assert_eq!(f.effects().await, 1);
}
