//! partner-feeds: the mesh's only door to partner agencies' feeds. It relays the events each
//! agency is approved for (configuration, checked against the schemas) onto `feed.<partner>.…`,
//! with only the approved fields and per-partner pseudonyms in place of identifiers.

pub mod agency_contract;
pub mod approvals;
pub mod health;
pub mod nats_config;
pub mod projection;
pub mod pseudonym;
pub mod relay;
pub mod settings;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;

pub use settings::Settings;

/// A running relay (tests start it in-process).
pub struct Running {
    pub addr: SocketAddr,
    pub client: async_nats::Client,
    pub health: Arc<relay::Health>,
    stop: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops the consumers and the HTTP edge and waits for them.
    pub async fn stop(self) {
        self.stop.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Connects, declares the partners' feeds, and starts the consumers and the HTTP edge.
pub async fn start(settings: Settings) -> anyhow::Result<Running> {
    let client = relay::connect(&settings.nats).await?;
    let js = kit::nats::jetstream(client.clone());
    let mut attempt = 0u32;
    while let Err(e) = relay::provision(
        &js,
        &settings.approvals,
        settings.stream_replicas,
        settings.feed_max_age,
        settings.ack_wait,
    )
    .await
    {
        attempt += 1;
        tracing::warn!(error = %e, attempt, "partner feeds not declared yet; retrying");
        tokio::time::sleep(Duration::from_millis((200u64 << attempt.min(4)).min(3_000))).await;
    }
    let stop = CancellationToken::new();
    let health = Arc::new(relay::Health::default());
    let subjects = settings.approvals.subjects().len();
    let relay = Arc::new(relay::Relay {
        js,
        approvals: Arc::new(settings.approvals),
        keys: Arc::new(settings.keys),
        replicas: settings.stream_replicas,
        ack_wait: settings.ack_wait,
        health: health.clone(),
    });
    let partners = relay.keys.len();
    let mut tasks = relay.spawn(&stop);
    let listener = tokio::net::TcpListener::bind(settings.http_addr).await?;
    let addr = listener.local_addr()?;
    let router = health::router(client.clone(), health.clone(), subjects);
    let shutdown = stop.clone();
    tasks.push(tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "HTTP edge stopped");
        }
    }));
    tracing::info!(%addr, partners, subjects, "partner feeds relaying");
    Ok(Running {
        addr,
        client,
        health,
        stop,
        tasks,
    })
}

/// The binary: `serve` (default) runs until SIGTERM or Ctrl-C; `check` validates the
/// configuration and exits; `migrate` has nothing to do (the relay keeps no database).
pub async fn main(args: Vec<String>) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        None | Some("serve") => {
            let settings = Settings::from_env()?;
            init_logging(&settings);
            let running = start(settings).await?;
            shutdown_signal().await;
            running.stop().await;
            Ok(())
        }
        Some("check") => {
            let settings = Settings::from_env()?;
            println!(
                "approvals: {} partners, {} subjects; keys present for every partner",
                settings.keys.len(),
                settings.approvals.subjects().len()
            );
            Ok(())
        }
        Some("migrate") => {
            println!("partner-feeds keeps no database: nothing to migrate");
            Ok(())
        }
        Some(other) => anyhow::bail!("unknown command {other:?}: use serve, check or migrate"),
    }
}

fn init_logging(settings: &Settings) {
    use tracing_subscriber::{EnvFilter, prelude::*};
    let filter =
        EnvFilter::try_new(&settings.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if settings.log_json {
        registry
            .with(tracing_subscriber::fmt::layer().json().flatten_event(true))
            .try_init()
    } else {
        registry
            .with(tracing_subscriber::fmt::layer().compact())
            .try_init()
    };
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
    let _ = ctrl_c.await;
}
