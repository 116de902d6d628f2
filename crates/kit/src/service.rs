//! Building and running a service: database and migrations, NATS and its stream, the outbox
//! relay, the consumers and the REST edge, stopped together on SIGTERM or Ctrl-C.

use std::{net::SocketAddr, sync::Arc};

use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use utoipa_axum::router::OpenApiRouter;

use crate::{
    config::Config,
    db,
    edge::{self, KitState, auth::Verifier},
    inbox::{self, ConsumerConfig, ConsumerFaults, ConsumerHealth, Consumers},
    nats,
    outbox::{Outbox, Relay, RelayConfig, RelayFaults, RelayHealth},
    telemetry,
};

/// What the service's own code receives to build its routes and handlers.
#[derive(Clone)]
pub struct Platform {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub outbox: Outbox,
    pub nats: async_nats::Client,
    /// Cancelled when the service stops: background tasks a service spawns (periodic checks)
    /// watch it to end with the service.
    pub stop: CancellationToken,
}

/// A service's parts, given to [`Service::build`].
pub struct Parts {
    pub routes: OpenApiRouter,
    pub consumers: Consumers,
}

/// Errors starting a service.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Nats(#[from] nats::NatsError),
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("authentication keys: {0}")]
    Auth(String),
}

/// A started service.
pub struct Service {
    pub addr: SocketAddr,
    pub platform: Platform,
    pub relay_faults: Arc<RelayFaults>,
    pub consumer_faults: Arc<ConsumerFaults>,
    stop: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Service {
    /// Connects, migrates (kit tables first, then `M`'s), declares the service's own stream, and
    /// starts the relay, the consumers and the HTTP listener.
    pub async fn build<M: MigratorTrait>(
        config: Config,
        produces: &str,
        parts: impl FnOnce(&Platform) -> Parts,
    ) -> Result<Self, StartError> {
        telemetry::init(&config);
        // The recorder first: whatever is measured from here on is kept.
        let metrics = edge::metrics_handle();
        if let Some(at) = config.clock {
            crate::clock::set(at);
            tracing::warn!(clock = %at, "the business clock is set (MESH_CLOCK): dates follow it, not the real day");
        }
        crate::audit::install_key(&config.audit_key);
        let config = Arc::new(config);
        let database =
            db::connect(&config.database_url, std::time::Duration::from_secs(60)).await?;
        db::migrate::<M>(&database).await?;
        let client =
            nats::connect_with(&config.nats_url, &config.service, &config.nats_credentials).await?;
        let js = nats::jetstream(client.clone());
        let replicas = config.stream_replicas;
        if let Some(spec) = contracts::STREAMS
            .iter()
            .find(|s| s.subjects.starts_with(&format!("{produces}.")))
        {
            // Best effort at start-up: the relay cannot publish until the stream exists, and it
            // retries, so a NATS outage here does not keep the service from starting.
            if let Err(e) = nats::ensure_stream(&js, spec, replicas).await {
                tracing::warn!(error = %e, "stream not declared yet");
            }
        }
        let outbox = Outbox::new();
        let stop = CancellationToken::new();
        let platform = Platform {
            config: config.clone(),
            db: database.clone(),
            outbox: outbox.clone(),
            nats: client.clone(),
            stop: stop.clone(),
        };
        let Parts { routes, consumers } = parts(&platform);
        let consumers = Arc::new(consumers);

        let relay = Relay::new(
            database.clone(),
            js.clone(),
            &outbox,
            RelayConfig {
                source: config.service.clone(),
                batch: config.relay_batch,
                poll: config.relay_poll,
                retention: chrono::Duration::days(7),
            },
        );
        let relay_health: Arc<RelayHealth> = relay.health.clone();
        let relay_faults = relay.faults.clone();
        let mut tasks = vec![
            tokio::spawn(relay.run(stop.clone())),
            tokio::spawn(crate::audit::run_sealer(
                database.clone(),
                config.audit_seal_every,
                stop.clone(),
            )),
        ];
        crate::observe::build_info(&config.service);
        tasks.push(tokio::spawn(crate::observe::run(
            database.clone(),
            js.clone(),
            consumers.clone(),
            config.observe_every,
            stop.clone(),
        )));
        let consumer_faults = Arc::new(ConsumerFaults::default());
        let consumer_health = Arc::new(ConsumerHealth::default());
        tasks.extend(inbox::spawn(
            database.clone(),
            js,
            consumers.clone(),
            outbox,
            ConsumerConfig {
                max_deliver: config.consumer_max_deliver,
                ack_wait: config.consumer_ack_wait,
                replicas,
                max_payload_bytes: config.consumer_max_payload_bytes,
            },
            consumer_faults.clone(),
            consumer_health.clone(),
            stop.clone(),
        ));

        let verifier = Arc::new(Verifier::from_config(&config.auth).map_err(StartError::Auth)?);
        let kit = KitState {
            service: config.service.clone(),
            db: database,
            nats: client,
            relay: relay_health,
            consumer_health,
            consumers,
            metrics,
        };
        let (router, _spec) = edge::assemble(routes, kit, verifier, config.max_body_bytes);
        let listener = TcpListener::bind(config.http_addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.http_addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.http_addr,
            source,
        })?;
        let http_stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let serve = axum::serve(listener, router)
                .with_graceful_shutdown(async move { http_stop.cancelled().await });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "HTTP server failed");
            }
        }));
        tracing::info!(service = %config.service, %addr, "started");
        Ok(Self {
            addr,
            platform,
            relay_faults,
            consumer_faults,
            stop,
            tasks,
        })
    }

    /// Stops everything and waits for the tasks to finish.
    pub async fn stop(self) {
        self.stop.cancel();
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// Runs until SIGTERM or Ctrl-C, then stops cleanly.
    pub async fn run_until_stopped(self) {
        shutdown_signal().await;
        tracing::info!("stopping");
        self.stop().await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// The `main` of every service binary: `serve` (default), `migrate` (apply migrations, exit —
/// the init step of a deployment) or `verify-audit` (check the audit trail's chain, print what
/// was found as JSON, exit 1 if anything does not check out; see [`crate::audit`]).
pub async fn main<M: MigratorTrait>(
    service: &str,
    default_port: u16,
    produces: &str,
    parts: impl FnOnce(&Platform) -> Parts,
) -> anyhow::Result<()> {
    let config = Config::from_env(service, default_port)?;
    match std::env::args().nth(1).as_deref() {
        None | Some("serve") => {
            Service::build::<M>(config, produces, parts)
                .await?
                .run_until_stopped()
                .await;
            Ok(())
        }
        Some("migrate") => {
            crate::audit::install_key(&config.audit_key);
            telemetry::init(&config);
            let database =
                db::connect(&config.database_url, std::time::Duration::from_secs(60)).await?;
            // Under the same lock as a serving start: replicas' init steps run one at a time.
            db::migrate::<M>(&database).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Some("verify-audit") => {
            crate::audit::install_key(&config.audit_key);
            let database =
                db::connect(&config.database_url, std::time::Duration::from_secs(60)).await?;
            let found = crate::audit::verify(&database).await?;
            println!("{}", serde_json::to_string_pretty(&found)?);
            if !found.intact {
                eprintln!(
                    "{service}: the audit trail does not check out ({} problems)",
                    found.problem_count
                );
                std::process::exit(1);
            }
            Ok(())
        }
        Some(other) => {
            anyhow::bail!("unknown command {other}: use serve, migrate or verify-audit")
        }
    }
}
