//! NATS connection and JetStream provisioning that works on Debian's nats-server 2.9: one stream
//! per producing context, one durable pull consumer per (service, subject).

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};

use contracts::StreamSpec;

/// How long JetStream keeps `Nats-Msg-Id`s to drop re-published duplicates. It must cover the
/// relay's longest retry horizon; the inbox catches anything older.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Errors talking to NATS.
#[derive(Debug, thiserror::Error)]
pub enum NatsError {
    #[error("connecting to NATS: {0}")]
    Connect(#[from] async_nats::ConnectError),
    #[error("JetStream stream {stream}: {reason}")]
    Stream { stream: String, reason: String },
    #[error("JetStream consumer {durable}: {reason}")]
    Consumer { durable: String, reason: String },
}

/// How to authenticate to NATS: user and password, and TLS (with a client certificate when the
/// server verifies clients). All optional: a development server needs none.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub user: Option<String>,
    pub password: Option<String>,
    /// CA bundle that signed the server's certificate; setting it requires TLS.
    pub ca_file: Option<std::path::PathBuf>,
    /// Client certificate and key, for servers that verify clients.
    pub cert_file: Option<std::path::PathBuf>,
    pub key_file: Option<std::path::PathBuf>,
}

/// Connects with retries: the first connection waits for the server, and after a drop the client
/// reconnects for ever (messages are never lost meanwhile: the outbox and the stream hold them).
pub async fn connect(url: &str, name: &str) -> Result<async_nats::Client, NatsError> {
    connect_with(url, name, &Credentials::default()).await
}

/// Same as [`connect`], authenticating with `credentials`. Replies come back on
/// `_INBOX.<name>.>`, so a server can limit each service to its own inbox.
pub async fn connect_with(
    url: &str,
    name: &str,
    credentials: &Credentials,
) -> Result<async_nats::Client, NatsError> {
    let mut options = async_nats::ConnectOptions::new()
        .name(name)
        .custom_inbox_prefix(format!("_INBOX.{name}"))
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(2))
        .reconnect_delay_callback(|attempt| {
            Duration::from_millis((100 * attempt as u64).min(2_000))
        });
    if let (Some(user), Some(password)) = (&credentials.user, &credentials.password) {
        options = options.user_and_password(user.clone(), password.clone());
    }
    if let Some(ca) = &credentials.ca_file {
        options = options.require_tls(true).add_root_certificates(ca.clone());
    }
    if let (Some(cert), Some(key)) = (&credentials.cert_file, &credentials.key_file) {
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    Ok(options.connect(url).await?)
}

/// A JetStream context whose publish acknowledgements time out quickly, so the relay notices a
/// server that went away and retries instead of hanging.
pub fn jetstream(client: async_nats::Client) -> jetstream::Context {
    let mut js = jetstream::new(client);
    js.set_timeout(Duration::from_secs(3));
    js
}

/// Declares (or binds to) a context's stream: file storage, an explicit duplicate window.
/// Producers call it at start-up; consumers too, so the start order of services does not matter.
pub async fn ensure_stream(
    js: &jetstream::Context,
    spec: &StreamSpec,
    replicas: usize,
) -> Result<stream::Stream, NatsError> {
    js.get_or_create_stream(stream::Config {
        name: spec.name.to_owned(),
        subjects: vec![spec.subjects.to_owned()],
        storage: stream::StorageType::File,
        duplicate_window: DUPLICATE_WINDOW,
        num_replicas: replicas.max(1),
        ..Default::default()
    })
    .await
    .map_err(|e| NatsError::Stream {
        stream: spec.name.to_owned(),
        reason: e.to_string(),
    })
}

/// The durable name of `service`'s consumer of `subject`: `<service>--<subject, dots as dashes>`
/// (durable names may not contain dots), as `schemas/asyncapi.yaml` lists them.
pub fn durable_name(service: &str, subject: &str) -> String {
    format!("{service}--{}", subject.replace('.', "-"))
}

/// Declares a durable pull consumer with explicit acks for one subject.
///
/// The server-side redelivery limit is left unbounded on purpose: the consumer itself counts
/// deliveries and moves a message to its dead letters once the limit is reached, and that can only
/// happen when the dead letter is safely recorded. A server-side limit would drop the message
/// silently if the database were down on the last attempt.
pub async fn ensure_pull_consumer(
    stream: &stream::Stream,
    durable: &str,
    subject: &str,
    ack_wait: Duration,
) -> Result<consumer::Consumer<consumer::pull::Config>, NatsError> {
    stream
        .get_or_create_consumer(
            durable,
            consumer::pull::Config {
                durable_name: Some(durable.to_owned()),
                filter_subject: subject.to_owned(),
                ack_policy: consumer::AckPolicy::Explicit,
                deliver_policy: consumer::DeliverPolicy::All,
                ack_wait,
                max_deliver: -1,
                max_ack_pending: 1_000,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| NatsError::Consumer {
            durable: durable.to_owned(),
            reason: e.to_string(),
        })
}
