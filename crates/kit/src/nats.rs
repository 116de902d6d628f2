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

/// The configuration `spec` declares: its subjects, file storage, the duplicate window, its age
/// limit, `replicas`. Operators get the same as files (`infra/nats/streams/<NAME>.json`, for
/// `nats stream add --config`; a test keeps them equal).
pub fn stream_config(spec: &StreamSpec, replicas: usize) -> stream::Config {
    stream::Config {
        name: spec.name.to_owned(),
        subjects: vec![spec.subjects.to_owned()],
        storage: stream::StorageType::File,
        duplicate_window: DUPLICATE_WINDOW,
        max_age: Duration::from_secs(u64::from(spec.max_age_days) * 24 * 3600),
        num_replicas: replicas.max(1),
        // No limit but the age (spelled -1, as the server shows it).
        max_bytes: -1,
        max_messages: -1,
        max_messages_per_subject: -1,
        max_consumers: -1,
        ..Default::default()
    }
}

/// Declares a stream and keeps it as declared (the producer's start does this): creates it, or
/// updates the settings that differ from `spec` (logged), or reports a difference the server
/// cannot make in place (storage) as an error — never ignores it.
pub async fn ensure_stream(
    js: &jetstream::Context,
    spec: &StreamSpec,
    replicas: usize,
) -> Result<stream::Stream, NatsError> {
    reconcile_stream(js, stream_config(spec, replicas))
        .await
        .map(|(stream, _)| stream)
}

/// Binds to a stream another service declares (a consumer does this), creating it as declared
/// if it does not exist yet (its producer has not started), never changing it.
pub async fn bind_stream(
    js: &jetstream::Context,
    spec: &StreamSpec,
    replicas: usize,
) -> Result<stream::Stream, NatsError> {
    if spec.kept_by_consumers() {
        return ensure_stream(js, spec, replicas).await;
    }
    js.get_or_create_stream(stream_config(spec, replicas))
        .await
        .map_err(|e| NatsError::Stream {
            stream: spec.name.to_owned(),
            reason: e.to_string(),
        })
}

/// What [`reconcile_stream`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    Created,
    /// The settings that were changed, as `name: was → now`.
    Updated(Vec<String>),
    Unchanged,
}

/// Creates the stream `desired` describes, or updates the settings of an existing one that differ
/// from it (subjects, duplicate window, age, size and message limits, replicas). Storage cannot
/// change in place: a difference there is an error naming it.
pub async fn reconcile_stream(
    js: &jetstream::Context,
    desired: stream::Config,
) -> Result<(stream::Stream, Reconciled), NatsError> {
    let name = desired.name.clone();
    let failed = |reason: String| NatsError::Stream {
        stream: name.clone(),
        reason,
    };
    let mut existing = match js.get_stream(&name).await {
        Ok(stream) => stream,
        Err(e)
            if matches!(
                e.kind(),
                jetstream::context::GetStreamErrorKind::JetStream(ref j)
                    if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
            ) =>
        {
            let stream = js
                .create_stream(desired)
                .await
                .map_err(|e| failed(e.to_string()))?;
            tracing::info!(stream = %name, "stream created as declared");
            return Ok((stream, Reconciled::Created));
        }
        Err(e) => return Err(failed(e.to_string())),
    };
    let current = existing
        .info()
        .await
        .map_err(|e| failed(e.to_string()))?
        .config
        .clone();
    if current.storage != desired.storage {
        return Err(failed(format!(
            "storage is {:?} on the server and {:?} in the declaration: JetStream cannot change \
             it in place (back the stream up, delete it, and let the service create it again)",
            current.storage, desired.storage
        )));
    }
    let changes = differences(&current, &desired);
    if changes.is_empty() {
        return Ok((existing, Reconciled::Unchanged));
    }
    js.update_stream(&desired)
        .await
        .map_err(|e| failed(format!("updating {}: {e}", changes.join(", "))))?;
    let mut stream = js
        .get_stream(&name)
        .await
        .map_err(|e| failed(e.to_string()))?;
    // A server may accept an update and keep a setting as it was (a single server asked for
    // replicas): what is still different is reported.
    let applied = stream
        .info()
        .await
        .map_err(|e| failed(e.to_string()))?
        .config
        .clone();
    let kept = differences(&applied, &desired);
    if !kept.is_empty() {
        return Err(failed(format!(
            "the server did not apply {} (more replicas than the cluster has servers? see \
             STREAM_REPLICAS)",
            kept.join(", ")
        )));
    }
    tracing::warn!(stream = %name, changes = %changes.join(", "), "stream updated to its declaration");
    Ok((stream, Reconciled::Updated(changes)))
}

/// The settings a declaration governs that differ, as `name: current → desired`.
fn differences(current: &stream::Config, desired: &stream::Config) -> Vec<String> {
    let mut changes = Vec::new();
    let mut differs = |what: &str, was: String, now: String| {
        if was != now {
            changes.push(format!("{what}: {was} → {now}"));
        }
    };
    differs(
        "subjects",
        format!("{:?}", current.subjects),
        format!("{:?}", desired.subjects),
    );
    differs(
        "duplicate_window",
        format!("{:?}", current.duplicate_window),
        format!("{:?}", desired.duplicate_window),
    );
    differs(
        "max_age",
        format!("{:?}", current.max_age),
        format!("{:?}", desired.max_age),
    );
    // 0 in a declaration means no limit, which the server shows as -1.
    let limit = |v: i64| if v == 0 { -1 } else { v }.to_string();
    differs(
        "max_bytes",
        limit(current.max_bytes),
        limit(desired.max_bytes),
    );
    differs(
        "max_messages",
        limit(current.max_messages),
        limit(desired.max_messages),
    );
    differs(
        "num_replicas",
        current.num_replicas.to_string(),
        desired.num_replicas.to_string(),
    );
    changes
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
    let failed = |reason: String| NatsError::Consumer {
        durable: durable.to_owned(),
        reason,
    };
    let desired = consumer::pull::Config {
        durable_name: Some(durable.to_owned()),
        filter_subject: subject.to_owned(),
        ack_policy: consumer::AckPolicy::Explicit,
        deliver_policy: consumer::DeliverPolicy::All,
        ack_wait,
        max_deliver: -1,
        max_ack_pending: 1_000,
        ..Default::default()
    };
    let existing = stream
        .get_or_create_consumer(durable, desired.clone())
        .await
        .map_err(|e| failed(e.to_string()))?;
    // A durable declared by an earlier release is kept as declared now: the settings JetStream
    // lets change are updated (logged), the others are reported.
    let current = existing.cached_info().config.clone();
    let fixed = [
        (
            "filter_subject",
            current.filter_subject.clone(),
            desired.filter_subject.clone(),
        ),
        (
            "ack_policy",
            format!("{:?}", current.ack_policy),
            format!("{:?}", desired.ack_policy),
        ),
        (
            "deliver_policy",
            format!("{:?}", current.deliver_policy),
            format!("{:?}", desired.deliver_policy),
        ),
    ];
    let fixed: Vec<String> = fixed
        .into_iter()
        .filter(|(_, was, now)| was != now)
        .map(|(what, was, now)| format!("{what}: {was} → {now}"))
        .collect();
    if !fixed.is_empty() {
        return Err(failed(format!(
            "{} cannot change on an existing durable (delete it with the nats CLI once its \
             messages are handled; the service declares it again)",
            fixed.join(", ")
        )));
    }
    let editable = [
        (
            "ack_wait",
            format!("{:?}", current.ack_wait),
            format!("{:?}", desired.ack_wait),
        ),
        (
            "max_deliver",
            current.max_deliver.to_string(),
            desired.max_deliver.to_string(),
        ),
        (
            "max_ack_pending",
            current.max_ack_pending.to_string(),
            desired.max_ack_pending.to_string(),
        ),
    ];
    let changes: Vec<String> = editable
        .into_iter()
        .filter(|(_, was, now)| was != now)
        .map(|(what, was, now)| format!("{what}: {was} → {now}"))
        .collect();
    if changes.is_empty() {
        return Ok(existing);
    }
    let updated = stream
        .create_consumer(desired)
        .await
        .map_err(|e| failed(format!("updating {}: {e}", changes.join(", "))))?;
    tracing::warn!(durable, changes = %changes.join(", "), "consumer updated to its declaration");
    Ok(updated)
}
