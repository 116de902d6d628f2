//! The cross-service flow through kit itself: a producer service whose REST write commits a row
//! and an outbox event, its relay publishing to JetStream, and a consumer service whose handler
//! commits one row through its inbox — two `kit::service::Service`s in this process, each with
//! its own PostgreSQL database, on a nats-server of their own. Also the relay's drain rate.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use axum::extract::State;
use chrono::Utc;
use futures::StreamExt;
use kit::{
    Principal, Problem, Role,
    config::{Config, DEV_AUTH_SECRET},
    edge::auth::dev_token,
    inbox::{Consumers, EventMeta, Handler, HandlerError},
    nats,
    outbox::{self, Outbox, Relay, RelayConfig},
    service::{Parts, Platform, Service},
    testing::{NatsServer, TestDatabase},
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, Statement, TransactionTrait,
};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::{
    load::{self, Pace},
    stats::Latencies,
};

/// The flow's event: a real subject of about 256 bytes, its body the schema's own example.
pub const SUBJECT: &str = "disability.subsidy.ended.v1";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fact(serde_json::Value);

impl contracts::Event for Fact {
    const SUBJECT: &'static str = SUBJECT;
}

fn example() -> Fact {
    Fact(contracts::schema(SUBJECT).expect("schema")["examples"][0].clone())
}

/// The flow's event body as the outbox stores it.
pub fn example_payload() -> String {
    example().0.to_string()
}

/// Kit's tables plus the two rows the flow writes.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = kit::db::migrations();
        all.push(Box::new(BenchTables));
        all
    }
}

struct BenchTables;

impl MigrationName for BenchTables {
    fn name(&self) -> &str {
        "m20990101_000001_bench_tables"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for BenchTables {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE TABLE IF NOT EXISTS bench_things (id uuid PRIMARY KEY, created_by text NOT NULL, \
                 created_at timestamptz NOT NULL); \
                 CREATE TABLE IF NOT EXISTS bench_effects (event_id text PRIMARY KEY, handled_at timestamptz NOT NULL)",
            )
            .await?;
        Ok(())
    }
}

/// The producer's write: one row and its event in one transaction, as a service's command does.
async fn write(State(p): State<Platform>, who: Principal) -> Result<String, Problem> {
    let tx = p.db.begin().await?;
    tx.execute_raw(Statement::from_sql_and_values(
        tx.get_database_backend(),
        "INSERT INTO bench_things (id, created_by, created_at) VALUES ($1, $2, $3)",
        [
            uuid::Uuid::now_v7().into(),
            who.subject.into(),
            Utc::now().into(),
        ],
    ))
    .await?;
    let id = p
        .outbox
        .enqueue(&tx, &example())
        .await
        .map_err(|_| Problem::internal())?;
    tx.commit().await?;
    p.outbox.wake();
    Ok(id.to_string())
}

/// The consumer's handler: one row per event, in the inbox transaction.
struct Record;

impl Handler<Fact> for Record {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        _event: Fact,
        meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        tx.execute_raw(Statement::from_sql_and_values(
            tx.get_database_backend(),
            "INSERT INTO bench_effects (event_id, handled_at) VALUES ($1, $2)",
            [meta.event_id.clone().into(), Utc::now().into()],
        ))
        .await?;
        Ok(())
    }
}

fn config(service: &str, database_url: &str, nats_url: &str) -> anyhow::Result<Config> {
    let vars = [
        ("HTTP_ADDR", "127.0.0.1:0".to_owned()),
        ("DATABASE_URL", database_url.to_owned()),
        ("NATS_URL", nats_url.to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ];
    Ok(Config::from_lookup(service, 0, |k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })?)
}

/// Producer and consumer services, running.
pub struct Mesh {
    nats: NatsServer,
    producer: Service,
    consumer: Service,
    databases: Vec<TestDatabase>,
    effects: DatabaseConnection,
    consumer_url: String,
    token: String,
}

/// Latencies of flows, each from the due time of its REST write.
#[derive(Debug, Default)]
pub struct FlowLatency {
    /// The write answered.
    pub answered: Latencies,
    /// Its event published by the relay.
    pub published: Latencies,
    /// Its event committed by the consumer (end to end).
    pub committed: Latencies,
}

/// One throughput measurement.
pub struct FlowRun {
    /// Flows committed by the consumer per second, first request to last commit.
    pub flows_per_second: f64,
    /// REST writes answered per second.
    pub writes_per_second: f64,
}

impl Mesh {
    /// Starts both services on fresh databases and a nats-server of their own.
    pub async fn start() -> anyhow::Result<Self> {
        let nats = NatsServer::start().await;
        let producer_db = TestDatabase::create().await;
        let consumer_db = TestDatabase::create().await;
        let producer = Service::build::<Migrator>(
            config("bench-producer", &producer_db.url, &nats.url())?,
            "disability",
            |p| Parts {
                routes: utoipa_axum::router::OpenApiRouter::new()
                    .route("/v1/flows", axum::routing::post(write))
                    .with_state(p.clone()),
                consumers: Consumers::new("bench-producer"),
            },
        )
        .await?;
        let consumer = Service::build::<Migrator>(
            config("bench-consumer", &consumer_db.url, &nats.url())?,
            "aid",
            |_| Parts {
                routes: utoipa_axum::router::OpenApiRouter::new(),
                consumers: Consumers::new("bench-consumer").on(Record),
            },
        )
        .await?;
        let effects = consumer_db.connect().await;
        let token = dev_token(
            DEV_AUTH_SECRET,
            "bench@500112",
            Role::DistrictOfficer,
            "500112",
            chrono::Duration::hours(6),
        );
        let mesh = Self {
            nats,
            producer,
            consumer,
            consumer_url: consumer_db.url.clone(),
            databases: vec![producer_db, consumer_db],
            effects,
            token,
        };
        // One flow end to end before measuring: streams, consumers and pools are warm.
        mesh.throughput(200).await.context("warming the flow")?;
        Ok(mesh)
    }

    async fn effects(&self) -> anyhow::Result<i64> {
        let row = self
            .effects
            .query_one_raw(Statement::from_string(
                self.effects.get_database_backend(),
                "SELECT COUNT(*) AS n FROM bench_effects",
            ))
            .await?
            .context("count")?;
        Ok(row.try_get("", "n")?)
    }

    async fn wait_effects(&self, target: i64, patience: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + patience;
        while self.effects().await? < target {
            if Instant::now() > deadline {
                bail!(
                    "the consumer committed {} of {target} flows in time",
                    self.effects().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    }

    fn request(&self) -> load::MakeRequest {
        let r = load::post_empty("/v1/flows", &self.token);
        Arc::new(move |_| r.clone())
    }

    /// `n` REST writes over 64 connections as fast as answered; the time runs until the
    /// consumer has committed the last of them.
    pub async fn throughput(&self, n: usize) -> anyhow::Result<FlowRun> {
        let before = self.effects().await?;
        let started = Instant::now();
        let out = load::run(
            self.producer.addr,
            64,
            n,
            Pace::Closed,
            self.request(),
            false,
        )
        .await?;
        if out.errors > 0 {
            bail!(
                "{} writes failed (first: {})",
                out.errors,
                out.first_error.unwrap_or_default()
            );
        }
        self.wait_effects(before + n as i64, Duration::from_secs(300))
            .await?;
        Ok(FlowRun {
            flows_per_second: n as f64 / started.elapsed().as_secs_f64(),
            writes_per_second: out.per_second(),
        })
    }

    /// `n` REST writes sent at `rate` per second (open loop, 64 connections); latency from each
    /// write's due time to its answer, to its event's publication (a core NATS subscriber on the
    /// subject sees it when JetStream stores it) and to the consumer's commit, observed by
    /// LISTEN/NOTIFY (a notification is delivered only when its transaction commits).
    pub async fn latency(&self, rate: f64, n: usize) -> anyhow::Result<FlowLatency> {
        use sea_orm::sqlx::postgres::PgListener;
        self.effects
            .execute_unprepared(
                "CREATE OR REPLACE FUNCTION bench_notify() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN PERFORM pg_notify('bench_effects', NEW.event_id); RETURN NEW; END $$; \
                 DROP TRIGGER IF EXISTS bench_effects_notify ON bench_effects; \
                 CREATE TRIGGER bench_effects_notify AFTER INSERT ON bench_effects \
                 FOR EACH ROW EXECUTE FUNCTION bench_notify()",
            )
            .await?;
        let client = async_nats::connect(self.nats.url()).await?;
        let mut published_sub = client.subscribe(SUBJECT).await?;
        client.flush().await?;
        let published = tokio::spawn(async move {
            let mut seen = HashMap::with_capacity(n);
            while seen.len() < n {
                match tokio::time::timeout(Duration::from_secs(60), published_sub.next()).await {
                    Ok(Some(m)) => {
                        if let Some(id) = m.headers.as_ref().and_then(|h| h.get("ce-id")) {
                            seen.insert(id.as_str().to_owned(), Instant::now());
                        }
                    }
                    _ => break,
                }
            }
            seen
        });
        let mut listener = PgListener::connect(&self.consumer_url).await?;
        listener.listen("bench_effects").await?;
        let collector = tokio::spawn(async move {
            let mut seen = HashMap::with_capacity(n);
            while seen.len() < n {
                match tokio::time::timeout(Duration::from_secs(60), listener.recv()).await {
                    Ok(Ok(note)) => {
                        seen.insert(note.payload().to_owned(), Instant::now());
                    }
                    _ => break,
                }
            }
            seen
        });
        let out = load::run(
            self.producer.addr,
            64,
            n,
            Pace::Open { per_second: rate },
            self.request(),
            true,
        )
        .await?;
        let committed = collector.await?;
        let published = published.await?;
        self.effects
            .execute_unprepared("DROP TRIGGER IF EXISTS bench_effects_notify ON bench_effects")
            .await?;
        if out.errors > 0 {
            bail!(
                "{} writes failed (first: {})",
                out.errors,
                out.first_error.unwrap_or_default()
            );
        }
        let mut latency = FlowLatency {
            answered: out.latencies,
            ..FlowLatency::default()
        };
        for (_, due, body) in &out.answers {
            let id = String::from_utf8_lossy(body);
            let at = committed
                .get(id.as_ref())
                .with_context(|| format!("event {id} was not committed by the consumer"))?;
            latency.committed.push(at.saturating_duration_since(*due));
            if let Some(at) = published.get(id.as_ref()) {
                latency.published.push(at.saturating_duration_since(*due));
            }
        }
        Ok(latency)
    }

    /// Stops both services and drops their databases.
    pub async fn stop(self) {
        self.producer.stop().await;
        self.consumer.stop().await;
        drop(self.effects);
        for db in self.databases {
            crate::drop_database(&db).await;
        }
    }
}

/// Pre-fills `n` outbox rows in one statement, then times a kit relay (default settings) until
/// none is pending; returns rows published per second.
pub async fn relay_drain(nats_url: &str, db: &DatabaseConnection, n: usize) -> anyhow::Result<f64> {
    let client = nats::connect(nats_url, "bench-relay").await?;
    let js = nats::jetstream(client);
    nats::ensure_stream(&js, contracts::stream_for(SUBJECT).context("stream")?, 1).await?;
    let payload = serde_json::to_string(&example())?;
    // Ids ordered like uuid v7 (time prefix of this round, then the row number).
    let prefix = &uuid::Uuid::now_v7().to_string()[..24];
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO kit_outbox (id, subject, payload, traceparent, created_at, published_at) \
         SELECT CAST($1 || lpad(to_hex(g), 12, '0') AS uuid), $2, $3, $4, now(), NULL \
         FROM generate_series(1, $5) AS g",
        [
            prefix.into(),
            SUBJECT.into(),
            payload.into(),
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
            (n as i64).into(),
        ],
    ))
    .await?;
    db.execute_unprepared("ANALYZE kit_outbox").await?;
    // The kit's defaults, unless RELAY_BATCH / RELAY_POLL_MS are set (to compare settings).
    let defaults = Config::from_lookup("bench-relay", 0, |k| std::env::var(k).ok())?;
    let outbox = Outbox::new();
    let relay = Relay::new(
        db.clone(),
        js,
        &outbox,
        RelayConfig {
            source: "bench-relay".into(),
            batch: defaults.relay_batch,
            poll: defaults.relay_poll,
            retention: chrono::Duration::days(7),
        },
    );
    let stop = CancellationToken::new();
    let started = Instant::now();
    let task = tokio::spawn(relay.run(stop.clone()));
    let deadline = started + Duration::from_secs(300);
    while outbox::pending(db).await? > 0 {
        if Instant::now() > deadline {
            stop.cancel();
            bail!("the relay did not drain {n} rows in time");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    stop.cancel();
    let _ = task.await;
    Ok(rate)
}
